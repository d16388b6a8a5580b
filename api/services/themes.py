"""Feedback themes (the strategy's six priorities, any number) and sentiment, from labelled examples.

Trained on content/themes/examples.yml plus the corrections reviewers made on the dashboard (each
counted CORRECTION_WEIGHT times: a reviewer's word on real feedback outweighs a written example).
The features are word and character n-grams (young people's spelling varies) and counts of each
priority's everyday words (content/themes/lexicon.yml). Each theme has its own logistic regression,
calibrated (a one-feature logistic regression, Platt's sigmoid, fitted on its out-of-fold scores) and
given its own threshold: the one that gave the best F1 on those out-of-fold probabilities. Sentiment is
one multinomial regression. The settings were chosen by cross-validation (README, "Themes").

Cached like the NLU model, keyed by a hash of the examples, the lexicon and the corrections, rebuilt
when any changes (`caring-promise themes train`, `make install`, or the next start). What is cached
is read directly (api/nlp/linear.py): classifying feedback never imports scikit-learn.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.config import get_settings
from api.contract import THEMES
from api.db import get_engine
from api.files import read_yaml
from api.models import Feedback
from api.nlp.linear import Features, Linear, Row
from api.nlp.model_cache import load_or_build
from api.nlp.text import normalise, word_pattern

if TYPE_CHECKING:  # training only
    from scipy.sparse import csr_matrix, spmatrix
    from sklearn.pipeline import FeatureUnion

log = logging.getLogger(__name__)

SENTIMENTS = ("positive", "negative", "mixed")
# Most feedback is about something: the likeliest theme is given when no theme reaches its threshold
# but the likeliest reaches this.
TOP_THEME_FLOOR = 0.4
MODEL_VERSION = "4"
C_THEMES = 10.0  # each theme's regression (3, 10, 30 and class weights measured: README, "Themes")
C_SENTIMENT = 10.0
LEXICON_WEIGHT = 0.5  # the lexicon counts beside the n-grams (0.3 to 1.0 measured alike)
LEXICON_CAP = 3  # more hits than this say nothing more
CORRECTION_WEIGHT = 3.0  # a reviewed correction counts as this many written examples
FOLDS = 5  # for each theme's calibration and threshold
THRESHOLDS = np.round(np.arange(0.25, 0.71, 0.025), 3)  # tried for each theme (from 0.15 or 0.3: CV 0.845)


@dataclass(frozen=True)
class Example:
    """One labelled piece of feedback (weight: how much it counts in training)."""

    text: str
    themes: tuple[str, ...]
    sentiment: str
    weight: float = 1.0


@dataclass(frozen=True)
class Verdict:
    """What the classifier says about a piece of feedback."""

    themes: list[str]
    sentiment: str
    scores: dict[str, float]


def load_examples(path: Path) -> list[Example]:
    """Read and check the labelled examples (an unknown theme or sentiment is an error)."""
    raw = read_yaml(path) or []
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
    raw = read_yaml(path) or {}
    unknown = [t for t in raw if t not in THEMES]
    if unknown:
        raise ValueError(f"{path.name}: unknown theme(s) {unknown}")
    return {theme: [str(word).strip().lower() for word in raw.get(theme) or []] for theme in THEMES}


class LexiconCounts:
    """How many of each theme's words a text has (capped), one column per theme."""

    def __init__(self, lexicon: dict[str, list[str]], offset: int = 0, weight: float = LEXICON_WEIGHT) -> None:
        self.patterns: list[re.Pattern[str] | None] = [word_pattern(lexicon.get(theme, [])) for theme in THEMES]
        self.offset = offset
        self.weight = weight

    def counts(self, text: str) -> list[int]:
        """The capped count for each theme, in THEMES order."""
        folded = normalise(text)
        return [min(len(p.findall(folded)), LEXICON_CAP) if p else 0 for p in self.patterns]

    def row(self, text: str) -> Row:
        """The non-zero weighted counts, as columns after the n-grams."""
        counts = self.counts(text)
        columns = np.array([i for i, n in enumerate(counts) if n], dtype=np.int64)
        values = np.array([counts[i] * self.weight for i in columns], dtype=np.float64)
        return columns + self.offset, values

    def matrix(self, texts: list[str]) -> "csr_matrix":
        """Training: the weighted counts of many texts."""
        from scipy.sparse import csr_matrix

        return csr_matrix(np.array([self.counts(t) for t in texts], dtype=float) * self.weight)


def _ngrams() -> "FeatureUnion":
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
            ),
        ]
    )


