"""Rasa's REST channel: POST /webhooks/rest/webhook."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from api.channels.web import answer, chat_limits
from api.content import council_named
from api.contract import OutMessage
from api.db import unit_of_work
from api.deps import EngineDep, client_address, held_back
from api.engine.core import Engine

router = APIRouter(prefix="/webhooks/rest", tags=["conversation"])


class RestMessage(BaseModel):
    """A message from the web chat or any REST client."""

    sender: str = Field(
        min_length=1,
        max_length=128,
        description="an opaque id for the conversation (not 'sms:...': text conversations are reached only by Twilio)",
    )
    message: str = Field(max_length=20_000, description="what the young person wrote (may be empty)")
    # Accepted as Rasa's REST channel accepts it; only `council` (which council's answers: "lincolnshire",
    # "north-lincolnshire"; absent, the default) and `rate` (true: mark an answer the chat may ask "Did this
    # help?" about, with `custom: {"rate": key}`) are passed on. Who a young person is (and so whose
    # requests they may ask about) comes only from the SMS channel's directory lookup.
    metadata: dict[str, Any] | None = None

    @field_validator("sender")
    @classmethod
    def _not_a_text_conversation(cls, sender: str) -> str:
        if sender.lower().startswith("sms:"):
            raise ValueError("'sms:' conversations are reached only through a signed Twilio call")
        return sender

    @field_validator("metadata")
    @classmethod
    def _a_council_served_here(cls, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        council = (metadata or {}).get("council")
        if council is not None:
            if not isinstance(council, str):
                raise ValueError("metadata.council must be a council's name, such as 'north-lincolnshire'")
            council_named(council)  # ValueError (422) for one this service does not answer for
        return metadata


class RestReply(BaseModel):
    """One message of the reply."""

    recipient_id: str
    text: str
    buttons: list[dict[str, str]] | None = None
    custom: dict[str, str] | None = Field(
        default=None, description='{"rate": <answer>}: an answer the chat may ask "Did this help?" about'
    )


@router.post(
    "/webhook",
    response_model=list[RestReply],
    response_model_exclude_none=True,
    responses={429: {"description": "too many messages from this conversation or address (never one at risk)"}},
)
async def webhook(body: RestMessage, request: Request, engine: EngineDep) -> JSONResponse:
    """Answer a message in the sender's conversation, as the Rasa REST channel does."""
    # Async, with the turn in one trip to the thread pool (a sync route costs a second trip to validate
    # the response), and the reply sent as built: the engine makes exactly RestReply's shape
    # (tests/routes/test_schema_fuzz.py checks replies against the OpenAPI document), so it is not
    # validated again.
    return JSONResponse(await run_in_threadpool(_webhook, body, request, engine))


def _webhook(body: RestMessage, request: Request, engine: Engine) -> list[OutMessage]:
    # The rate counters and the turn in one transaction: one commit (and, on SQLite, one wait for the
    # writer) a message, not three. A refused message's count is kept.
    with unit_of_work():
        if not held_back(request, engine, body.message, chat_limits(body.sender, client_address(request))):
            metadata = body.metadata or {}
            return answer(engine, body.sender, body.message, metadata.get("council"), metadata.get("rate") is True)
    raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many messages: wait a minute, then try again")
