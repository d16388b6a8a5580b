"""Storing feedback: redacted before it touches the database; the original only with consent."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from api.models import Feedback
from api.redact import redact
from api.themes import THEMES, get_classifier


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


def find_feedback(
    *,
    session: Session,
    theme: str | None = None,
    start: date | None = None,
    end: date | None = None,
    sentiment: str | None = None,
    channel: str | None = None,
) -> list[Feedback]:
    """Feedback matching the filters, newest first (dates inclusive)."""
    query = select(Feedback).order_by(Feedback.created_at.desc())
    if start:
        query = query.where(Feedback.created_at >= datetime.combine(start, time.min, tzinfo=UTC))
    if end:
        query = query.where(Feedback.created_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))
    if sentiment:
        query = query.where(Feedback.sentiment == sentiment)
    if channel:
        query = query.where(Feedback.channel == channel)
    items = list(session.exec(query))
    # Themes are a JSON list: filtered here so the same code serves SQLite and PostgreSQL.
    return [item for item in items if theme in item.themes] if theme else items


def summarise(items: list[Feedback]) -> dict:
    """Counts per theme by week (weeks start on Monday), by channel and by sentiment."""
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    by_sentiment: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for item in items:
        week = (item.created_at.date() - timedelta(days=item.created_at.weekday())).isoformat()
        for theme in item.themes or ["none"]:
            weekly[week][theme] += 1
            by_channel[theme][item.channel] += 1
            by_sentiment[theme][item.sentiment or "unknown"] += 1
            totals[theme] += 1
    names = [*THEMES, "none"]
    return {
        "items": len(items),
        "totals": {t: totals[t] for t in names},
        "weekly": [{"week": w, **{t: weekly[w][t] for t in names}} for w in sorted(weekly)],
        "by_channel": {t: dict(by_channel[t]) for t in names},
        "by_sentiment": {t: dict(by_sentiment[t]) for t in names},
    }
