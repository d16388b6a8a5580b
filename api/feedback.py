"""Storing feedback: redacted before it touches the database; the original only with consent."""

from sqlmodel import Session

from api.models import Feedback
from api.redact import redact
from api.themes import get_classifier


def store_feedback(
    *, session: Session, text: str, channel: str, contact_ok: bool = False, conversation_id: str | None = None
) -> Feedback:
    """Save one piece of feedback with its themes and sentiment (the caller commits)."""
    verdict = get_classifier().classify(text)
    item = Feedback(
        text=redact(text),
        themes=verdict.themes,
        sentiment=verdict.sentiment,
        original_text=text if contact_ok else None,
        contact_ok=contact_ok,
        conversation_id=conversation_id if contact_ok else None,
        channel=channel,
    )
    session.add(item)
    return item
