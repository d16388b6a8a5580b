"""The crisis check every message passes before anything else.

Two nets: a curated phrase list that knows text speak (kms, unalive, od, "end it"), and the
intent classifier. Either one is enough; everyday idioms ("this form is killing me") can only
quiet the classifier, never a phrase.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.content import Reply, get_pack
from api.engine.nlu import normalise

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.yml")
CRISIS_INTENT = "crisis"
# The classifier's crisis probability that escalates on its own. The phrase list is the main net;
# this catches what it misses. At 0.5 (not lower) it leaves everyday questions alone.
CLASSIFIER_THRESHOLD = 0.5
ABUSE_KINDS = frozenset({"abuse", "exploitation", "violence"})


@dataclass(frozen=True)
class Assessment:
    """The verdict on one message."""

    crisis: bool
    kind: str = ""  # suicide | self_harm | abuse | exploitation | violence | danger
    matched: str = ""  # the phrase pattern, or "classifier"
    confidence: float = 0.0

    @property
    def about_abuse(self) -> bool:
        """Abuse, exploitation or violence: the reply adds what to do about that."""
        return self.kind in ABUSE_KINDS


NOT_CRISIS = Assessment(False)


@dataclass(frozen=True)
class PhraseList:
    """Compiled patterns by kind, plus the calm idioms."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    calm: tuple[re.Pattern[str], ...]

    def match(self, text: str) -> tuple[str, str] | None:
        """The first (kind, pattern) that matches the normalised text."""
        for kind, pattern in self.patterns:
            if pattern.search(text):
                return kind, pattern.pattern
        return None

    def is_calm_idiom(self, text: str) -> bool:
        """An everyday idiom that explains the alarming words away."""
        return any(p.search(text) for p in self.calm)


@lru_cache
def load_phrases(path: Path = PHRASES_FILE) -> PhraseList:
    """Read and compile crisis_phrases.yml (once per process)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns = tuple((kind, re.compile(p)) for kind, items in raw.items() if kind != "calm" for p in items or [])
    calm = tuple(re.compile(p) for p in raw.get("calm") or [])
    return PhraseList(patterns, calm)


def _crisis_kind_from_words(text: str) -> str:
    """A best guess at the kind when only the classifier spoke."""
    if re.search(r"\b(hit|hits|hurt me|abuse|touch|scared of|threat|beat)", text):
        return "abuse"
    if re.search(r"\b(drugs|pics|nudes|owe)", text):
        return "exploitation"
    if re.search(r"\b(cut|harm|pills|tablets|od)\b", text):
        return "self_harm"
    return "danger"


def phrase_verdict(text: str, phrases: PhraseList | None = None) -> Assessment:
    """The phrase list alone: no model, the quickest path to help."""
    hit = (phrases or load_phrases()).match(normalise(text))
    return Assessment(True, hit[0], hit[1], 1.0) if hit else NOT_CRISIS


def classifier_verdict(text: str, crisis_probability: float, phrases: PhraseList | None = None) -> Assessment:
    """The classifier's crisis probability, unless an everyday idiom explains the alarming words."""
    clean = normalise(text)
    if crisis_probability >= CLASSIFIER_THRESHOLD and not (phrases or load_phrases()).is_calm_idiom(clean):
        return Assessment(True, _crisis_kind_from_words(clean), "classifier", crisis_probability)
    return NOT_CRISIS


def assess(text: str, crisis_probability: float = 0.0, phrases: PhraseList | None = None) -> Assessment:
    """Decide whether a message is a crisis from the phrase list and the classifier's probability."""
    verdict = phrase_verdict(text, phrases)
    return verdict if verdict.crisis else classifier_verdict(text, crisis_probability, phrases)


def crisis_replies(verdict: Assessment, channel: str) -> list[Reply]:
    """The crisis answer (help that works now), plus what to do about abuse when it is about abuse."""
    pack = get_pack()
    replies = [pack.render("crisis", channel)]
    if verdict.about_abuse and pack.has("crisis_abuse"):
        replies.append(pack.render("crisis_abuse", channel))
    return replies
