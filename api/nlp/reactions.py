"""What a young person says about the answer they were just given (content/reactions.yml): that it
helped, that it did not, or that it was not what they asked.

Read on the folded message, as content/feelings.yml is, only in a short message: a longer one is a
new question. "not what I asked" is read before "did not help", and that before "helped", so "not
helpful" is never taken for "helpful"; nor is "that wasn't helpful" (a negation turns "helped" round).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from api.files import read_yaml
from api.nlp.text import fold, keyword, word_pattern

NOT_ASKED, NOT_HELPED, HELPED, NO = "not_asked", "not_helped", "helped", "bare_no"
# "that wasn't helpful", "not very useful": a helped phrase said with a negation did not help.
_NEGATION = re.compile(r"\b(?:not|no|never|wasnt|isnt|didnt|doesnt|dont|hardly|barely)\b")


@dataclass(frozen=True)
class Reactions:
    """The lists, as whole-word patterns; `no` is matched as the whole message."""

    patterns: tuple[tuple[str, re.Pattern[str] | None], ...]
    no: frozenset[str]
    longest: int

    @classmethod
    def load(cls, path: Path) -> "Reactions":
        """The lists in `path` (no file: nothing is read as a reaction)."""
        raw = (read_yaml(path) if path.exists() else None) or {}

        def words(name: str) -> list[str]:
            return [str(w).strip().lower() for w in raw.get(name) or []]

        patterns = tuple((name, word_pattern(words(name))) for name in (NOT_ASKED, NOT_HELPED, HELPED))
        return cls(patterns, frozenset(words(NO)), int(raw.get("longest") or 8))

    def read(self, text: str) -> str | None:
        """NOT_ASKED, NOT_HELPED, HELPED or NO when the message says that about the answer, else None."""
        folded = keyword(fold(text))
        if not folded or len(folded.split()) > self.longest:
            return None
        for name, pattern in self.patterns:
            if pattern is not None and pattern.search(folded):
                return NOT_HELPED if name == HELPED and _NEGATION.search(folded) else name
        return NO if folded in self.no else None
