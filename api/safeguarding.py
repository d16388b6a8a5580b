"""Safeguarding alerts: every crisis message is recorded for the duty team to act on, and the duty team's
inbox (CARING_SAFEGUARDING_INBOX) is emailed through the outbox: when and how, never what was written."""

import logging
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from api.config import get_settings
from api.directory import young_person_by_reference
from api.engine.safety import Assessment
from api.models import SafeguardingAlert, Turn, YoungPerson, utcnow
from api.notify import queue_notification, render_notification

log = logging.getLogger(__name__)


def record_alert(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    verdict: Assessment,
    text: str,
    young_person_reference: str | None = None,
) -> SafeguardingAlert:
    """Store an alert for a crisis verdict and queue the duty team's email (the caller commits).

    The log line and the email carry no message text: it is in the alert, for admins only.
    """
    kind = verdict.kind
    alert = SafeguardingAlert(
        conversation_id=conversation_id,
        channel=channel,
        kind=kind,
        matched=verdict.matched[:200],
        text=text,
        young_person_reference=young_person_reference,
    )
    session.add(alert)
    log.warning("safeguarding alert recorded", extra={"kind": kind, "channel": channel})
    settings = get_settings()
    if settings.safeguarding_inbox:
        session.flush()  # the alert's id goes in the email
        context = {
            "alert": alert,
            "young_person": young_person_of(session, alert),
            "public_url": settings.public_url or "",
        }
        queue_notification(
            session=session,
            request=None,
            channel="email",
            to=settings.safeguarding_inbox,
            **render_notification("safeguarding_email", context),
        )
    return alert


STATUSES = ("new", "acknowledged", "closed")
THREAD_TURNS = 16  # the messages shown with an alert: those before it and the few minutes after
THREAD_AFTER = timedelta(minutes=10)


def young_person_of(session: Session, alert: SafeguardingAlert) -> YoungPerson | None:
    """The directory entry of whoever sent it, when it came from a known number."""
    return young_person_by_reference(session, alert.young_person_reference)


def alerts_with(session: Session, statuses: tuple[str, ...]) -> list[SafeguardingAlert]:
    """Alerts with these statuses, the longest waiting first."""
    query = select(SafeguardingAlert).where(col(SafeguardingAlert.status).in_(statuses))
    return list(session.exec(query.order_by(SafeguardingAlert.created_at, SafeguardingAlert.id)))


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
