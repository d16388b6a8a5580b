"""Feedback from young people: POST /api/feedback (open, abuse-limited)."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.db import unit_of_work
from api.deps import EngineDep, SessionDep, ThemesReader
from api.engine.safety import crisis_replies
from api.feedback import find_feedback, store_feedback
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
async def give_feedback(body: FeedbackIn, request: Request, engine: EngineDep) -> FeedbackPublic:
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
                verdict=safety,
                text=body.text,
            )
            message = "\n".join(reply.text for reply in crisis_replies(safety, body.channel))
        return FeedbackPublic(id=item.id, themes=item.themes, crisis=safety.crisis, message=message)


Theme = Literal["family", "stability", "relationships", "learning", "health", "accommodation"]
Sentiment = Literal["positive", "negative", "mixed"]


class FeedbackItem(BaseModel):
    """A piece of feedback as staff see it: redacted text, never who said it."""

    id: int
    text: str
    themes: list[str]
    sentiment: str | None
    channel: str
    created_at: str


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, from the query string."""

    theme: Theme | None
    start: date | None
    end: date | None
    sentiment: Sentiment | None
    channel: Literal["web", "sms"] | None


def filters(
    theme: Theme | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    sentiment: Sentiment | None = None,
    channel: Literal["web", "sms"] | None = None,
) -> Filters:
    """Read (and validate) the filters; an unknown theme or a bad date is a 422 with the reason."""
    return Filters(theme, start, end, sentiment, channel)


FiltersDep = Annotated[Filters, Depends(filters)]


def _items(session: Session, f: Filters) -> list[FeedbackItem]:
    found = find_feedback(
        session=session, theme=f.theme, start=f.start, end=f.end, sentiment=f.sentiment, channel=f.channel
    )
    return [
        FeedbackItem(
            id=item.id,
            text=item.text,
            themes=item.themes,
            sentiment=item.sentiment,
            channel=item.channel,
            created_at=item.created_at.isoformat(timespec="seconds"),
        )
        for item in found
    ]


@router.get("", response_model=list[FeedbackItem])
def list_feedback(staff: ThemesReader, session: SessionDep, f: FiltersDep) -> list[FeedbackItem]:
    """Redacted feedback for the participation team and admins, newest first."""
    return _items(session, f)


@router.get("/export.csv")
def export_feedback(staff: ThemesReader, session: SessionDep, f: FiltersDep) -> Response:
    """What the filters show, as CSV (redacted text only)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "date", "channel", "themes", "sentiment", "text"])
    for item in _items(session, f):
        writer.writerow(
            [item.id, item.created_at, item.channel, ";".join(item.themes), item.sentiment or "", item.text]
        )
    headers = {"Content-Disposition": 'attachment; filename="feedback.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
