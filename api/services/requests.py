"""Requests a young person starts and a person takes up: handoffs, advocacy referrals, complaints.

Each is stored with a status and a history, routed to a named person or inbox, and notified through
the outbox (api/services/notify.py) in the same transaction. Staff see only what their role allows: an
advisor their own handoffs, an admin everything.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select, update
from sqlmodel.sql.expression import SelectOfScalar

from api.config import get_settings
from api.db import unit_of_work
from api.models import (
    Conversation,
    OutboundSms,
    RequestEvent,
    Staff,
    SupportRequest,
    Turn,
    Worker,
    YoungPerson,
    default_council,
    row_id,
    utcnow,
)
from api.nlp.language import NOT_SAID, get_languages
from api.privacy import conversation_id_for, normalise_number
from api.services.conversations import lock_conversation
from api.services.notify import notify
from api.services.office_hours import office_hours
from api.services.staff import of_their_council
from api.texting.sender import SmsSender

log = logging.getLogger(__name__)

# Every status a request can have, in the order it normally moves; the first is where it starts.
STATUSES: dict[str, tuple[str, ...]] = {
    "handoff": ("open", "contacted", "closed"),
    "advocacy": ("sent", "accepted", "closed"),
    "complaint": ("stage1", "stage1_answered", "stage2", "stage3", "closed"),
}
CLOSED = "closed"
STAGE1_WORKING_DAYS = 10  # FACTS.md 1: a Stage 1 answer within 10 working days
STAGE1_LATEST_WORKING_DAYS = 20  # FACTS.md 1: complex cases up to 20 working days
_PHONE = re.compile(r"^\+447\d{9}$")


@dataclass(frozen=True)
class Routed:
    """Where a new request went, for the young person's answer."""

    request: SupportRequest
    worker_first_name: str | None  # their own advisor, when it went to them or they are away
    advisor_away: bool
    office_open: bool
    due: str  # when someone will contact them, in words: "11am tomorrow"
    worker_contact: str | None = None  # the work contact the council publishes for their advisor


def _event(session: Session, request: SupportRequest, note: str, *, by: str = "bot", status: str | None = None) -> None:
    session.add(RequestEvent(request_id=row_id(request), status=status, note=note, by=by))


def _create(
    session: Session,
    *,
    kind: str,
    conversation_id: str,
    channel: str,
    young_person: YoungPerson | None,
    details: dict[str, Any],
    contact: str | None,
    worker: Worker | None = None,
    team: str | None = None,
    due_at: datetime | None = None,
    language: str | None = None,
) -> SupportRequest:
    conversation = session.get(Conversation, conversation_id)
    request = SupportRequest(
        kind=kind,
        status=STATUSES[kind][0],
        conversation_id=conversation_id,
        channel=channel,
        young_person_id=young_person.id if young_person else None,
        worker_id=worker.id if worker else None,
        team=team,
        details={k: v for k, v in details.items() if v},
        contact=contact,
        due_at=due_at,
        language=language or (conversation.language if conversation else None),
        council=conversation.council if conversation else default_council(),
    )
    session.add(request)
    session.flush()  # the id is the reference the young person is given
    _event(session, request, "started by the young person", by="young person", status=request.status)
    return request


def interpreter_needed(request: SupportRequest) -> str | None:
    """The language an interpreter must speak for this request ('Tigrinya'), when one was asked for."""
    code = request.details.get("interpreter")
    if not code:
        return None
    return "language not yet known: ask them" if code == NOT_SAID else get_languages().name(str(code))


def start_handoff(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    young_person: YoungPerson | None,
    topic: str | None,
    urgency: str | None,
    contact: str | None,
    interpreter: str | None = None,
) -> Routed:
    """A known young person to their own advisor (the team inbox while the advisor is away); anyone else
    to the leaving care team as a callback request. `interpreter`: the language code an interpreter must
    speak, or "not said" (asked for before we could tell)."""
    settings, hours = get_settings(), office_hours()
    moment = hours.now()
    worker = session.get(Worker, young_person.worker_id) if young_person and young_person.worker_id else None
    away = bool(worker and worker.away)
    within = settings.handoff_hours_urgent if urgency == "today" else settings.handoff_hours
    due_at = hours.add_working_hours(moment, within)
    request = _create(
        session,
        kind="handoff",
        conversation_id=conversation_id,
        channel=channel,
        young_person=young_person,
        details={
            "topic": topic,
            "urgency": urgency,
            "advisor_away": worker.first_name if worker and away else None,
            "interpreter": interpreter,
        },
        contact=contact,
        worker=None if away else worker,
        team=(worker.team if worker else "leaving_care") if (away or worker is None) else None,
        due_at=due_at,
        language=interpreter if interpreter and interpreter != NOT_SAID else None,
    )
    due = hours.describe(due_at, moment)
    context = {
        "request": request,
        "young_person": young_person,
        "worker": worker,
        "due": due,
        "public_url": settings.public_url or "",
        "interpreter": interpreter_needed(request),
    }
    if worker is not None and not away:
        if worker.mobile:
            notify(session, "handoff_advisor_sms", context, to=worker.mobile, channel="sms", request=request)
        notify(session, "handoff_advisor_email", context, to=worker.email, request=request)
    elif team_inbox := settings.inbox("leaving_care_inbox", request.council):
        notify(session, "handoff_team_email", context, to=team_inbox, request=request)
    else:
        _event(session, request, "no team inbox is set (CARING_LEAVING_CARE_INBOX): waiting in the staff pages")
    return Routed(
        request,
        worker.first_name if worker else None,
        away,
        hours.is_open(moment),
        due,
        worker.public_contact if worker and not away else None,
    )


