"""Feedback themes (the strategy's six priorities, any number) and sentiment, from labelled examples.

Trained on content/themes/examples.yml: a one-vs-rest logistic regression per theme over word and
character n-grams (young people's spelling varies), and one for sentiment. Cached like the NLU
model, keyed by a hash of the examples, rebuilt when they change.
"""

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from api.engine.nlu import normalise

log = logging.getLogger(__name__)

THEMES = ("family", "stability", "relationships", "learning", "health", "accommodation")
SENTIMENTS = ("positive", "negative", "mixed")
THRESHOLD = 0.35  # a theme is given when its probability reaches this (multi-label: recall matters)
# Most feedback is about something: the likeliest theme is given when it reaches this, even below
# the threshold.
TOP_THEME_FLOOR = 0.2
MODEL_VERSION = "1"


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


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
            ),
        ]
    )


class ThemeClassifier:
    """Themes and sentiment for a piece of feedback."""

    def __init__(self, examples: list[Example], digest: str) -> None:
        texts = [e.text for e in examples]
        self.binarizer = MultiLabelBinarizer(classes=list(THEMES))
        labels = self.binarizer.fit_transform([e.themes for e in examples])
        self.themes = Pipeline(
            [("features", _features()), ("clf", OneVsRestClassifier(LogisticRegression(C=10.0, max_iter=2000)))]
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
        return Verdict(chosen, str(self.sentiment.predict([text])[0]), scores)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() + MODEL_VERSION.encode()).hexdigest()


def load_or_train(path: Path, cache_dir: Path) -> ThemeClassifier:
    """The cached model for exactly these examples, or a newly trained one."""
    digest = _digest(path)
    cached = cache_dir / f"themes-{digest[:16]}.pkl"
    if cached.exists():
        try:
            with cached.open("rb") as fh:
                model = pickle.load(fh)  # our own artefact, written below
            if isinstance(model, ThemeClassifier) and model.digest == digest:
                return model
        except Exception:  # noqa: BLE001  (a broken cache is rebuilt, never fatal)
            log.warning("themes cache unreadable, retraining")
    model = ThemeClassifier(load_examples(path), digest)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(cached)
    return model


@lru_cache
def get_classifier() -> ThemeClassifier:
    """The process-wide classifier for the configured examples."""
    from api.config import get_settings

    settings = get_settings()
    return load_or_train(settings.content_dir / "themes" / "examples.yml", settings.cache_dir)
