"""Feedback from young people: POST /api/feedback (open, abuse-limited)."""

import csv
import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field, field_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.config import get_settings
from api.content import council_named, get_pack
from api.contract import Channel, Theme
from api.db import unit_of_work
from api.deps import EngineDep, RowId, SessionDep, ThemesReader, WriteSessionDep, client_address, held_back
from api.engine.core import Engine
from api.models import Feedback, FeedbackPublic, Staff, row_id
from api.risk.answers import risk_replies
from api.services.directory import young_person_by_reference
from api.services.feedback import correct_themes, find_feedback, store_feedback
from api.services.ratelimit import Limit
from api.services.safeguarding import record_alert
from api.services.staff import sees

router = APIRouter(prefix="/api/feedback", tags=["feedback"])


class FeedbackIn(BaseModel):
    """What a young person tells the council."""

    text: str = Field(min_length=1, max_length=5_000)
    channel: Channel = "web"
    # Whose young person: a council this service answers for (none: the default council).
    council: str | None = Field(default=None, max_length=64, validate_default=True)

    @field_validator("council")
    @classmethod
    def _served(cls, value: str | None) -> str:
        return council_named(value)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FeedbackPublic)
async def give_feedback(body: FeedbackIn, request: Request, engine: EngineDep) -> FeedbackPublic:
    """Store feedback redacted, with its themes; a cry for help in it gets the crisis answer too."""
    limit = Limit("feedback:address", get_settings().limit_feedback_per_address)
    if await run_in_threadpool(held_back, request, engine, body.text, [(limit, client_address(request))]):
        raise HTTPException(status_code=429, detail="too many messages from this address; try again in a minute")
    if not body.text.strip():
        raise HTTPException(status_code=422, detail="'text' is empty")
    return await run_in_threadpool(_store, engine, body)


def _store(engine: Engine, body: FeedbackIn) -> FeedbackPublic:
    safety = engine.understand(body.text).safety
    with unit_of_work() as session:
        item = store_feedback(session=session, text=body.text, channel=body.channel, council=body.council)
        session.flush()
        message = None
        if safety.at_risk:
            record_alert(
                session=session,
                conversation_id=f"feedback:{item.id}",
                channel=body.channel,
                verdict=safety,
                text=body.text,
                council=body.council,
            )
            pack = get_pack(body.council)
            message = "\n".join(reply.text for reply in risk_replies(safety, body.channel, pack))
        return FeedbackPublic(id=row_id(item), themes=item.themes, crisis=safety.at_risk, message=message)


Sentiment = Literal["positive", "negative", "mixed"]


class FeedbackItem(BaseModel):
    """A piece of feedback as staff see it: redacted text, never who said it."""

    id: int
    text: str
    themes: list[str]
    sentiment: str | None
    channel: str
    created_at: str
    reviewed: bool = False  # a reviewer set its themes
    contact_ok: bool = False  # they agreed to be contacted about it (an admin can see how)


class FeedbackContact(BaseModel):
    """What only an admin sees, and only when the young person agreed to be contacted."""

    original_text: str | None
    young_person: str | None  # "Alex (DEMO-0001)" when it came from a number the directory knows
    mobile: str | None