@dataclass
class ThemeModel:
    """One theme: its regression, the sigmoid that calibrates it, and its threshold."""

    coef: np.ndarray
    intercept: float
    slope: float  # calibrated probability = 1 / (1 + exp(-(slope * score + shift)))
    shift: float
    threshold: float

    def probability(self, row: Row) -> float:
        columns, values = row
        score = float(self.coef[columns] @ values) + self.intercept
        return float(1.0 / (1.0 + np.exp(-(self.slope * score + self.shift))))


@dataclass
class ThemeClassifier:
    """Themes and sentiment for a piece of feedback, read directly (no scikit-learn at run time)."""

    ngrams: Features
    lexicon: LexiconCounts
    themes: dict[str, ThemeModel]
    sentiment: Linear
    digest: str
    trained_on: int = 0
    # Out-of-fold figures from training, per theme: (precision, recall) at its threshold.
    fold_figures: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def train(
        cls, examples: list[Example], digest: str, lexicon: dict[str, list[str]] | None = None
    ) -> "ThemeClassifier":
        """Fit the n-grams, each theme's calibrated regression and threshold, and the sentiment."""
        from scipy.sparse import hstack
        from sklearn.linear_model import LogisticRegression

        texts = [e.text for e in examples]
        weights = np.array([e.weight for e in examples])
        union = _ngrams()
        grams = union.fit_transform(texts)
        ngrams = Features(union)
        counts = LexiconCounts(lexicon or {}, offset=ngrams.width)
        matrix = hstack([grams, counts.matrix(texts)]).tocsr()
        themes: dict[str, ThemeModel] = {}
        figures: dict[str, tuple[float, float]] = {}
        for theme in THEMES:
            labels = np.array([theme in e.themes for e in examples], dtype=int)
            themes[theme], figures[theme] = _fit_theme(matrix, labels, weights)
        sentiment = LogisticRegression(C=C_SENTIMENT, max_iter=3000)
        sentiment.fit(matrix, [e.sentiment for e in examples], sample_weight=weights)
        return cls(ngrams, counts, themes, Linear(sentiment), digest, len(examples), figures)

    def row(self, text: str) -> Row:
        """The features of one piece of feedback: n-grams, then the lexicon counts."""
        grams, counts = self.ngrams.row(text), self.lexicon.row(text)
        return np.concatenate([grams[0], counts[0]]), np.concatenate([grams[1], counts[1]])

    def classify(self, text: str) -> Verdict:
        """The themes at or above their thresholds (else the likeliest, above a floor), and the sentiment."""
        row = self.row(text)
        scores = {theme: model.probability(row) for theme, model in self.themes.items()}
        chosen: list[str] = [t for t in THEMES if scores[t] >= self.themes[t].threshold]
        best = max(THEMES, key=lambda t: scores[t])
        if not chosen and scores[best] >= TOP_THEME_FLOOR:
            chosen = [best]
        sentiment = self.sentiment.proba(row)
        return Verdict(chosen, self.sentiment.classes[int(np.argmax(sentiment))], scores)


