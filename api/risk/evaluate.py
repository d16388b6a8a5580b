"""How well the risk check hears what it was taught: cross-validated on content/safety/.

Each fold trains the classifier on the rest of the labelled set (plus bot/data's everyday
messages) and runs the whole check (patterns, languages, classifier) on the held-out messages.
Reported: recall by kind (flagged at any level, and with the right kind), the false-alarm rate on
the hard negatives, and how often the level was right. Also each language file's own examples.
`caring-promise safety eval` prints it; the README keeps the figures with their date.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from api.nlp.language import Languages
from api.risk.assess import Assessor
from api.risk.kinds import KINDS
from api.risk.languages import load_languages
from api.risk.model import NONE, Example, RiskClassifier, load_labelled
from api.risk.patterns import load_patterns


@dataclass
class Report:
    """The figures of one cross-validation."""

    folds: int
    flagged: Counter[str] = field(default_factory=Counter)  # by kind: flagged at any level
    right_kind: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    level_right: int = 0
    positives: int = 0
    false_alarms: list[str] = field(default_factory=list)
    negatives: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)
    languages: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # code: caught, of, false, of

    @property
    def recall(self) -> float:
        """Share of disclosures flagged at any level."""
        return sum(self.flagged.values()) / max(self.positives, 1)

    @property
    def false_alarm_rate(self) -> float:
        """Share of hard negatives flagged."""
        return len(self.false_alarms) / max(self.negatives, 1)

    def lines(self) -> list[str]:
        """The report as printed."""
        out = [
            f"Risk check, {self.folds}-fold cross-validation on content/safety/ ({self.positives} disclosures, "
            f"{self.negatives} hard negatives):"
        ]
        out.append(f"  {'kind':24} {'n':>4} {'recall':>7} {'kind right':>10}")
        for kind in KINDS:
            n = self.total[kind]
            if n:
                out.append(f"  {kind:24} {n:>4} {self.flagged[kind] / n:>7.2f} {self.right_kind[kind] / n:>10.2f}")
        out.append(f"  {'all':24} {self.positives:>4} {self.recall:>7.2f}")
        level = self.level_right / max(sum(self.flagged.values()), 1)
        out.append(f"  level right (crisis/concern) on flagged disclosures: {level:.2f}")
        out.append(
            f"  false alarms: {len(self.false_alarms)} of {self.negatives} hard negatives ({self.false_alarm_rate:.3f})"
        )
        for code, (caught, of, false, calm) in sorted(self.languages.items()):
            out.append(f"  language {code}: {caught}/{of} crisis examples caught, {false}/{calm} calm ones flagged")
        return out


def cross_validate(safety_dir: Path, everyday: list[str], folds: int = 5, seed: int = 0) -> Report:
    """Cross-validate the whole check on the labelled set (seeded, repeatable)."""
    examples = load_labelled(safety_dir)
    patterns = load_patterns(safety_dir / "patterns.yml")
    languages = load_languages(safety_dir / "languages")
    detector = Languages.load(safety_dir.parent)
    report = Report(folds)
    labels = [e.kind for e in examples]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(examples, labels):
        classifier = RiskClassifier([examples[i] for i in train], everyday, "cv")
        assessor = Assessor(patterns, languages, classifier, detector)
        for i in test:
            _score(report, examples[i], assessor)
    for code, language in languages.items():
        caught = sum(assessor.assess(t).at_risk for t in language.escalate)
        false = sum(assessor.assess(t).at_risk for t in language.calm)
        report.languages[code] = (caught, len(language.escalate), false, len(language.calm))
    return report


def _score(report: Report, example: Example, assessor: Assessor) -> None:
    verdict = assessor.assess(example.text)
    if example.kind == NONE:
        report.negatives += 1
        if verdict.at_risk:
            report.false_alarms.append(example.text)
        return
    report.positives += 1
    report.total[example.kind] += 1
    if verdict.at_risk:
        report.flagged[example.kind] += 1
        report.right_kind[example.kind] += verdict.kind == example.kind
        report.level_right += verdict.level == example.level
    else:
        report.missed.append((example.kind, example.text))