def start_advocacy(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    young_person: YoungPerson | None,
    about: str | None,
    meeting: str | None,
    contact: str | None,
) -> SupportRequest:
    """An advocacy referral, made with the young person's consent, sent to the advocacy provider."""
    settings = get_settings()
    request = _create(
        session,
        kind="advocacy",
        conversation_id=conversation_id,
        channel=channel,
        young_person=young_person,
        details={"about": about, "meeting": meeting},
        contact=contact,
        team="advocacy",
    )
    inbox = settings.inbox("advocacy_inbox", request.council)
    _send_to_inbox(session, request, inbox, "advocacy_email", young_person, "CARING_ADVOCACY_INBOX")
    return request


def start_complaint(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    young_person: YoungPerson | None,
    what_happened: str | None,
    wanted: str | None,
    contact: str | None,
) -> SupportRequest:
    """A Stage 1 complaint, sent to the complaints team; the answer is due in 10 working days."""
    settings, hours = get_settings(), office_hours()
    request = _create(
        session,
        kind="complaint",
        conversation_id=conversation_id,
        channel=channel,
        young_person=young_person,
        details={"what_happened": what_happened, "wanted": wanted},
        contact=contact,
        team="complaints",
        due_at=hours.add_working_days(hours.now(), STAGE1_WORKING_DAYS),
    )
    inbox = settings.inbox("complaints_inbox", request.council)
    _send_to_inbox(session, request, inbox, "complaint_email", young_person, "CARING_COMPLAINTS_INBOX")
    return request


def is_late(request: SupportRequest) -> bool:
    """Past the time the young person was given (whatever its status: the caller says which count)."""
    hours = office_hours()
    return request.due_at is not None and hours.local(request.due_at) < hours.now()


def escalate_overdue(limit: int = 20) -> int:
    """Tell the leaving care team about handoffs still open after the time the young person was given.

    Each is escalated once, by whichever server process gets there first (a conditional update), with
    a line in its history. Returns how many were escalated.
    """
    settings, hours = get_settings(), office_hours()
    moment = hours.now()
    escalated = 0
    with unit_of_work() as session:
        overdue = session.exec(
            select(SupportRequest.id)
            .where(
                SupportRequest.kind == "handoff",
                SupportRequest.status == "open",
                col(SupportRequest.escalated_at).is_(None),
                col(SupportRequest.due_at) < moment,
            )
            .order_by(col(SupportRequest.due_at))
            .limit(limit)
        ).all()
        for request_id in overdue:
            claimed = session.exec(
                update(SupportRequest)
                .where(col(SupportRequest.id) == request_id, col(SupportRequest.escalated_at).is_(None))
                .values(escalated_at=moment)
            ).rowcount
            if claimed != 1:
                continue  # another process took it
            request = session.get_one(SupportRequest, request_id)
            person = session.get(YoungPerson, request.young_person_id) if request.young_person_id else None
            worker = session.get(Worker, request.worker_id) if request.worker_id else None
            team_inbox = settings.inbox("leaving_care_inbox", request.council)
            if team_inbox:
                context = {
                    "request": request,
                    "young_person": person,
                    "worker": worker,
                    "due": hours.describe(request.due_at or moment, moment),
                    "public_url": settings.public_url or "",
                    "interpreter": interpreter_needed(request),
                }
                notify(session, "handoff_overdue_email", context, to=team_inbox, request=request)
                _event(session, request, "overdue: not marked contacted in time; the leaving care team was told")
            else:
                _event(session, request, "overdue: not marked contacted in time (no team inbox is set to tell)")
            log.warning("handoff overdue", extra={"request": request.reference})
            escalated += 1
    return escalated


def _send_to_inbox(
    session: Session,
    request: SupportRequest,
    inbox: str | None,
    template: str,
    young_person: YoungPerson | None,
    setting: str,
) -> None:
    if not inbox:
        _event(session, request, f"no inbox is set ({setting}): waiting in the staff pages")
        return
    context = {
        "request": request,
        "young_person": young_person,
        "due": office_hours().describe_day(request.due_at) if request.due_at else None,
        "public_url": get_settings().public_url or "",
    }
    notify(session, template, context, to=inbox, request=request)


# -- the young person's view --------------------------------------------------------------------


