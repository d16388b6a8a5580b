"""Feedback from young people: POST /api/feedback (open, abuse-limited)."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.db import unit_of_work
from api.deps import EngineDep, SettingsDep
from api.engine.safety import crisis_replies
from api.feedback import store_feedback
from api.models import FeedbackPublic
from api.ratelimit import SlidingWindowLimiter
from api.safeguarding import record_alert

router = APIRouter(prefix="/api/feedback", tags=["feedback"])

# The contract asks that at least 60 a minute from one address work; this allows twice that.
limiter = SlidingWindowLimiter(limit=120, window=60)


class FeedbackIn(BaseModel):
    """What a young person tells the council."""

    text: str = Field(min_length=1, max_length=5_000)
    channel: Literal["web", "sms"] = "web"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FeedbackPublic)
async def give_feedback(body: FeedbackIn, request: Request, engine: EngineDep, settings: SettingsDep) -> FeedbackPublic:
    """Store feedback redacted, with its themes; a cry for help in it gets the crisis answer too."""
    address = request.client.host if request.client else "unknown"
    if not limiter.allow(address):
        raise HTTPException(status_code=429, detail="too many messages from this address; try again in a minute")
    if not body.text.strip():
        raise HTTPException(status_code=422, detail="'text' is empty")
    return await run_in_threadpool(_store, engine, body)


def _store(engine, body: FeedbackIn) -> FeedbackPublic:  # type: ignore[no-untyped-def]
    safety = engine.understand(body.text).safety
    with unit_of_work() as session:
        item = store_feedback(session=session, text=body.text, channel=body.channel)
        session.flush()
        message = None
        if safety.crisis:
            record_alert(
                session=session,
                conversation_id=f"feedback:{item.id}",
                channel=body.channel,
                kind=safety.kind,
                matched=safety.matched,
                text=body.text,
            )
            message = "\n".join(reply.text for reply in crisis_replies(safety, body.channel))
        return FeedbackPublic(id=item.id, themes=item.themes, crisis=safety.crisis, message=message)
