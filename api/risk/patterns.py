"""Curated English patterns (content/safety/patterns.yml): the first, high-precision net.

Each pattern names a kind and a level; `{slot}` in a pattern is replaced by the slot's
alternatives, so "any relation x any harm verb" is one line. A pattern may carry `unless`, an
everyday context that cancels it ("...at this college"). Every pattern lists messages it must
match and near misses it must not: tests/engine/test_risk_patterns.py checks each one.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.files import read_yaml
from api.risk.kinds import check_kind, check_level

_SLOT = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Pattern:
    """One curated pattern, compiled."""

    id: str
    kind: str
    level: str
    regex: re.Pattern[str]
    unless: re.Pattern[str] | None
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]

    def matches(self, folded: str) -> bool:
        """Whether the folded message says this (and no everyday context cancels it)."""
        return bool(self.regex.search(folded)) and not (self.unless and self.unless.search(folded))


@dataclass(frozen=True)
class PatternHit:
    """Which pattern matched."""

    kind: str
    level: str
    id: str


@dataclass(frozen=True)
class PatternSet:
    """All patterns, plus the phrases that inside a form may mean "stop" or "not safe"."""

    patterns: tuple[Pattern, ...]
    ambiguous: tuple[Pattern, ...]

    def hits(self, folded: str) -> list[PatternHit]:
        """Every pattern the folded message matches, crisis first."""
        found = [PatternHit(p.kind, p.level, p.id) for p in self.patterns if p.matches(folded)]
        return sorted(found, key=lambda h: h.level != "crisis")

    def is_ambiguous(self, folded: str) -> bool:
        """'I don't want to do this any more': stop the form, or not safe?"""
        return any(p.matches(folded) for p in self.ambiguous)


def _expand(pattern: str, slots: dict[str, str], where: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in slots:
            raise ValueError(f"{where}: unknown slot {{{name}}}")
        return slots[name]

    return _SLOT.sub(sub, pattern)


def _compile(raw: dict[str, Any], slots: dict[str, str], where: str, *, kinded: bool) -> Pattern:
    try:
        regex = re.compile(_expand(str(raw["match"]), slots, where))
        unless = re.compile(_expand(str(raw["unless"]), slots, where)) if raw.get("unless") else None
    except re.error as exc:
        raise ValueError(f"{where}: {exc}") from exc
    except KeyError as exc:
        raise ValueError(f"{where}: missing {exc}") from exc
    return Pattern(
        id=str(raw.get("id") or where),
        kind=check_kind(str(raw.get("kind"))) if kinded else "",
        level=check_level(str(raw.get("level"))) if kinded else "",
        regex=regex,
        unless=unless,
        examples=tuple(str(t) for t in raw.get("examples") or []),
        near_misses=tuple(str(t) for t in raw.get("not") or []),
    )


def load_patterns(path: Path) -> PatternSet:
    """Read and compile patterns.yml; a ValueError names the entry that is wrong."""
    raw = read_yaml(path) or {}
    slots = {name: "(?:" + "|".join(str(v) for v in values) + ")" for name, values in (raw.get("slots") or {}).items()}
    patterns = tuple(
        _compile(item, slots, f"{path.name} pattern {item.get('id', i)}", kinded=True)
        for i, item in enumerate(raw.get("patterns") or [])
    )
    ambiguous = tuple(
        _compile(item, slots, f"{path.name} ambiguous_in_form {item.get('id', i)}", kinded=False)
        for i, item in enumerate(raw.get("ambiguous_in_form") or [])
    )
    ids = [p.id for p in patterns]
    duplicated = {i for i in ids if ids.count(i) > 1}
    if duplicated:
        raise ValueError(f"{path.name}: pattern ids used twice: {', '.join(sorted(duplicated))}")
    return PatternSet(patterns, ambiguous)
