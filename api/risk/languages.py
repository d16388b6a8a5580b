"""Other languages: which one a message is in, crisis phrases in each, and the answer in each.

content/safety/languages/<code>.yml holds, per language, crisis phrases by kind (in folded form,
see text.py), a short crisis answer in that language, and examples that must and must not match.
Each file says who wrote it and whether a fluent speaker has reviewed it; `caring-promise content
check` lists the unreviewed ones. The language of a message is, in order: the language whose crisis
phrases it matched; a language told by its script (Ethiopic: Tigrinya or Amharic); py3langid's
bundled model, restricted to the languages young people here write in.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from api.risk.kinds import check_kind

UNREVIEWED = "machine-assisted, needs review by a fluent speaker"
# What py3langid may answer: English plus the languages care leavers here most often write in.
# (Tigrinya is not in its model: Ethiopic script without a phrase match is reported as "ethiopic".)
DETECTABLE = ("en", "ar", "ps", "fa", "ku", "am", "so", "sq", "vi", "pl", "ro", "cy", "fr", "ur", "tr", "pt", "es")
# Names of the codes py3langid may give that have no file of their own.
LANGUAGE_NAMES = {
    "en": "English",
    "ur": "Urdu",
    "tr": "Turkish",
    "pt": "Portuguese",
    "es": "Spanish",
    "ku": "Kurdish",
    "ethiopic": "Tigrinya or Amharic (Ethiopic script)",
}
# Below this many letters a language guess is noise ("ok", "hi").
MIN_LETTERS = 12


@dataclass(frozen=True)
class Language:
    """One language's file."""

    code: str
    name: str
    english_name: str
    script: str
    review: str
    source: str
    phrases: tuple[tuple[str, re.Pattern[str]], ...]  # (kind, pattern)
    reply: str
    escalate: tuple[str, ...]
    calm: tuple[str, ...]

    @property
    def reviewed(self) -> bool:
        """Whether a fluent speaker has signed its phrases and answer off."""
        return bool(self.review) and self.review != UNREVIEWED

    def match(self, folded: str) -> str | None:
        """The kind of the first crisis phrase the folded message holds."""
        for kind, pattern in self.phrases:
            if pattern.search(folded):
                return kind
        return None


def _language(path: Path) -> Language:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = f"content/safety/languages/{path.name}"
    try:
        phrases = tuple(
            (check_kind(kind), re.compile(p)) for kind, items in (raw.get("phrases") or {}).items() for p in items or []
        )
    except (re.error, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    for key in ("code", "name", "english_name", "reply"):
        if not raw.get(key):
            raise ValueError(f"{where}: missing {key}")
    examples = raw.get("examples") or {}
    return Language(
        code=str(raw["code"]),
        name=str(raw["name"]),
        english_name=str(raw["english_name"]),
        script=str(raw.get("script") or "Latin"),
        review=str(raw.get("review") or UNREVIEWED),
        source=str(raw.get("source") or ""),
        phrases=phrases,
        reply=str(raw["reply"]).strip(),
        escalate=tuple(str(t) for t in examples.get("escalate") or []),
        calm=tuple(str(t) for t in examples.get("calm") or []),
    )


def load_languages(folder: Path) -> dict[str, Language]:
    """Every language file, by code."""
    languages = {}
    for path in sorted(folder.glob("*.yml")):
        language = _language(path)
        languages[language.code] = language
    return languages


def script_of(text: str) -> str | None:
    """The main non-Latin script of the text: 'Arabic', 'Ethiopic', ... or None for Latin (or none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x024F:
            name = unicodedata.name(ch, "")
            script = name.split(" ")[0] if name else ""
            if script:
                counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    script, count = max(counts.items(), key=lambda kv: kv[1])
    letters = sum(ch.isalpha() for ch in text)
    return script.title() if count * 2 >= letters else None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detect(text: str) -> str | None:
    """A language code for the message ('en', 'ar', 'ethiopic'...), or None when too short to tell."""
    script = script_of(text)
    if script == "Ethiopic":
        return "ethiopic"
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(text)
    return str(code) if probability >= 0.5 else None
