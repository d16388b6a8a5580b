"""Safeguarding alerts: every crisis message is recorded for the duty team to act on, and the duty team's
inbox (CARING_SAFEGUARDING_INBOX) is emailed through the outbox: when and how, never what was written."""

import logging

from sqlmodel import Session, select

from api.config import get_settings
from api.engine.safety import Assessment
from api.models import SafeguardingAlert, YoungPerson
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
        conversation_id=conversation_id, channel=channel, kind=kind, matched=verdict.matched[:200], text=text
    )
    session.add(alert)
    log.warning("safeguarding alert recorded", extra={"kind": kind, "channel": channel})
    settings = get_settings()
    if settings.safeguarding_inbox:
        session.flush()  # the alert's id goes in the email
        person = (
            session.exec(select(YoungPerson).where(YoungPerson.reference == young_person_reference)).first()
            if young_person_reference
            else None
        )
        context = {"alert": alert, "young_person": person, "public_url": settings.public_url or ""}
        queue_notification(
            session=session,
            request=None,
            channel="email",
            to=settings.safeguarding_inbox,
            **render_notification("safeguarding_email", context),
        )
    return alert
