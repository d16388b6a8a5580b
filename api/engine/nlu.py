"""Intent classification and entity extraction trained from bot/data (Rasa's training format).

A TF-IDF model over word and character n-grams with a logistic regression: character n-grams
carry text speak and typos ("wat", "councel tax", "skint"), words carry meaning. The trained
model is cached under the data directory, keyed by a hash of bot/, and rebuilt when the data changes.

Retrieval intents (`money/setting_up_home`, Rasa's format) train the intent `money`; a response selector
per intent, on the same features, then picks which of its sub-answers was asked for, and the parse
carries it as Rasa's ResponseSelector does (`response_selector.default.ranking`).
"""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from api.nlp.linear import Linear, Row, TextModel
from api.nlp.model_cache import load_or_build
from api.nlp.rasa_data import BotProject, base_intent
from api.nlp.text import normalise

if TYPE_CHECKING:  # training only: a cached model is read without scikit-learn (api/nlp/linear.py)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

MODEL_VERSION = "3"  # bump when the features or model change, to invalidate caches
FALLBACK_INTENT = "nlu_fallback"


@dataclass
class Parse:
    """What /model/parse returns, in Rasa's shape."""

    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    entities: list[dict[str, Any]]
    # The response selector's ranking for this intent's sub-answers: ("money/setting_up_home", 0.93), best first.
    responses: list[tuple[str, float]] = field(default_factory=list)

    def as_rasa(self) -> dict[str, Any]:
        """Rasa's parse result JSON."""
        parsed: dict[str, Any] = {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": round(self.confidence, 4)},
            "intent_ranking": [{"name": n, "confidence": round(c, 4)} for n, c in self.ranking],
            "entities": self.entities,
        }
        if self.responses:
            parsed["response_selector"] = self.response_selector()
        return parsed

    def response_selector(self) -> dict[str, Any]:
        """The `response_selector` part of Rasa's parse (one selector over every retrieval intent)."""
        ranking = [{"intent_response_key": k, "confidence": round(c, 4)} for k, c in self.responses]
        best = ranking[0] if ranking else {"intent_response_key": None, "confidence": 0.0}
        key = best["intent_response_key"]
        response = {**best, "utter_action": f"utter_{key}" if key else None}
        return {
            "all_retrieval_intents": sorted({k.split("/")[0] for k, _ in self.responses}),
            "default": {"response": response, "ranking": ranking},
        }


def _build_pipeline() -> "Pipeline":
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
                ),
            ),
            (
                "chars",
                TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
        ]
    )
    return Pipeline([("features", features), ("clf", LogisticRegression(C=20.0, max_iter=3000))])


class EntityExtractor:
    """Lookup tables and regexes as Rasa's RegexEntityExtractor uses them, then synonyms."""

    def __init__(self, project: BotProject) -> None:
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for entity, values in project.nlu.lookups.items():
            alts = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True) if v)
            if alts:
                self._patterns.append((entity, re.compile(rf"\b(?:{alts})\b", re.IGNORECASE)))
        for entity, patterns in project.nlu.regexes.items():
            for pattern in patterns:
                self._patterns.append((entity, re.compile(pattern, re.IGNORECASE)))
        self._synonyms = project.nlu.synonyms

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Every match, with its synonym-mapped value."""
        found = []
        for entity, pattern in self._patterns:
            for match in pattern.finditer(text):
                raw = match.group(0)
                found.append(
                    {
                        "entity": entity,
                        "start": match.start(),
                        "end": match.end(),
                        "value": self._synonyms.get(raw.lower(), raw),
                        "extractor": "RegexEntityExtractor",
                    }
                )
        return sorted(found, key=lambda e: e["start"])


class IntentClassifier:
    """The trained intent model and response selectors, read directly (api/nlp/linear.py), plus the
    project's fallback threshold. The model cache holds this, without scikit-learn's objects."""

    def __init__(
        self, model: TextModel, threshold: float, digest: str, selectors: dict[str, Linear] | None = None
    ) -> None:
        self.model = model
        self.threshold = threshold
        self.digest = digest
        self.labels: list[str] = model.classes
        self.selectors = selectors or {}  # intent -> a model over its retrieval intents
        # The scikit-learn objects, when trained in this process (tests compare the readers with them).
        self.pipeline: Pipeline | None = None
        self.fitted_selectors: dict[str, LogisticRegression] = {}

    @classmethod
    def train(cls, project: BotProject) -> "IntentClassifier":
        """Fit on every example of bot/data (a retrieval intent's examples count for its intent)."""
        from sklearn.linear_model import LogisticRegression

        texts = [t for t, _ in project.nlu.examples]
        full = [i for _, i in project.nlu.examples]
        labels = [base_intent(i) for i in full]
        if len(set(labels)) < 2:
            raise ValueError("bot/data needs examples for at least two intents")
        pipeline = _build_pipeline().fit(texts, labels)
        features = pipeline.named_steps["features"].transform(texts)
        fitted = {}
        for intent in sorted({base_intent(i) for i in full if i != base_intent(i)}):
            rows = [n for n, label in enumerate(full) if base_intent(label) == intent]
            keys = [full[n] for n in rows]
            if len(set(keys)) >= 2:
                fitted[intent] = LogisticRegression(C=20.0, max_iter=3000).fit(features[rows], keys)
        selectors = {intent: Linear(model) for intent, model in fitted.items()}
        classifier = cls(TextModel(pipeline), project.fallback_threshold, project.digest, selectors)
        classifier.pipeline, classifier.fitted_selectors = pipeline, fitted
        return classifier

    @classmethod
    def load_or_train(cls, project: BotProject, cache_dir: Path) -> "IntentClassifier":
        """Use the cached model for this exact bot/ data, or train and cache a new one."""
        model = load_or_build(cache_dir, f"nlu-{MODEL_VERSION}", project.digest, cls, lambda: cls.train(project))
        model.threshold = project.fallback_threshold
        return model

    def __getstate__(self) -> dict[str, Any]:
        # Only the readers are cached: loading them never imports scikit-learn.
        unkept = ("_last", "pipeline", "fitted_selectors")
        return {k: v for k, v in self.__dict__.items() if k not in unkept}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, pipeline=None, fitted_selectors={})

    def _row(self, text: str) -> Row:
        # The intent model and then the selector read the same message: its features are made once.
        last = self.__dict__.get("_last")
        if last is not None and last[0] == text:
            return last[1]
        row = self.model.row(text)
        self._last = (text, row)  # one tuple, replaced whole: another thread never sees half of it
        return row

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, best first."""
        probs = self.model.linear.proba(self._row(text))
        order = np.argsort(probs)[::-1]
        return [(self.labels[i], float(probs[i])) for i in order]

    def classify(self, text: str) -> tuple[str, float, list[tuple[str, float]]]:
        """The best intent, or nlu_fallback below the threshold."""
        ranking = self.rank(text)
        best, confidence = ranking[0]
        if confidence < self.threshold:
            return FALLBACK_INTENT, confidence, ranking[:10]
        return best, confidence, ranking[:10]

    def select(self, text: str, intent: str) -> list[tuple[str, float]]:
        """The intent's retrieval intents with their probabilities, best first (none for a plain intent)."""
        if intent not in self.selectors:
            return []
        row = self._row(text)
        selector = self.selectors[intent]
        probs = selector.proba(row)
        order = np.argsort(probs)[::-1]
        return [(selector.classes[i], float(probs[i])) for i in order[:5]]
