"""Safeguarding alerts: every crisis message is recorded for the duty team to act on."""

import logging

from sqlmodel import Session

from api.engine.safety import Assessment
from api.models import SafeguardingAlert

log = logging.getLogger(__name__)


def record_alert(
    *, session: Session, conversation_id: str, channel: str, verdict: Assessment, text: str
) -> SafeguardingAlert:
    """Store an alert for a crisis verdict (the caller commits); the log line carries no message text."""
    kind = verdict.kind
    alert = SafeguardingAlert(
        conversation_id=conversation_id, channel=channel, kind=kind, matched=verdict.matched[:200], text=text
    )
    session.add(alert)
    log.warning("safeguarding alert recorded", extra={"kind": kind, "channel": channel})
    return alert
