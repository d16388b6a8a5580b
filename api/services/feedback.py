"""Storing feedback: redacted before it touches the database; the original only with consent."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from api.contract import THEMES
from api.models import Feedback, YouSaidWeDid, default_council
from api.nlp.language import get_languages
from api.privacy import redact
from api.services.themes import get_classifier


def store_feedback(
    *,
    session: Session,
    text: str,
    channel: str,
    contact_ok: bool = False,
    conversation_id: str | None = None,
    young_person_reference: str | None = None,
    council: str | None = None,
) -> Feedback:
    """Save one piece of feedback with its themes and sentiment (the caller commits).

    Only when the young person agreed to be contacted are the original words, the conversation and
    (for a number the directory knows) who they are kept, for admins to get back to them."""
    verdict = get_classifier().classify(text)
    item = Feedback(
        text=redact(text),
        themes=verdict.themes,
        sentiment=verdict.sentiment,
        original_text=text if contact_ok else None,
        contact_ok=contact_ok,
        conversation_id=conversation_id if contact_ok else None,
        young_person_reference=young_person_reference if contact_ok else None,
        channel=channel,
        language=get_languages().detect(text).code,
        council=council or default_council(),
    )
    session.add(item)
    return item


def monday(day: date) -> date:
    """The Monday that begins the week a day is in (weeks are counted from Monday)."""
    return day - timedelta(days=day.weekday())


def midnight(day: date) -> datetime:
    """The start of a day (UTC): periods are from the midnight of their first day to that after their last."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def find_feedback(
    *,
    session: Session,
    theme: str | None = None,
    start: date | None = None,
    end: date | None = None,
    sentiment: str | None = None,
    channel: str | None = None,
    reviewed: bool | None = None,
    council: str | None = None,
) -> list[Feedback]:
    """Feedback matching the filters, newest first (dates inclusive; a council's, or every council's)."""
    query = select(Feedback).order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    if council:
        query = query.where(Feedback.council == council)
    if reviewed is not None:
        query = query.where(Feedback.reviewed == reviewed)
    if start:
        query = query.where(Feedback.created_at >= midnight(start))
    if end:
        query = query.where(Feedback.created_at < midnight(end + timedelta(days=1)))
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
        week = monday(item.created_at.date()).isoformat()
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


def correct_themes(*, session: Session, item: Feedback, themes: list[str], by: str) -> Feedback:
    """A reviewer's themes for a piece of feedback; what the classifier said is kept beside them."""
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        raise ValueError(f"unknown theme(s): {', '.join(unknown)}")
    if not item.reviewed:
        item.model_themes = list(item.themes)
    item.themes = [t for t in THEMES if t in themes]
    item.reviewed, item.reviewed_by, item.reviewed_at = True, by, datetime.now(UTC)
    session.add(item)
    return item


def corrections_by_theme(items: list[Feedback]) -> dict[str, tuple[int, int]]:
    """Per theme, how often reviewers added it to, and took it off, what the classifier said (reviewed items)."""
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for item in items:
        if item.reviewed and item.model_themes is not None:
            added.update(set(item.themes) - set(item.model_themes))
            removed.update(set(item.model_themes) - set(item.themes))
    return {theme: (added[theme], removed[theme]) for theme in THEMES}


# Words that say nothing about a theme, on top of scikit-learn's English stop words.
_QUIET = {
    "just",
    "really",
    "like",
    "dont",
    "don",
    "im",
    "ive",
    "get",
    "got",
    "want",
    "need",
    "feel",
    "think",
    "young",
    "people",
    "person",
    "things",
    "thing",
    "lot",
    "bit",
    "phone",
    "email",
    "url",
    "postcode",
    "address",
    "name",
}


def recurring_phrases(items: list[Feedback], top: int = 6) -> dict[str, list[tuple[str, int]]]:
    """Per theme, the words and two-word phrases that recur in its feedback (in two items or more)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | _QUIET)
    found: dict[str, list[tuple[str, int]]] = {}
    for theme in THEMES:
        texts = [item.text for item in items if theme in item.themes]
        if len(texts) < 2:
            found[theme] = []
            continue
        vectorizer = CountVectorizer(
            ngram_range=(1, 2), stop_words=stop, binary=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b"
        )
        counts = vectorizer.fit_transform(texts).sum(axis=0).A1
        ranked = sorted(zip(vectorizer.get_feature_names_out(), counts, strict=True), key=lambda p: (-p[1], p[0]))
        phrases = [(str(p), int(n)) for p, n in ranked if n >= 2]
        # A phrase hides the single words inside it when they recur no more often than it does.
        kept = [(p, n) for p, n in phrases if not any(p != q and p in q.split() and n <= m for q, m in phrases)]
        found[theme] = kept[:top]
    return found


def change_since(*, session: Session, start: date, end: date, council: str | None = None) -> dict[str, tuple[int, int]]:
    """Per theme, (this period's count, the count of the period of the same length just before)."""
    length = (end - start).days + 1
    before_start, before_end = start - timedelta(days=length), start - timedelta(days=1)
    before = summarise(find_feedback(session=session, start=before_start, end=before_end, council=council))
    now = summarise(find_feedback(session=session, start=start, end=end, council=council))
    return {t: (now["totals"][t], before["totals"][t]) for t in [*THEMES, "none"]}


def you_said_we_did(*, session: Session, council: str) -> list[YouSaidWeDid]:
    """The entries a council's participation team wrote, in the strategy's order of themes."""
    entries = {e.theme: e for e in session.exec(select(YouSaidWeDid).where(YouSaidWeDid.council == council))}
    return [entries[t] for t in THEMES if t in entries]


def save_you_said_we_did(
    *, session: Session, council: str, theme: str, you_said: str, we_did: str, by: str
) -> YouSaidWeDid | None:
    """Write (or, with both texts empty, remove) a theme's entry for a council."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme: {theme}")
    entry = session.get(YouSaidWeDid, (council, theme))
    if not you_said.strip() and not we_did.strip():
        if entry is not None:
            session.delete(entry)
        return None
    if not you_said.strip() or not we_did.strip():
        raise ValueError("write both what young people said and what was done")
    entry = entry or YouSaidWeDid(council=council, theme=theme, you_said="", we_did="")
    entry.you_said, entry.we_did = you_said.strip(), we_did.strip()
    entry.updated_by, entry.updated_at = by, datetime.now(UTC)
    session.add(entry)
    return entry