def requests_of(
    *, session: Session, conversation_id: str, young_person_id: int | None, kind: str | None
) -> list[SupportRequest]:
    """This young person's requests of a kind (None: any), newest first: by directory entry when known,
    else this chat."""
    who: ColumnElement[bool] = col(SupportRequest.conversation_id) == conversation_id
    if young_person_id is not None:
        who = or_(who, col(SupportRequest.young_person_id) == young_person_id)
    query = select(SupportRequest).where(who)
    if kind is not None:
        query = query.where(SupportRequest.kind == kind)
    return list(session.exec(query.order_by(col(SupportRequest.created_at).desc(), col(SupportRequest.id).desc())))


# -- the staff view -----------------------------------------------------------------------------


def visible_query(staff: Staff, kind: str | None = None) -> SelectOfScalar[SupportRequest]:
    """The requests this member of staff may see: an advisor their own open handoffs' kind, an admin all."""
    query = select(SupportRequest).where(of_their_council(staff, SupportRequest.council))
    if kind:
        query = query.where(SupportRequest.kind == kind)
    if staff.role == "admin":
        return query
    if staff.role == "advisor" and staff.worker_id is not None:
        return query.where(SupportRequest.kind == "handoff", SupportRequest.worker_id == staff.worker_id)
    return query.where(col(SupportRequest.id).is_(None))  # nothing


def visible_requests(
    *, session: Session, staff: Staff, kind: str | None = None, status: str | None = None
) -> list[SupportRequest]:
    """What this member of staff may see, oldest first (the longest waiting at the top)."""
    query = visible_query(staff, kind)
    if status == "open":
        query = query.where(SupportRequest.status != CLOSED)
    elif status:
        query = query.where(SupportRequest.status == status)
    return list(session.exec(query.order_by(col(SupportRequest.created_at), col(SupportRequest.id))))


def visible_request(*, session: Session, staff: Staff, request_id: int) -> SupportRequest | None:
    """One request, or None when it does not exist or is not this member of staff's to see (both 404)."""
    return session.exec(visible_query(staff).where(SupportRequest.id == request_id)).first()


def set_status(*, session: Session, request: SupportRequest, status: str, note: str, by: str) -> None:
    """Move a request to a status of its kind, with a note in its history."""
    if status not in STATUSES[request.kind]:
        raise ValueError(f"a {request.kind} can be {', '.join(STATUSES[request.kind])}, not {status!r}")
    changed = status != request.status
    request.status = status
    request.updated_at = utcnow()
    session.add(request)
    _event(
        session,
        request,
        note.strip() or (f"marked {status}" if changed else "note"),
        by=by,
        status=status if changed else None,
    )


def add_note(*, session: Session, request: SupportRequest, note: str, by: str) -> None:
    """A line in the request's history."""
    request.updated_at = utcnow()
    session.add(request)
    _event(session, request, note, by=by)


def reply_number(*, session: Session, request: SupportRequest) -> str | None:
    """The number an advisor's text goes to: the directory mobile, or a phone number the young person gave."""
    if request.young_person_id is not None:
        person = session.get(YoungPerson, request.young_person_id)
        if person and person.mobile:
            return person.mobile
    if request.contact and _PHONE.match(normalise_number(request.contact)):
        return normalise_number(request.contact)
    return None


def thread(*, session: Session, request: SupportRequest) -> list[dict[str, Any]]:
    """The conversation so far and the request's history, in time order: what the inbox shows."""
    conversations = {request.conversation_id}
    number = reply_number(session=session, request=request)
    if number:
        conversations.add(conversation_id_for(number))  # their texts back to us, from any channel they started on
    items: list[dict[str, Any]] = [
        {"at": turn.created_at, "who": turn.role, "text": turn.text}
        for turn in session.exec(
            select(Turn)
            .where(col(Turn.conversation_id).in_(conversations))
            .order_by(col(Turn.created_at), col(Turn.id))
        )
    ]
    items += [
        {"at": event.created_at, "who": "history", "text": event.note, "by": event.by, "status": event.status}
        for event in session.exec(
            select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(col(RequestEvent.id))
        )
    ]
    return sorted(items, key=lambda item: office_hours().local(item["at"]))


def history(*, session: Session, request: SupportRequest) -> list[RequestEvent]:
    """The request's history, oldest first."""
    query = select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(col(RequestEvent.id))
    return list(session.exec(query))


class CannotReply(Exception):
    """There is no number to text: the young person gave an email, or nothing."""


def send_reply(*, staff: Staff, request_id: int, text: str, sender: SmsSender | None = None) -> OutboundSms:
    """Text the young person from the service number; the reply joins the thread and the history.

    LookupError when the request is not this member of staff's; CannotReply when there is no number.
    """
    with unit_of_work() as session:
        request = visible_request(session=session, staff=staff, request_id=request_id)
        if request is None:
            raise LookupError(request_id)
        number = reply_number(session=session, request=request)
    if number is None:
        raise CannotReply
    record = (sender or SmsSender()).send(to=number, body=text, purpose="advisor_reply")
    with unit_of_work() as session:
        if record.status not in {"failed", "blocked"}:
            conversation = lock_conversation(session, conversation_id_for(number), "sms")
            session.add(Turn(conversation_id=conversation.id, role="staff", text=text))
        request = session.get_one(SupportRequest, request_id)
        add_note(session=session, request=request, note=f"text to the young person: {record.status}", by=staff.email)
    return record
