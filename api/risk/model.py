"""The risk classifier: trained on content/safety/ (labelled disclosures and hard negatives).

Two small models over word and character n-grams of the folded text: one says which kind of harm
(or none), the other, for a message at risk, whether it is a crisis or a concern. Everyday messages
from bot/data (questions about money, housing, college) are extra negatives, so the classifier learns
what ordinary looks like. `caring-promise safety eval` cross-validates it.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from api.files import read_yaml
from api.nlp.linear import TextModel
from api.nlp.text import fold
from api.risk.kinds import check_kind, check_level

if TYPE_CHECKING:  # training only: a cached model is read without scikit-learn (api/nlp/linear.py)
    from sklearn.pipeline import FeatureUnion, Pipeline

MODEL_VERSION = "2"
NONE = "none"


@dataclass(frozen=True)
class Example:
    """A labelled message: kind is NONE for a hard negative."""

    text: str
    kind: str
    level: str = ""


@dataclass(frozen=True)
class Prediction:
    """What the classifier thinks of one message."""

    kind: str  # the likeliest kind of harm (even when risk is low)
    risk: float  # the probability that it is any kind of harm at all
    crisis: float  # for a message at risk: the probability that it is a crisis rather than a concern


def load_labelled(folder: Path) -> list[Example]:
    """examples.yml (disclosures) and negatives.yml (everyday messages) of content/safety/."""
    examples = []
    raw = read_yaml(folder / "examples.yml") or {}
    for i, item in enumerate(raw.get("examples") or []):
        try:
            examples.append(Example(str(item["text"]), check_kind(item["kind"]), check_level(item["level"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"content/safety/examples.yml item {i + 1}: {exc}") from exc
    negatives = read_yaml(folder / "negatives.yml") or {}
    examples.extend(Example(str(text), NONE) for text in negatives.get("negatives") or [])
    return examples


def _features() -> "FeatureUnion":
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )


def _pipeline() -> "Pipeline":
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # Unweighted: "none" (hard negatives and bot/data's everyday messages) is about as big as all the
    # kinds together, and balancing the classes made every "my foster carer..." sentence look like harm.
    return Pipeline([("features", _features()), ("clf", LogisticRegression(C=10.0, max_iter=4000))])


class RiskClassifier:
    """The kind model and the level model, trained together, kept as direct readers (api/nlp/linear.py)."""

    def __init__(self, examples: list[Example], everyday: list[str], digest: str = "") -> None:
        texts = [fold(e.text) for e in examples] + [fold(t) for t in everyday]
        kinds = [e.kind for e in examples] + [NONE] * len(everyday)
        kind_pipeline = _pipeline().fit(texts, kinds)
        at_risk = [e for e in examples if e.kind != NONE]
        level_pipeline = _pipeline().fit([fold(e.text) for e in at_risk], [e.level for e in at_risk])
        self.kind_model, self.level_model = TextModel(kind_pipeline), TextModel(level_pipeline)
        self.kinds: list[str] = self.kind_model.classes
        self.crisis_index = self.level_model.classes.index("crisis")
        self.digest = digest
        # The scikit-learn pipelines, in this process only (tests compare the readers with them).
        self.pipelines: tuple[Pipeline, Pipeline] | None = (kind_pipeline, level_pipeline)

    def __getstate__(self) -> dict[str, Any]:
        # Only the readers are cached: loading them never imports scikit-learn.
        return {k: v for k, v in self.__dict__.items() if k != "pipelines"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, pipelines=None)

    def predict(self, folded: str) -> Prediction:
        """Kind, risk and crisis probability of a folded message."""
        probs = self.kind_model.proba(folded)
        none = self.kinds.index(NONE)
        order = [i for i in np.argsort(probs)[::-1] if i != none]
        risk = float(1.0 - probs[none])
        crisis = float(self.level_model.proba(folded)[self.crisis_index]) if risk >= 0.2 else 0.0
        return Prediction(self.kinds[order[0]], risk, crisis)


def digest_of(folder: Path, everyday: list[str]) -> str:
    """What a cached model must have been trained on."""
    data = b"".join((folder / name).read_bytes() for name in ("examples.yml", "negatives.yml"))
    return hashlib.sha256(data + "\n".join(everyday).encode() + MODEL_VERSION.encode()).hexdigest()
