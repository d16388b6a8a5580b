"""Requests a person takes up (bearer token): an advisor sees their own handoffs, an admin everything.

Another advisor's request answers 404, exactly as one that does not exist.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.contract import RequestKind
from api.deps import RowId, SessionDep, WriteSessionDep, require_role
from api.models import Staff, SupportRequest, Worker, YoungPerson
from api.privacy import mask_number
from api.services.office_hours import office_hours
from api.services.requests import (
    CannotReply,
    interpreter_needed,
    is_late,
    reply_number,
    send_reply,
    set_status,
    thread,
    visible_request,
    visible_requests,
)
from api.services.safeguarding import alert_summary, open_alerts_about
from api.services.staff import SAFEGUARDING_ROLES

router = APIRouter(prefix="/api", tags=["requests"])

# Advisors (their own handoffs) and admins (everything); the participation team sees no identities.
CaseStaff = Annotated[Staff, Depends(require_role("advisor", "admin"))]


class RequestOut(BaseModel):
    """A request as staff see it in a list."""

    id: int
    reference: str
    kind: str
    status: str
    channel: str
    created_at: datetime
    due_at: datetime | None
    waiting_minutes: int  # since it was made, while it is not closed
    young_person: str | None  # first name and council reference, when the directory knows them
    worker: str | None  # the worker it went to
    team: str | None  # the inbox it went to instead
    details: dict[str, Any]
    language: str | None = None  # the language they wrote in, when it could be told ("ti")
    interpreter: str | None = None  # "Tigrinya" when they need an interpreter ("language not yet known")
    contact: str | None  # what they chose to give
    reply_to: str | None  # the number an inbox reply goes to, masked
    last_from_them: datetime | None = None  # their latest message in the thread
    new_from_them: bool = False  # they wrote after staff last texted or updated it
    overdue: bool = False  # a handoff still open after the time the young person was given


class ThreadItem(BaseModel):
    """One message of the conversation, or one step of the request's history."""

    at: datetime
    who: str  # user | bot | staff | history
    text: str
    by: str | None = None
    status: str | None = None


class RequestDetail(RequestOut):
    """A request with the conversation so far and its history."""

    thread: list[ThreadItem]


class StatusChange(BaseModel):
    """What a member of staff did about a request."""

    status: str = Field(description="a status of the request's kind, e.g. contacted or closed for a handoff")
    note: str = Field(default="", max_length=2000)


class ReplyIn(BaseModel):
    """A text to the young person from the service number."""

    text: str = Field(min_length=1, max_length=1000)


class ReplyOut(BaseModel):
    """What happened to the text."""

    status: str  # queued | sent | failed | blocked (opted out) | unknown
    to: str  # masked


# In place of a message that raised a safeguarding alert, for anyone outside the duty team.
WITHHELD = "[This message went to the duty team as a safeguarding alert.]"


