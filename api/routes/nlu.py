"""Rasa's parse endpoint: POST /model/parse."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import EngineDep

router = APIRouter(prefix="/model", tags=["nlu"])


class ParseRequest(BaseModel):
    """Text to understand."""

    text: str = Field(max_length=20_000)


@router.post("/parse")
def parse(body: ParseRequest, engine: EngineDep) -> dict[str, Any]:
    """Intent (crisis checked first), ranking and entities, in Rasa's shape."""
    return engine.parse(body.text).as_rasa()
