"""The questions we could not answer, and turning them into training data through a reviewed step.

The engine records a question (redacted, with no conversation: never who asked) when the intent model
fell back, when it took the question for one the bot does not answer (out of scope), when it was
unsure, or when the young person said the answer was not what they asked. The content team reads
them as clusters of similar questions with counts and examples (agglomerative clustering of word and
character n-grams, cosine distance), so they see what to write next. Marking a cluster "answered by"
an answer proposes its questions as training examples for that answer's intent; an admin approves or
rejects each one, and only approved examples are trained on (at the next start or `caring-promise
models`): never automatically.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.content import ContentPack
from api.db import get_engine
from api.models import TrainingExample, Unanswered, row_id
from api.nlp.rasa_data import BotProject
from api.nlp.text import normalise
from api.privacy import redact
from api.services.feedback import midnight

REASONS = {
    "fallback": "not understood",
    "out_of_scope": "not something I answer",
    "unsure": "unsure of the question",
    "not_asked": "'not what I asked'",
}
UNSURE_BELOW = 0.5  # an answer given with less confidence than this is recorded as unsure
# Questions closer than this (cosine distance, average linkage) share a cluster. Chosen by eye on the
# dev sets' questions: 0.7 keeps "money for uni" and "uni bursary" together and money apart from housing.
CLUSTER_DISTANCE = 0.7
EXAMPLES_SHOWN = 5
MOST_CLUSTERED = 2_000  # the latest questions of a period that are clustered (a page, not a batch job)
STATUSES = ("proposed", "approved", "rejected")


def record_unanswered(
    *,
    session: Session,
    text: str,
    reason: str,
    channel: str,
    council: str,
    intent: str | None = None,
    confidence: float | None = None,
    language: str | None = None,
) -> Unanswered | None:
    """Store a question the bot could not answer well, redacted (the caller commits). An empty one is not
    stored (None)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason: {reason}")
    words = redact(text).strip()
    if not words or words.startswith("/"):  # a button's payload is not a question
        return None
    item = Unanswered(
        text=words[:1000],
        reason=reason,
        channel=channel,
        council=council,
        intent=intent,
        confidence=round(confidence, 3) if confidence is not None else None,
        language=language,
    )
    session.add(item)
    return item


def find_unanswered(
    *, session: Session, council: str | None, start: date, end: date, answered: bool = False
) -> list[Unanswered]:
    """The period's questions (a council's, or every council's), oldest first; answered ones only when asked."""
    query = select(Unanswered).where(
        col(Unanswered.created_at) >= midnight(start),
        col(Unanswered.created_at) < midnight(end + timedelta(days=1)),
    )
    if council:
        query = query.where(Unanswered.council == council)
    if not answered:
        query = query.where(col(Unanswered.answered_by).is_(None))
    return list(session.exec(query.order_by(col(Unanswered.created_at), col(Unanswered.id))))


@dataclass
class Cluster:
    """Similar questions: how many, the words they share, and a few of them."""

    ids: list[int]
    texts: list[str]
    reasons: Counter[str] = field(default_factory=Counter)
    guesses: Counter[str] = field(default_factory=Counter)  # what the intent model thought they were
    words: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def examples(self) -> list[str]:
        """Up to EXAMPLES_SHOWN different questions, the commonest wording first."""
        counted = Counter(self.texts)
        return [text for text, _ in counted.most_common(EXAMPLES_SHOWN)]

    @property
    def guess(self) -> str | None:
        """The intent the model guessed most often for them, if any."""
        return self.guesses.most_common(1)[0][0] if self.guesses else None


def clusters(items: list[Unanswered]) -> list[Cluster]:
    """The questions grouped by similarity, biggest cluster first (a question alone is a cluster of one);
    the MOST_CLUSTERED latest when there are more."""
    items = items[-MOST_CLUSTERED:]
    if not items:
        return []
    texts = [normalise(item.text) for item in items]
    labels = _labels(texts)
    grouped: dict[int, Cluster] = {}
    normalised: dict[int, list[str]] = {}  # each cluster's texts as clustered, for the words they share
    for item, text, label in zip(items, texts, labels, strict=True):
        cluster = grouped.setdefault(label, Cluster([], []))
        cluster.ids.append(row_id(item))
        cluster.texts.append(item.text)
        cluster.reasons[item.reason] += 1
        if item.intent:
            cluster.guesses[item.intent] += 1
        normalised.setdefault(label, []).append(text)
    for label, cluster in grouped.items():
        cluster.words = _shared_words(normalised[label])
    return sorted(grouped.values(), key=lambda c: (-c.size, c.texts[0]))


