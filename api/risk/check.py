"""`caring-promise content check` for content/safety/: what a reviewer must fix, and what to review.

Problems: a file that does not load; a pattern without examples, or one that misses its own examples
or matches its near misses; a language whose answer lacks 999, 116 123 or 0800 1111, or whose phrases
miss its crisis examples or match its calm ones. Notes: translations no fluent speaker has reviewed.
"""

from dataclasses import dataclass, field
from pathlib import Path

from api.nlp.text import fold
from api.risk.languages import load_languages
from api.risk.model import load_labelled
from api.risk.patterns import load_patterns

# Every language's crisis answer names these (the English one after it names the rest).
ANSWER_NUMBERS = ("999", "116 123", "0800 1111")
# The answers content/<council>/ must have for the risk check.
REQUIRED_ANSWERS = ("crisis", "concern", "concern_safe", "safety_which")


@dataclass
class SafetyReport:
    """Problems fail the check; notes do not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_safety(safety_dir: Path) -> SafetyReport:
    """Check patterns.yml, languages/ and the labelled set."""
    report = SafetyReport()
    try:
        patterns = load_patterns(safety_dir / "patterns.yml")
    except (OSError, ValueError) as exc:
        report.problems.append(f"safety/patterns.yml: {exc}")
    else:
        for p in (*patterns.patterns, *patterns.ambiguous):
            if len(p.examples) < 2 or not p.near_misses:
                report.problems.append(f"safety/patterns.yml {p.id}: needs 2 examples and 1 near miss (not:)")
            for text in p.examples:
                if not p.matches(fold(text)):
                    report.problems.append(f"safety/patterns.yml {p.id}: does not match its example {text!r}")
            for text in p.near_misses:
                if p.matches(fold(text)):
                    report.problems.append(f"safety/patterns.yml {p.id}: matches its near miss {text!r}")
    try:
        languages = load_languages(safety_dir / "languages")
    except (OSError, ValueError) as exc:
        report.problems.append(f"safety/languages: {exc}")
        languages = {}
    for code, language in languages.items():
        where = f"safety/languages/{code}.yml"
        missing = [n for n in ANSWER_NUMBERS if n not in language.reply]
        if missing:
            report.problems.append(f"{where}: the answer does not name {', '.join(missing)}")
        for text in language.escalate:
            if language.match(fold(text)) is None:
                report.problems.append(f"{where}: no phrase matches its crisis example {text!r}")
        for text in language.calm:
            if language.match(fold(text)) is not None:
                report.problems.append(f"{where}: a phrase matches its calm example {text!r}")
        if not language.reviewed:
            report.notes.append(f"{where}: {language.english_name} not yet reviewed by a fluent speaker")
    try:
        load_labelled(safety_dir)
    except (OSError, ValueError) as exc:
        report.problems.append(f"safety/examples.yml or negatives.yml: {exc}")
    return report
