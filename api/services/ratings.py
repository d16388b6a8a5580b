"""Did an answer help? One tap on the web ("Did this help? Yes / No"), or "that helped" / "no" by text
after an answer (never asked by text: texts cost young people credit). Stored as which answer, yes or
no, the channel and the council: never who. The content team reads helpfulness per answer beside the
answers due for review (`stale_content`)."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from api.content import ContentPack
from api.db import get_engine, unit_of_work
from api.models import Conversation, Rating
from api.nlp.language import get_languages
from api.services.feedback import midnight


def rate_last_answer(conversation_id: str, helped: bool, channel: str) -> bool:
    """A rating of the answer the conversation was given last ("Did this help?" on the web), once: False
    when there is none to rate (already rated, or no answer since)."""
    with unit_of_work() as session:
        conversation = session.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None or not conversation.last_answer:
            return False
        record_rating(
            session=session,
            answer=conversation.last_answer,
            helped=helped,
            channel=channel,
            council=conversation.council,
        )
        conversation.last_answer = None  # one rating per answer
        session.add(conversation)
        return True


def last_answer(conversation_id: str) -> str | None:
    """The answer the conversation was given last, while it can still be rated."""
    with Session(get_engine()) as session:
        conversation = session.get(Conversation, conversation_id)
        return conversation.last_answer if conversation else None


def record_rating(*, session: Session, answer: str, helped: bool, channel: str, council: str) -> Rating:
    """Store one rating of an answer (the caller commits)."""
    rating = Rating(answer=answer, helped=helped, channel=channel, council=council)
    session.add(rating)
    return rating


@dataclass(frozen=True)
class Helpfulness:
    """How one answer was rated in a period."""

    answer: str
    title: str
    yes: int
    no: int

    @property
    def rated(self) -> int:
        return self.yes + self.no

    @property
    def share(self) -> float:
        """The share of ratings that said it helped."""
        return self.yes / self.rated if self.rated else 0.0


def helpfulness(
    *, session: Session, pack: ContentPack, council: str | None, start: date, end: date
) -> list[Helpfulness]:
    """Each rated answer's yes and no in the period (a council's, or every council's), least helpful first."""
    query = (
        select(Rating.answer, Rating.helped, func.count())
        .where(
            col(Rating.created_at) >= midnight(start),
            col(Rating.created_at) < midnight(end + timedelta(days=1)),
        )
        .group_by(col(Rating.answer), col(Rating.helped))
    )
    if council:
        query = query.where(Rating.council == council)
    counts: dict[str, list[int]] = {}
    for answer, helped, n in session.exec(query):  # counted by the database, not row by row here
        counts.setdefault(answer, [0, 0])[0 if helped else 1] += n
    found = [
        Helpfulness(key, pack.answers[key].title if pack.has(key) else key, yes, no)
        for key, (yes, no) in counts.items()
    ]
    return sorted(found, key=lambda h: (h.share, -h.rated, h.answer))


@dataclass(frozen=True)
class Stale:
    """An answer or a translation that is due for review."""

    what: str  # the content key, or "languages/<code>"
    title: str
    why: str


def stale_content(pack: ContentPack, today: date) -> list[Stale]:
    """Answers whose review date is more than a year ago (or missing), and translations no fluent speaker
    has reviewed yet."""
    found = []
    for key, answer in sorted(pack.answers.items()):
        if due := answer.review_due(today):
            found.append(Stale(key, answer.title, due))
    for language in get_languages().packs.values():
        if not language.reviewed:
            found.append(Stale(f"languages/{language.code}", language.english_name, "not reviewed by a fluent speaker"))
    return found