def _labels(texts: list[str]) -> list[int]:
    """A cluster number for each text (scikit-learn, imported here: only this staff page needs it).

    The distances are computed from the sparse rows (a text by text matrix: 2,000 questions are 32 MB),
    never from dense features (tens of thousands of n-grams a question)."""
    if len(texts) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import normalize

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ]
    )
    try:
        rows = normalize(features.fit_transform(texts))
    except ValueError:  # nothing but stop words and punctuation
        return list(range(len(texts)))
    distances = np.clip(1.0 - (rows @ rows.T).toarray(), 0.0, 2.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=CLUSTER_DISTANCE
    )
    return [int(label) for label in model.fit_predict(distances)]


def _shared_words(texts: list[str], top: int = 4) -> list[str]:
    """The words most of a cluster's questions use (not the small ones)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    counted: Counter[str] = Counter()
    for text in texts:
        counted.update({w for w in text.replace("'", "").split() if len(w) > 2 and w not in ENGLISH_STOP_WORDS})
    return [w for w, n in counted.most_common(top) if n >= max(2, len(texts) // 3)] or [
        w for w, _ in counted.most_common(2)
    ]


def answer_choices(answers: dict[str, str], pack: ContentPack) -> dict[str, str]:
    """The answers a cluster can be marked answered by (the engine's rateable answers this council has):
    content key -> the intent its examples train, by title."""
    chosen = {key: intent for key, intent in answers.items() if pack.has(key)}
    return dict(sorted(chosen.items(), key=lambda kv: pack.answers[kv[0]].title.lower()))


def mark_answered(
    *, session: Session, items: list[Unanswered], answer: str, intent: str, by: str
) -> list[TrainingExample]:
    """A cluster's questions are answered by `answer`: each is marked, and proposed (once per wording and
    council) as a training example for `intent`, for an admin to approve or reject (the caller commits)."""
    proposed, seen = [], set()
    for item in items:
        item.answered_by = answer
        session.add(item)
        wording = (item.council, normalise(item.text))
        if wording in seen:
            continue
        seen.add(wording)
        example = TrainingExample(text=item.text, intent=intent, answer=answer, council=item.council, proposed_by=by)
        session.add(example)
        proposed.append(example)
    return proposed


def proposals(*, session: Session, council: str | None, status: str = "proposed") -> list[TrainingExample]:
    """Training examples with a status (a council's, or every council's), oldest first."""
    if status not in STATUSES:
        raise ValueError(f"unknown status: {status}")
    query = select(TrainingExample).where(TrainingExample.status == status)
    if council:
        query = query.where(TrainingExample.council == council)
    return list(session.exec(query.order_by(col(TrainingExample.proposed_at), col(TrainingExample.id))))


def review(*, session: Session, example: TrainingExample, approve: bool, by: str) -> TrainingExample:
    """An admin's decision on a proposed example (the caller commits). A decision is final: a rejected
    example can be proposed again from a new cluster."""
    if example.status != "proposed":
        raise ValueError(f"this example was already {example.status}")
    example.status = "approved" if approve else "rejected"
    example.reviewed_by, example.reviewed_at = by, datetime.now(UTC)
    session.add(example)
    return example


def approved_examples(session: Session) -> list[tuple[str, str]]:
    """Every approved example as (text, intent), oldest first: what the intent model trains on beside
    bot/data (every council's: the model is shared)."""
    rows = proposals(session=session, council=None, status="approved")
    return [(row.text, row.intent) for row in rows]


def learned_project(project: BotProject) -> BotProject:
    """bot/'s project with the approved examples added (of intents it has), and a digest that says so: the
    intent model is retrained when an example is approved (at the next start, or `caring-promise models`).
    No database yet: bot/ alone."""
    try:
        with Session(get_engine()) as session:
            learned = approved_examples(session)
    except SQLAlchemyError:
        return project
    known = {intent for _, intent in project.nlu.examples}
    learned = [(text, intent) for text, intent in learned if intent in known]
    if not learned:
        return project
    digest = hashlib.sha256((project.digest + json.dumps(learned)).encode()).hexdigest()
    return replace(project, nlu=replace(project.nlu, examples=[*project.nlu.examples, *learned]), digest=digest)


def rasa_yaml(examples: list[tuple[str, str]]) -> str:
    """Approved examples as Rasa 3 NLU training data (bot/data/nlu/learned.yml), for a Rasa server."""
    by_intent: dict[str, list[str]] = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(text)
    lines = ['version: "3.1"', "# Approved on the staff page 'Questions we could not answer' (redacted).", "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {' '.join(text.split())}" for text in texts]
    return "\n".join(lines) + "\n"
