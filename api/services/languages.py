"""Who writes in which language: counts for the participation team (never who), so that young people
who write in another language, and those who need an interpreter, are seen and heard."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.models import Conversation, Feedback, SupportRequest, Turn
from api.nlp.language import ENGLISH, get_languages
from api.services.feedback import midnight


@dataclass(frozen=True)
class LanguageCount:
    """One language's figures for a period."""

    code: str
    name: str
    conversations: int  # conversations with a young person's message in it
    feedback: int
    requests: int
    interpreters: int  # requests that asked for an interpreter in it


def language_counts(*, session: Session, start: date, end: date, council: str | None = None) -> list[LanguageCount]:
    """Every language told in the period (one council's, or every council's), English first, then the most-used."""
    since, until = midnight(start), midnight(end + timedelta(days=1))
    turns = (
        select(Turn.language, func.count(func.distinct(Turn.conversation_id)))
        .join(Conversation, col(Conversation.id) == col(Turn.conversation_id))
        .where(Turn.role == "user", col(Turn.language).is_not(None))
        .where(Turn.created_at >= since, Turn.created_at < until)
    )
    said = (
        select(Feedback.language, func.count())
        .where(col(Feedback.language).is_not(None))
        .where(Feedback.created_at >= since, Feedback.created_at < until)
    )
    asked = select(SupportRequest.language, SupportRequest.details).where(
        SupportRequest.created_at >= since, SupportRequest.created_at < until
    )
    if council:
        turns = turns.where(Conversation.council == council)
        said = said.where(Feedback.council == council)
        asked = asked.where(SupportRequest.council == council)
    conversations = dict(session.exec(turns.group_by(Turn.language)).all())
    feedback = dict(session.exec(said.group_by(Feedback.language)).all())
    requests: dict[str, int] = {}
    interpreters: dict[str, int] = {}
    for language, details in session.exec(asked):
        if language:
            requests[language] = requests.get(language, 0) + 1
        spoken = (details or {}).get("interpreter")
        if spoken:
            interpreters[str(spoken)] = interpreters.get(str(spoken), 0) + 1
    languages = get_languages()
    codes = {str(c) for c in (*conversations, *feedback, *requests, *interpreters) if c}
    rows = [
        LanguageCount(
            code,
            languages.name(code) if code != "not said" else "Not yet known",
            conversations.get(code, 0),
            feedback.get(code, 0),
            requests.get(code, 0),
            interpreters.get(code, 0),
        )
        for code in codes
    ]
    return sorted(rows, key=lambda r: (r.code != ENGLISH, -(r.conversations + r.feedback + r.requests), r.name))
