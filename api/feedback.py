"""Storing feedback: redacted before it touches the database; the original only with consent."""

from sqlmodel import Session

from api.models import Feedback
from api.redact import redact


def store_feedback(
    *, session: Session, text: str, channel: str, contact_ok: bool = False, conversation_id: str | None = None
) -> Feedback:
    """Save one piece of feedback (the caller commits)."""
    item = Feedback(
        text=redact(text),
        original_text=text if contact_ok else None,
        contact_ok=contact_ok,
        conversation_id=conversation_id if contact_ok else None,
        channel=channel,
    )
    session.add(item)
    return item
