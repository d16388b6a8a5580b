"""Rasa's parse endpoint: POST /model/parse."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from api.config import get_settings
from api.deps import EngineDep, client_address, within
from api.services.ratelimit import Limit

router = APIRouter(prefix="/model", tags=["nlu"])


class ParseRequest(BaseModel):
    """Text to understand."""

    text: str = Field(max_length=20_000)


@router.post("/parse", responses={429: {"description": "too many calls from this address"}})
def parse(body: ParseRequest, request: Request, engine: EngineDep) -> dict[str, Any]:
    """Intent (the risk check first), ranking and entities, in Rasa's shape; `risk` when at risk."""
    if not within(request, Limit("parse:address", get_settings().limit_parse_per_address), client_address(request)):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many calls from this address: wait a minute")
    understanding = engine.understand(body.text)
    parsed = understanding.parse.as_rasa()
    if understanding.safety.at_risk:
        parsed["risk"] = understanding.safety.as_json()
    return parsed
