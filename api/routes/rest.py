"""Rasa's REST channel: POST /webhooks/rest/webhook."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.channels.web import answer
from api.contract import OutMessage
from api.deps import EngineDep

router = APIRouter(prefix="/webhooks/rest", tags=["conversation"])


class RestMessage(BaseModel):
    """A message from the web chat or any REST client."""

    sender: str = Field(min_length=1, max_length=128, description="an opaque id for the conversation")
    message: str = Field(max_length=20_000, description="what the young person wrote (may be empty)")
    # Accepted as Rasa's REST channel accepts it, but never passed on: who a young person is (and so
    # whose requests they may ask about) comes only from the SMS channel's directory lookup.
    metadata: dict[str, Any] | None = None


class RestReply(BaseModel):
    """One message of the reply."""

    recipient_id: str
    text: str
    buttons: list[dict[str, str]] | None = None


@router.post("/webhook", response_model=list[RestReply], response_model_exclude_none=True)
def webhook(body: RestMessage, engine: EngineDep) -> list[OutMessage]:
    """Answer a message in the sender's conversation, as the Rasa REST channel does."""
    return answer(engine, body.sender, body.message)
