"""The risk check every message passes before anything else, at any point of any conversation.

Layers, each enough on its own:
1. curated English patterns with slots (content/safety/patterns.yml): high precision, each tested;
2. crisis phrases in other languages (content/safety/languages/): the answer in that language too;
3. a classifier trained on labelled disclosures and hard negatives (content/safety/): it hears
   what the patterns do not list, in young people's words.
The conversation adds a fourth (api/engine/core.py): a concern followed by more of the same, or a
"no" to "are you safe right now?", rises to crisis.
"""

import logging
import re
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from api.config import get_settings
from api.nlp.language import Detected, Languages, script_of
from api.nlp.model_cache import load_or_build
from api.nlp.rasa_data import load_project
from api.nlp.text import fold, has_words, without_contacts
from api.risk.kinds import KINDS
from api.risk.languages import Language, load_languages
from api.risk.model import RiskClassifier, digest_of, load_labelled
from api.risk.patterns import PatternSet, load_patterns

log = logging.getLogger(__name__)
# The classifier alone flags a message from this probability of harm (cross-validated on
# content/safety/: `caring-promise safety eval` prints recall and false alarms at these values)...
RISK_THRESHOLD = 0.5
# ...and calls it a crisis (rather than a concern) only when it is this sure and the level model agrees.
CRISIS_RISK = 0.8
# The classifier alone flags a message of at least this many words: nothing it was taught is one word, and
# "no" (to "are you safe right now?" or anything else) must never read as neglect because "no food" does.
# A one-word disclosure ("suicidal", "overdosed") is the patterns' to hear.
CLASSIFIER_WORDS = 2
# Control characters (a NUL byte cannot even be stored in PostgreSQL); tabs and newlines stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Drop control characters; keep everything else."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Assessment:
    """The verdict on one message."""

    at_risk: bool
    kind: str = ""  # one of KINDS
    level: str = ""  # crisis | concern
    matched: str = ""  # pattern:<id> | language:<code> | classifier | button | context:<why>
    confidence: float = 0.0
    language: str | None = None  # the message's language, when it can be told
    answer_language: str | None = None  # a language whose pre-written crisis answer goes first

    @property
    def urgent(self) -> bool:
        """A crisis: act now."""
        return self.at_risk and self.level == "crisis"

    def raised(self, why: str) -> "Assessment":
        """The same risk, now a crisis (more of the same, or not safe right now)."""
        return replace(self, level="crisis", matched=f"context:{why}"[:200])

    def as_json(self) -> dict[str, object]:
        """What /model/parse adds as `risk`."""
        return {
            "kind": self.kind,
            "level": self.level,
            "language": self.language,
            "matched": self.matched,
            "confidence": round(self.confidence, 4),
        }


NOT_AT_RISK = Assessment(False)


def danger_now(matched: str, language: str | None = None) -> Assessment:
    """A crisis with no more detail (the "help now" button, or a real Rasa server's own verdict)."""
    return Assessment(True, "danger_now", "crisis", matched, 1.0, language)


class Assessor:
    """Patterns, languages and the classifier, loaded once per process."""

    def __init__(
        self, patterns: PatternSet, languages: dict[str, Language], classifier: RiskClassifier, detector: Languages
    ) -> None:
        self.patterns = patterns
        self.languages = languages
        self.classifier = classifier
        self.detector = detector

    def assess(self, text: str, detected: Detected | None = None) -> Assessment:
        """The verdict on one message, on its own (the conversation's context is the engine's); `detected`
        is its language when the caller has already told it."""
        text = clean_text(text)
        folded = fold(text)
        if not folded:
            return NOT_AT_RISK
        language = (detected or self.detector.detect(text)).code
        hits = self.patterns.hits(folded)
        if hits and hits[0].level == "crisis":
            return Assessment(True, hits[0].kind, "crisis", f"pattern:{hits[0].id}", 1.0, language)
        foreign = self._other_language(folded, language)
        if foreign is not None:
            code, kind = foreign
            return Assessment(True, kind, "crisis", f"language:{code}", 1.0, code, code)
        if script_of(text) not in (None, "Latin") or language not in (None, "en"):
            # Another language and none of its crisis phrases: the English classifier cannot read it
            # ("je me coupe les cheveux" is not self-harm). English patterns still count, as a concern.
            if hits:
                return Assessment(True, hits[0].kind, "concern", f"pattern:{hits[0].id}", 1.0, language)
            return replace(NOT_AT_RISK, language=language)
        # Contact details say nothing about harm: the classifier never sees them.
        readable = without_contacts(folded)
        if not has_words(readable):
            return replace(NOT_AT_RISK, language=language)
        prediction = self.classifier.predict(readable)
        if prediction.risk >= RISK_THRESHOLD and (hits or len(readable.split()) >= CLASSIFIER_WORDS):
            level = "crisis" if prediction.risk >= CRISIS_RISK and prediction.crisis >= 0.5 else "concern"
            kind = hits[0].kind if hits else prediction.kind
            return Assessment(True, kind, level, "classifier", prediction.risk, language)
        if hits:
            return Assessment(True, hits[0].kind, "concern", f"pattern:{hits[0].id}", 1.0, language)
        return Assessment(False, confidence=prediction.risk, language=language)

    def _other_language(self, folded: str, language: str | None) -> tuple[str, str] | None:
        """(language code, kind) when a crisis phrase of another language is in the message."""
        if language == "en":
            return None
        ordered = sorted(self.languages.values(), key=lambda lang: lang.code != language)
        for lang in ordered:
            kind = lang.match(folded)
            if kind is not None:
                return lang.code, kind
        return None

    def is_ambiguous_in_form(self, text: str) -> bool:
        """Inside a form, 'I don't want to do this any more' may mean stop the form, or not safe."""
        return self.patterns.is_ambiguous(fold(clean_text(text)))

    def language(self, code: str | None) -> Language | None:
        """A language's file, when there is one."""
        return self.languages.get(code or "")

    def language_name(self, code: str | None) -> str:
        """What staff pages call a language code: 'Tigrinya', 'English', 'not known'."""
        return self.detector.name(code)


def build_assessor(safety_dir: Path, cache_dir: Path, everyday: list[str]) -> Assessor:
    """Load the data files and the classifier (cached, keyed by its training data)."""
    digest = digest_of(safety_dir, everyday)
    classifier = load_or_build(
        cache_dir,
        "risk",
        digest,
        RiskClassifier,
        lambda: RiskClassifier(load_labelled(safety_dir), everyday, digest),
    )
    detector = Languages.load(safety_dir.parent)
    assessor = Assessor(
        load_patterns(safety_dir / "patterns.yml"), load_languages(safety_dir / "languages"), classifier, detector
    )
    detector.detect("warm up the language model")
    return assessor


@lru_cache
def get_assessor() -> Assessor:
    """The process's assessor, from the settings' content/ and bot/ (everyday examples)."""
    settings = get_settings()
    started = time.perf_counter()
    project = load_project(settings.bot_dir)
    everyday = [text for text, intent in project.nlu.examples if intent != "crisis"]
    assessor = build_assessor(settings.content_dir / "safety", settings.cache_dir, everyday)
    log.info("risk check ready", extra={"seconds": round(time.perf_counter() - started, 2), "kinds": len(KINDS)})
    return assessor