def _fit_theme(matrix: "spmatrix", labels: np.ndarray, weights: np.ndarray) -> tuple[ThemeModel, tuple[float, float]]:
    """One theme's regression on every example; its sigmoid and threshold from out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    def regression() -> Any:
        return LogisticRegression(C=C_THEMES, max_iter=3000)

    folds = min(FOLDS, int(labels.sum()), int(len(labels) - labels.sum()))
    scores = np.zeros(len(labels))
    if folds >= 2:
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(matrix, labels):
            fold = regression().fit(matrix[train], labels[train], sample_weight=weights[train])
            scores[test] = fold.decision_function(matrix[test])
        sigmoid = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), labels, sample_weight=weights)
        slope, shift = float(sigmoid.coef_[0][0]), float(sigmoid.intercept_[0])
    else:  # too few examples of it to calibrate: the regression's own probabilities
        slope, shift = 1.0, 0.0
    whole = regression().fit(matrix, labels, sample_weight=weights) if labels.any() and not labels.all() else None
    coef = np.asarray(whole.coef_[0] if whole is not None else np.zeros(matrix.shape[1]), dtype=np.float64)
    intercept = float(whole.intercept_[0]) if whole is not None else (10.0 if labels.all() else -10.0)
    probabilities = 1.0 / (1.0 + np.exp(-(slope * scores + shift)))
    threshold, precision, recall = _best_threshold(probabilities, labels) if folds >= 2 else (0.5, 0.0, 0.0)
    return ThemeModel(coef, intercept, slope, shift, threshold), (precision, recall)


def _best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """The threshold with the best F1 on out-of-fold probabilities: (threshold, precision, recall)."""
    best = (0.0, 0.5, 0.0, 0.0)
    for threshold in THRESHOLDS:
        chosen = probabilities >= threshold
        hits = int((chosen & (labels == 1)).sum())
        precision = hits / max(int(chosen.sum()), 1)
        recall = hits / max(int(labels.sum()), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if f1 > best[0] + 1e-9:
            best = (f1, float(threshold), precision, recall)
    return best[1], best[2], best[3]


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
        return ThemeClassifier.train(load_examples(path) + extra, digest, load_lexicon(lexicon_path(path)))

    return load_or_build(cache_dir, "themes", digest, ThemeClassifier, build)


def corrections() -> list[Example]:
    """Reviewed feedback as labelled examples (its redacted text, the reviewer's themes), oldest first."""
    try:
        with Session(get_engine()) as session:
            rows = session.exec(select(Feedback).where(col(Feedback.reviewed)).order_by(col(Feedback.id)))
            return [Example(f.text, tuple(f.themes), f.sentiment or "mixed", CORRECTION_WEIGHT) for f in rows]
    except SQLAlchemyError:  # no database yet (a schema not created): the examples alone
        return []


def examples_path() -> Path:
    """The labelled examples of the configured content."""
    return get_settings().content_dir / "themes" / "examples.yml"


@lru_cache
def get_classifier() -> ThemeClassifier:
    """The process-wide classifier: the labelled examples and the reviewers' corrections."""
    return load_or_train(examples_path(), get_settings().cache_dir, corrections())


@dataclass
class Figures:
    """How well themes and sentiment were predicted on feedback the model had not seen."""

    counts: dict[str, list[int]] = field(default_factory=lambda: {t: [0, 0, 0] for t in THEMES})  # tp, fp, fn
    right: int = 0
    total: int = 0

    def add(self, verdict: Verdict, example: Example) -> None:
        got, want = set(verdict.themes), set(example.themes)
        for theme in THEMES:
            self.counts[theme][0] += theme in got and theme in want
            self.counts[theme][1] += theme in got and theme not in want
            self.counts[theme][2] += theme in want and theme not in got
        self.right += verdict.sentiment == example.sentiment
        self.total += 1

    def theme(self, theme: str) -> tuple[float, float, float]:
        """(precision, recall, F1) of one theme."""
        tp, fp, fn = self.counts[theme]
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        return precision, recall, 2 * tp / max(2 * tp + fp + fn, 1)

    @property
    def micro_f1(self) -> float:
        tp, fp, fn = (sum(c[i] for c in self.counts.values()) for i in range(3))
        return 2 * tp / max(2 * tp + fp + fn, 1)

    @property
    def macro_f1(self) -> float:
        return float(np.mean([self.theme(t)[2] for t in THEMES]))

    @property
    def sentiment(self) -> float:
        return self.right / max(self.total, 1)

    def report(self, title: str) -> list[str]:
        """Lines for `caring-promise themes train`."""
        lines = [
            f"{title}: {self.total} items, themes micro-F1 {self.micro_f1:.3f}, macro-F1 {self.macro_f1:.3f},"
            f" sentiment accuracy {self.sentiment:.3f}",
            f"  {'theme':<14} {'precision':>9} {'recall':>7} {'F1':>6} {'items':>6}",
        ]
        for theme in THEMES:
            precision, recall, f1 = self.theme(theme)
            items = self.counts[theme][0] + self.counts[theme][2]
            lines.append(f"  {theme:<14} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {items:>6}")
        return lines


def measure(model: ThemeClassifier, examples: list[Example], figures: Figures | None = None) -> Figures:
    """The model's figures on these examples (added to `figures` when given)."""
    figures = figures or Figures()
    for example in examples:
        figures.add(model.classify(example.text), example)
    return figures


def cross_validate(examples: list[Example], lexicon: dict[str, list[str]] | None = None, folds: int = 5) -> Figures:
    """The figures on held-out folds of the examples (seeded, repeatable)."""
    from sklearn.model_selection import KFold

    figures = Figures()
    for train, test in KFold(folds, shuffle=True, random_state=0).split(examples):
        model = ThemeClassifier.train([examples[i] for i in train], "cv", lexicon)
        measure(model, [examples[i] for i in test], figures)
    return figures


def heldout_path() -> Path:
    """The held-out split: kept apart from the examples, never trained on (content/themes/heldout.yml)."""
    return examples_path().parent / "heldout.yml"
