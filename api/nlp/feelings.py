"""Anger or upset in a message (content/feelings.yml): the bot says sorry before anything else.

Read on the folded message, as the safety patterns read it ("u didn't" -> "you didnt"). Words and phrases
match whole; patterns say what a list cannot ("you promised ... and never did").
"""

import re
from dataclasses import dataclass
from pathlib import Path

from api.files import read_yaml
from api.nlp.text import fold, word_pattern


@dataclass(frozen=True)
class Feelings:
    """What reads as anger or upset."""

    words: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def load(cls, path: Path) -> "Feelings":
        """The lists in `path` (no file: nothing reads as upset)."""
        raw = read_yaml(path) if path.exists() else {}
        words = [str(w).strip().lower() for w in (raw or {}).get("words") or []]
        patterns = tuple(re.compile(str(p)) for p in (raw or {}).get("patterns") or [])
        return cls(word_pattern(words), patterns)

    def upset(self, text: str) -> bool:
        """Whether the message is angry or upset about how things are going."""
        folded = fold(text)
        if self.words is not None and self.words.search(folded):
            return True
        return any(p.search(folded) for p in self.patterns)