class FeedbackDetail(FeedbackItem):
    """One piece of feedback; `contact` for admins when the young person agreed to be contacted."""

    contact: FeedbackContact | None = None


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, from the query string."""

    theme: Theme | None
    start: date | None
    end: date | None
    sentiment: Sentiment | None
    channel: Channel | None
    reviewed: bool | None = None
    council: str | None = None  # one council's (always theirs for staff of one council)

    def seen_by(self, staff: Staff) -> "Filters":
        """These filters as this member of staff may use them: staff of one council see only its feedback."""
        return self if staff.council is None else replace(self, council=staff.council)

    def dates(self) -> tuple[date, date]:
        """The period (after `period_of`, which sets both ends)."""
        if self.start is None or self.end is None:
            raise ValueError("the filters have no period: pass them through period_of first")
        return self.start, self.end

    def query(self) -> str:
        """The filters as a query string (for links that keep them, like the CSV export)."""
        from urllib.parse import urlencode

        values = {
            "from": self.start,
            "to": self.end,
            "theme": self.theme,
            "sentiment": self.sentiment,
            "channel": self.channel,
            "reviewed": self.reviewed,
            "council": self.council,
        }
        return urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in values.items() if v is not None})


def _blank_is_none(value: str | None) -> str | None:
    return value or None


def filters(
    theme: Annotated[Theme | None, BeforeValidator(_blank_is_none)] = None,
    start: Annotated[date | None, Query(alias="from"), BeforeValidator(_blank_is_none)] = None,
    end: Annotated[date | None, Query(alias="to"), BeforeValidator(_blank_is_none)] = None,
    sentiment: Annotated[Sentiment | None, BeforeValidator(_blank_is_none)] = None,
    channel: Annotated[Channel | None, BeforeValidator(_blank_is_none)] = None,
    reviewed: Annotated[bool | None, BeforeValidator(_blank_is_none)] = None,
    council: Annotated[str | None, Query(max_length=64), BeforeValidator(_blank_is_none)] = None,
) -> Filters:
    """Read (and validate) the filters; an unknown theme, council or a bad date is a 422 with the reason.

    An empty value (a form's "any" choice) is no filter."""
    if council is not None:
        try:
            council_named(council)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
    return Filters(theme, start, end, sentiment, channel, reviewed, council)


FiltersDep = Annotated[Filters, Depends(filters)]


def filtered(session: Session, f: Filters) -> list[Feedback]:
    """The feedback these filters show, newest first."""
    return find_feedback(
        session=session,
        theme=f.theme,
        start=f.start,
        end=f.end,
        sentiment=f.sentiment,
        channel=f.channel,
        reviewed=f.reviewed,
        council=f.council,
    )


def visible_feedback(session: Session, staff: Staff, item_id: int) -> Feedback:
    """One piece of feedback of the member of staff's council; 404 for none, or another council's."""
    item = session.get(Feedback, item_id)
    if item is None or not sees(staff, item.council):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such feedback")
    return item


def _items(session: Session, f: Filters) -> list[FeedbackItem]:
    found = filtered(session, f)
    return [_item(item) for item in found]


def _item(item: Feedback) -> FeedbackItem:
    return FeedbackItem(
        id=row_id(item),
        text=item.text,
        themes=item.themes,
        sentiment=item.sentiment,
        channel=item.channel,
        created_at=item.created_at.isoformat(timespec="seconds"),
        reviewed=item.reviewed,
        contact_ok=item.contact_ok,
    )


@router.get("", response_model=list[FeedbackItem])
def list_feedback(staff: ThemesReader, session: SessionDep, f: FiltersDep) -> list[FeedbackItem]:
    """Redacted feedback for the participation team and admins (of their council), newest first."""
    return _items(session, f.seen_by(staff))


@router.get("/export.csv")
def export_feedback(staff: ThemesReader, session: SessionDep, f: FiltersDep) -> Response:
    """What the filters show, as CSV (redacted text only)."""
    return csv_response(_items(session, f.seen_by(staff)))


# A cell starting with one of these is a formula to Excel or LibreOffice (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading quote."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def csv_response(items: list[FeedbackItem]) -> Response:
    """Feedback as a CSV download: redacted text, never who said it, no cell a spreadsheet would run."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "date", "channel", "themes", "sentiment", "reviewed", "text"])
    for item in items:
        row = [
            item.id,
            item.created_at,
            item.channel,
            ";".join(item.themes),
            item.sentiment or "",
            "yes" if item.reviewed else "no",
            item.text,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    headers = {"Content-Disposition": 'attachment; filename="feedback.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


class ThemesIn(BaseModel):
    """A reviewer's themes for a piece of feedback (any number, possibly none)."""

    themes: list[Theme]


@router.get("/{item_id}", response_model=FeedbackDetail)
def one_feedback(item_id: RowId, staff: ThemesReader, session: SessionDep) -> FeedbackDetail:
    """One piece of feedback, redacted; an admin also gets how to reach the young person when they agreed."""
    item = visible_feedback(session, staff, item_id)
    detail = FeedbackDetail(**_item(item).model_dump())
    if staff.role == "admin" and item.contact_ok:
        person = young_person_by_reference(session, item.young_person_reference)
        detail.contact = FeedbackContact(
            original_text=item.original_text,
            young_person=f"{person.first_name} ({person.reference})" if person else None,
            mobile=person.mobile if person else None,
        )
    return detail


@router.patch("/{item_id}", response_model=FeedbackItem)
def review_feedback(item_id: RowId, body: ThemesIn, staff: ThemesReader, session: WriteSessionDep) -> FeedbackItem:
    """Correct a piece of feedback's themes: stored, shown as reviewed, used by `caring-promise themes train`."""
    item = visible_feedback(session, staff, item_id)
    correct_themes(session=session, item=item, themes=list(body.themes), by=staff.email)
    session.commit()
    return _item(item)
