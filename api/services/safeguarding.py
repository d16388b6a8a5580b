"""Safeguarding alerts: every crisis message is recorded for the duty team to act on, and the duty team's
inbox (CARING_SAFEGUARDING_INBOX) is emailed through the outbox: when and how, never what was written."""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from api.config import get_settings
from api.models import Conversation, SafeguardingAlert, Staff, Turn, YoungPerson, default_council, utcnow
from api.risk import Assessment, get_assessor
from api.risk.kinds import HARM_BY_OTHERS, KIND_TITLES, LEVEL_TITLES
from api.services.directory import young_person_by_reference
from api.services.notify import notify
from api.services.staff import of_their_council, sees

log = logging.getLogger(__name__)


def _council_of(session: Session, conversation_id: str) -> str:
    """The council of the conversation an alert comes from (the default for feedback and unknown ones)."""
    conversation = session.get(Conversation, conversation_id)
    return conversation.council if conversation else default_council()


def record_alert(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    verdict: Assessment,
    text: str,
    young_person_reference: str | None = None,
    council: str | None = None,
) -> SafeguardingAlert:
    """Store an alert for a verdict of risk and queue the duty team's email (the caller commits).

    The log line and the email carry no message text: it is in the alert, for admins only.
    """
    kind = verdict.kind
    alert = SafeguardingAlert(
        conversation_id=conversation_id,
        channel=channel,
        kind=kind,
        level=verdict.level,
        language=verdict.language,
        matched=verdict.matched[:200],
        text=text,
        young_person_reference=young_person_reference,
        council=council or _council_of(session, conversation_id),
    )
    session.add(alert)
    log.warning(
        "safeguarding alert recorded",
        extra={"kind": kind, "level": verdict.level, "language": verdict.language, "channel": channel},
    )
    settings = get_settings()
    inbox = settings.inbox("safeguarding_inbox", alert.council)
    if inbox:
        session.flush()  # the alert's id goes in the email
        assessor = get_assessor()
        context = {
            "alert": alert,
            "young_person": young_person_of(session, alert),
            "public_url": settings.public_url or "",
            "kind_name": KIND_TITLES.get(alert.kind, alert.kind),
            "level_name": LEVEL_TITLES.get(alert.level, alert.level),
            "language_name": assessor.language_name(alert.language),
        }
        notify(session, "safeguarding_email", context, to=inbox)
    return alert


STATUSES = ("new", "acknowledged", "closed")
# A concern after another alert in this long is "more of the same": it rises to crisis.
CONTEXT_WINDOW = timedelta(hours=24)
THREAD_TURNS = 16  # the messages shown with an alert: those before it and the few minutes after
THREAD_AFTER = timedelta(minutes=10)


def young_person_of(session: Session, alert: SafeguardingAlert) -> YoungPerson | None:
    """The directory entry of whoever sent it, when it came from a known number."""
    return young_person_by_reference(session, alert.young_person_reference)


def latest_alert(session: Session, conversation_id: str, since: datetime) -> SafeguardingAlert | None:
    """The conversation's most recent alert since then, if any."""
    query = (
        select(SafeguardingAlert)
        .where(SafeguardingAlert.conversation_id == conversation_id, SafeguardingAlert.created_at >= since)
        .order_by(col(SafeguardingAlert.created_at).desc(), col(SafeguardingAlert.id).desc())
    )
    return session.exec(query).first()


def open_alerts_about(session: Session, *, conversation_ids: set[str], references: set[str]) -> list[SafeguardingAlert]:
    """Alerts not yet closed from these conversations or about these young people, the newest first."""
    about: ColumnElement[bool] = col(SafeguardingAlert.conversation_id).in_(conversation_ids)
    if references:
        about = or_(about, col(SafeguardingAlert.young_person_reference).in_(references))
    query = select(SafeguardingAlert).where(about, SafeguardingAlert.status != "closed")
    return list(session.exec(query.order_by(col(SafeguardingAlert.created_at).desc())))


def open_alerts_for_worker(session: Session, worker_id: int | None) -> list[SafeguardingAlert]:
    """Alerts not yet closed about the young people this worker supports (by the directory)."""
    if worker_id is None:
        return []
    references = set(session.exec(select(YoungPerson.reference).where(YoungPerson.worker_id == worker_id)))
    return open_alerts_about(session, conversation_ids=set(), references=references) if references else []


def alert_summary(alert: SafeguardingAlert, *, full: bool) -> dict[str, Any]:
    """What a request's page says of an alert. Never the words outside the duty team; and, when the
    harm may be by someone close to the young person (a carer, staff, a partner), not even the kind,
    because the person reading may be the one it is about."""
    show_kind = full or alert.kind not in HARM_BY_OTHERS
    return {
        "id": alert.id,
        "created_at": alert.created_at,
        "level": alert.level,
        "status": alert.status,
        "kind": alert.kind if show_kind else None,
        "language": alert.language,
    }


def alerts_with(session: Session, statuses: tuple[str, ...], staff: Staff) -> list[SafeguardingAlert]:
    """Alerts of the member of staff's council with these statuses, the longest waiting first."""
    query = select(SafeguardingAlert).where(
        col(SafeguardingAlert.status).in_(statuses), of_their_council(staff, SafeguardingAlert.council)
    )
    return list(session.exec(query.order_by(col(SafeguardingAlert.created_at), col(SafeguardingAlert.id))))


def visible_alert(session: Session, staff: Staff, alert_id: int) -> SafeguardingAlert | None:
    """One alert, or None when there is none or it is another council's (both 404)."""
    alert = session.get(SafeguardingAlert, alert_id)
    return alert if alert is not None and sees(staff, alert.council) else None


def set_alert_status(*, session: Session, alert: SafeguardingAlert, status: str, by: str) -> None:
    """The duty team moves an alert on: who and when are kept with it (the caller commits)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    alert.status, alert.handled_by, alert.handled_at = status, by, utcnow()
    session.add(alert)
    log.info("safeguarding alert %s", status, extra={"alert": alert.id})


def conversation_around(session: Session, alert: SafeguardingAlert) -> list[dict[str, Any]]:
    """Its conversation up to ten minutes after the alert (the last THREAD_TURNS messages), oldest first;
    empty once the conversation was forgotten or purged: the alert itself keeps what was written."""
    query = (
        select(Turn)
        .where(Turn.conversation_id == alert.conversation_id, Turn.created_at <= alert.created_at + THREAD_AFTER)
        .order_by(col(Turn.created_at).desc(), col(Turn.id).desc())
        .limit(THREAD_TURNS)
    )
    return [
        {"who": turn.role, "at": turn.created_at, "text": turn.text} for turn in reversed(session.exec(query).all())
    ]