def out(session: Session, request: SupportRequest, viewer: Staff, detail: bool = False) -> dict[str, Any]:
    """The API (and staff page) view of a request, with any safeguarding alert about the young person
    (what they wrote only for the duty team: see api/services/safeguarding.py alert_summary)."""
    person = session.get(YoungPerson, request.young_person_id) if request.young_person_id else None
    worker = session.get(Worker, request.worker_id) if request.worker_id else None
    number = reply_number(session=session, request=request)
    hours = office_hours()
    waited = hours.now() - hours.local(request.created_at)
    waiting = 0 if request.status == "closed" else int(waited.total_seconds() // 60)
    view: dict[str, Any] = {
        "id": request.id,
        "reference": request.reference,
        "kind": request.kind,
        "status": request.status,
        "channel": request.channel,
        "created_at": request.created_at,
        "due_at": request.due_at,
        "waiting_minutes": max(waiting, 0),
        "young_person": f"{person.first_name} ({person.reference})" if person else None,
        "worker": worker.name if worker else None,
        "team": request.team,
        "details": {k: v for k, v in request.details.items() if k != "interpreter"},
        "language": request.language,
        "interpreter": interpreter_needed(request),
        "contact": request.contact,
        "reply_to": mask_number(number) if number else None,
        "overdue": request.kind == "handoff" and request.status == "open" and is_late(request),
    }
    items = thread(session=session, request=request)
    view.update(_latest(items))
    full = viewer.role in SAFEGUARDING_ROLES
    alerts = open_alerts_about(
        session,
        conversation_ids={request.conversation_id},
        references={person.reference} if person else set(),
    )
    view["safeguarding"] = [alert_summary(alert, full=full) for alert in alerts]
    if detail:
        withheld = set() if full else {alert.text for alert in alerts}
        view["thread"] = [
            {**item, "text": WITHHELD} if item["who"] == "user" and item["text"] in withheld else item for item in items
        ]
    return view


def _latest(items: list[dict[str, Any]]) -> dict[str, Any]:
    """When they last wrote, and whether that was after staff last acted (a text, a status or a note)."""
    local = office_hours().local  # the database may hand back naive UTC: compare like with like
    theirs = [local(item["at"]) for item in items if item["who"] == "user"]
    staff = [
        local(item["at"])
        for item in items
        if item["who"] == "staff" or (item["who"] == "history" and item.get("by") not in (None, "bot", "young person"))
    ]
    last = max(theirs, default=None)
    return {"last_from_them": last, "new_from_them": bool(last and staff and last > max(staff))}


def _found(session: Session, staff: Staff, request_id: RowId, kind: str | None) -> SupportRequest:
    request = visible_request(session=session, staff=staff, request_id=request_id)
    if request is None or (kind and request.kind != kind):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request")
    return request


def _change(session: Session, staff: Staff, request_id: RowId, body: StatusChange, kind: str | None) -> dict[str, Any]:
    request = _found(session, staff, request_id, kind)
    try:
        set_status(session=session, request=request, status=body.status, note=body.note, by=staff.email)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return out(session, request, staff, detail=True)


async def _reply(staff: Staff, request_id: RowId, body: ReplyIn) -> ReplyOut:
    try:
        record = await run_in_threadpool(send_reply, staff=staff, request_id=request_id, text=body.text)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request") from exc
    except CannotReply as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "there is no mobile number to text for this request") from exc
    return ReplyOut(status=record.status, to=record.to_masked)


@router.get("/handoffs", response_model=list[RequestOut])
def list_handoffs(staff: CaseStaff, session: SessionDep, status: str = "open") -> list[dict[str, Any]]:
    """Handoffs this member of staff may see, oldest first; `status`: open (default), all, or one status."""
    found = visible_requests(session=session, staff=staff, kind="handoff", status=None if status == "all" else status)
    return [out(session, r, staff) for r in found]


@router.get("/handoffs/{request_id}", response_model=RequestDetail)
def get_handoff(request_id: RowId, staff: CaseStaff, session: SessionDep) -> dict[str, Any]:
    """One handoff with the conversation so far (404 when it is not the caller's)."""
    return out(session, _found(session, staff, request_id, "handoff"), staff, detail=True)


@router.patch("/handoffs/{request_id}", response_model=RequestDetail)
def update_handoff(request_id: RowId, body: StatusChange, staff: CaseStaff, session: WriteSessionDep) -> dict[str, Any]:
    """Mark a handoff contacted or closed, with a note."""
    return _change(session, staff, request_id, body, "handoff")


@router.post("/handoffs/{request_id}/reply", response_model=ReplyOut)
async def reply_to_handoff(request_id: RowId, body: ReplyIn, staff: CaseStaff) -> ReplyOut:
    """Text the young person from the service number; their answer comes back into the thread."""
    return await _reply(staff, request_id, body)


@router.get("/requests", response_model=list[RequestOut])
def list_requests(
    staff: CaseStaff,
    session: SessionDep,
    kind: RequestKind | None = None,
    status: str = "open",
) -> list[dict[str, Any]]:
    """Every kind of request this member of staff may see (admin: advocacy referrals and complaints too)."""
    found = visible_requests(session=session, staff=staff, kind=kind, status=None if status == "all" else status)
    return [out(session, r, staff) for r in found]


@router.get("/requests/{request_id}", response_model=RequestDetail)
def get_request(request_id: RowId, staff: CaseStaff, session: SessionDep) -> dict[str, Any]:
    """One request with its conversation and history."""
    return out(session, _found(session, staff, request_id, None), staff, detail=True)


@router.patch("/requests/{request_id}", response_model=RequestDetail)
def update_request(request_id: RowId, body: StatusChange, staff: CaseStaff, session: WriteSessionDep) -> dict[str, Any]:
    """Move a request on: a handoff open/contacted/closed; a referral sent/accepted/closed; a complaint by stage."""
    return _change(session, staff, request_id, body, None)
