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
    """Intent (the risk check first), ranking and entities, in Rasa's shape; `risk` when at risk."""
    understanding = engine.understand(body.text)
    parsed = understanding.parse.as_rasa()
    if understanding.safety.at_risk:
        parsed["risk"] = understanding.safety.as_json()
    return parsed
