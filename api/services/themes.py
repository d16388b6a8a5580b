"""Feedback themes (the strategy's six priorities, any number) and sentiment, from labelled examples.

Trained on content/themes/examples.yml plus the corrections reviewers made on the dashboard: a
one-vs-rest logistic regression per theme over word and character n-grams (young people's spelling
varies) and counts of each priority's everyday words (content/themes/lexicon.yml), and one for
sentiment. Cached like the NLU model, keyed by a hash of the examples, the lexicon and the
corrections, rebuilt when any changes (`caring-promise themes train`, or the next start).
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.config import get_settings
from api.contract import THEMES
from api.db import get_engine
from api.models import Feedback
from api.nlp.model_cache import load_or_build
from api.nlp.text import normalise, word_pattern

log = logging.getLogger(__name__)

SENTIMENTS = ("positive", "negative", "mixed")
THRESHOLD = 0.35  # a theme is given when its probability reaches this (multi-label: recall matters)
# Most feedback is about something: the likeliest theme is given when it reaches this, even below
# the threshold.
TOP_THEME_FLOOR = 0.2
MODEL_VERSION = "2"
LEXICON_WEIGHT = 0.5  # the lexicon counts beside the n-grams (0.3 to 1.0 measured alike)
LEXICON_CAP = 3  # more hits than this say nothing more


@dataclass(frozen=True)
class Example:
    """One labelled piece of feedback."""

    text: str
    themes: tuple[str, ...]
    sentiment: str


@dataclass(frozen=True)
class Verdict:
    """What the classifier says about a piece of feedback."""

    themes: list[str]
    sentiment: str
    scores: dict[str, float]


def load_examples(path: Path) -> list[Example]:
    """Read and check the labelled examples (an unknown theme or sentiment is an error)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    examples = []
    for i, item in enumerate(raw, start=1):
        themes = tuple(item.get("themes") or [])
        unknown = [t for t in themes if t not in THEMES]
        if unknown or item.get("sentiment") not in SENTIMENTS:
            raise ValueError(f"{path.name} item {i}: unknown theme {unknown} or sentiment {item.get('sentiment')!r}")
        examples.append(Example(str(item["text"]), themes, item["sentiment"]))
    return examples


def load_lexicon(path: Path) -> dict[str, list[str]]:
    """Each theme's words and phrases (an unknown theme is an error; no file is an empty lexicon)."""
    if not path.exists():
        return {theme: [] for theme in THEMES}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = [t for t in raw if t not in THEMES]
    if unknown:
        raise ValueError(f"{path.name}: unknown theme(s) {unknown}")
    return {theme: [str(word).strip().lower() for word in raw.get(theme) or []] for theme in THEMES}


class LexiconCounts(BaseEstimator, TransformerMixin):
    """How many of each theme's words a text has (capped), one column per theme."""

    def __init__(self, lexicon: dict[str, list[str]] | None = None) -> None:
        self.lexicon = lexicon

    def fit(self, texts: list[str], y: object = None) -> "LexiconCounts":
        self.patterns_ = [word_pattern((self.lexicon or {}).get(theme, [])) for theme in THEMES]
        return self

    def transform(self, texts: list[str]) -> csr_matrix:
        counts = [
            [min(len(p.findall(normalise(text))), LEXICON_CAP) if p else 0 for p in self.patterns_] for text in texts
        ]
        return csr_matrix(np.array(counts, dtype=float).reshape(len(counts), len(THEMES)))


def _features(lexicon: dict[str, list[str]] | None = None) -> FeatureUnion:
    parts: list[tuple[str, object]] = [
        ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
    ]
    weights = {"words": 1.0, "chars": 1.0}
    if lexicon is not None:
        parts.append(("lexicon", LexiconCounts(lexicon)))
        weights["lexicon"] = LEXICON_WEIGHT
    return FeatureUnion(parts, transformer_weights=weights)


