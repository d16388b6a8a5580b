"""Safeguarding alerts: every crisis message is recorded for the duty team to act on."""

import logging

from sqlmodel import Session

from api.models import SafeguardingAlert

log = logging.getLogger(__name__)


def record_alert(
    *, session: Session, conversation_id: str, channel: str, kind: str, matched: str, text: str
) -> SafeguardingAlert:
    """Store an alert (the caller commits); the log line carries no message text."""
    alert = SafeguardingAlert(
        conversation_id=conversation_id, channel=channel, kind=kind, matched=matched[:200], text=text
    )
    session.add(alert)
    log.warning("safeguarding alert recorded", extra={"kind": kind, "channel": channel})
    return alert
