"""Other languages: which one a message is in, crisis phrases in each, and the answer in each.

content/safety/languages/<code>.yml holds, per language, crisis phrases by kind (in folded form,
see text.py), a short crisis answer in that language, and examples that must and must not match.
Each file says who wrote it and whether a fluent speaker has reviewed it; `caring-promise content
check` lists the unreviewed ones. The language of a message is the one whose crisis phrases it
matched, or else what api/nlp/language.py detects.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.files import read_yaml
from api.nlp.language import UNREVIEWED
from api.risk.kinds import check_kind


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
    raw: dict[str, Any] = read_yaml(path) or {}
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