class ThemeClassifier:
    """Themes and sentiment for a piece of feedback."""

    def __init__(self, examples: list[Example], digest: str, lexicon: dict[str, list[str]] | None = None) -> None:
        texts = [e.text for e in examples]
        self.binarizer = MultiLabelBinarizer(classes=list(THEMES))
        labels = self.binarizer.fit_transform([e.themes for e in examples])
        self.themes = Pipeline(
            [
                ("features", _features(lexicon or {theme: [] for theme in THEMES})),
                ("clf", OneVsRestClassifier(LogisticRegression(C=10.0, max_iter=2000))),
            ]
        ).fit(texts, labels)
        self.sentiment = Pipeline([("features", _features()), ("clf", LogisticRegression(C=10.0, max_iter=2000))]).fit(
            texts, [e.sentiment for e in examples]
        )
        self.digest = digest

    def classify(self, text: str) -> Verdict:
        """The themes at or above the threshold, and the likeliest sentiment."""
        probabilities = self.themes.predict_proba([text])[0]
        scores = {theme: float(p) for theme, p in zip(self.binarizer.classes_, probabilities, strict=True)}
        chosen = [t for t in THEMES if scores[t] >= THRESHOLD]
        best = max(THEMES, key=lambda t: scores[t])
        if not chosen and scores[best] >= TOP_THEME_FLOOR:
            chosen = [best]
        return Verdict(list(chosen), str(self.sentiment.predict([text])[0]), scores)


def lexicon_path(examples: Path) -> Path:
    """The lexicon beside the examples."""
    return examples.parent / "lexicon.yml"


def _digest(path: Path, extra: list[Example]) -> str:
    corrections = json.dumps([[e.text, list(e.themes), e.sentiment] for e in extra]).encode()
    lexicon = lexicon_path(path).read_bytes() if lexicon_path(path).exists() else b""
    return hashlib.sha256(path.read_bytes() + lexicon + MODEL_VERSION.encode() + corrections).hexdigest()


def load_or_train(path: Path, cache_dir: Path, extra: list[Example] | None = None) -> ThemeClassifier:
    """The cached model for exactly these examples (and corrections), or a newly trained one."""
    extra = extra or []
    digest = _digest(path, extra)

    def build() -> ThemeClassifier:
        return ThemeClassifier(load_examples(path) + extra, digest, load_lexicon(lexicon_path(path)))

    return load_or_build(cache_dir, "themes", digest, ThemeClassifier, build)


def corrections() -> list[Example]:
    """Reviewed feedback as labelled examples (its redacted text, the reviewer's themes), oldest first."""
    try:
        with Session(get_engine()) as session:
            rows = session.exec(select(Feedback).where(col(Feedback.reviewed)).order_by(col(Feedback.id)))
            return [Example(f.text, tuple(f.themes), f.sentiment or "mixed") for f in rows]
    except SQLAlchemyError:  # no database yet (a schema not created): the examples alone
        return []


def examples_path() -> Path:
    """The labelled examples of the configured content."""
    return get_settings().content_dir / "themes" / "examples.yml"


@lru_cache
def get_classifier() -> ThemeClassifier:
    """The process-wide classifier: the labelled examples and the reviewers' corrections."""
    return load_or_train(examples_path(), get_settings().cache_dir, corrections())


def cross_validate(
    examples: list[Example], lexicon: dict[str, list[str]] | None = None, folds: int = 5
) -> tuple[float, float]:
    """Micro-F1 of the themes and accuracy of the sentiment on held-out folds (seeded, repeatable)."""
    from sklearn.model_selection import KFold

    true_pos = false_pos = false_neg = right = 0
    for train, test in KFold(folds, shuffle=True, random_state=0).split(examples):
        model = ThemeClassifier([examples[i] for i in train], "cv", lexicon)
        for i in test:
            verdict = model.classify(examples[i].text)
            got, want = set(verdict.themes), set(examples[i].themes)
            true_pos += len(got & want)
            false_pos += len(got - want)
            false_neg += len(want - got)
            right += verdict.sentiment == examples[i].sentiment
    micro_f1 = 2 * true_pos / max(2 * true_pos + false_pos + false_neg, 1)
    return micro_f1, right / max(len(examples), 1)
