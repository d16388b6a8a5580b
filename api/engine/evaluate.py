"""The embedded NLU engine beside real Rasa 3.6: the same folds, the same dev set, one table.

`caring-promise nlu compare` prints it. Both engines are measured the same way:

- Cross-validation: stratified k folds of bot/data on the full label (`money/setting_up_home` is a class
  of its own), seeded. Each fold trains on the rest and is measured on what it held out: intent
  accuracy and macro-F1 over the base intents, and sub-answer accuracy on the held-out examples of
  retrieval intents.
- The dev set (shared/eval/dev_intents.yml, written the way young people write and never trained
  on): trained on all of bot/data. The product runs the risk check before the classifier, so a
  `crisis` message counts as right when either says crisis; the classifier alone is reported too.

The intent counted is the top-ranked one, with the fallback undone, as `rasa test nlu` counts it.
Real Rasa runs as a subprocess from its own virtual environment (`nice`, one thread): `rasa train
nlu` on each fold's training part, `rasa test nlu` on its test part, then the per-message
predictions it writes are scored here exactly as the embedded engine's are.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from api.engine.nlu import IntentClassifier
from api.files import read_yaml
from api.nlp.rasa_data import RESPONSES, RETRIEVAL_SEPARATOR, BotProject, base_intent, load_project
from api.risk import get_assessor

EMBEDDED = "embedded"
RASA = "Rasa 3.6 (DIET + ResponseSelector)"
NOT_RUN = "not run"
CRISIS = "crisis"
# Rasa shares the machine: one thread each for TensorFlow, OpenMP and BLAS, and `nice`.
QUIET_THREADS = {
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
RASA_TIMEOUT = 4 * 3600  # seconds for one rasa command: a training takes minutes to an hour

Log = Callable[[str], None]


def _silent(_: str) -> None:
    pass


@dataclass
class Prediction:
    """One held-out message: its true label and what an engine made of it."""

    text: str
    label: str  # the true intent or retrieval intent (`money/setting_up_home`)
    intent: str | None  # the top-ranked intent (None: the engine gave no answer)
    key: str | None = None  # the sub-answer chosen, for an example of a retrieval intent


@dataclass
class FoldScores:
    """One fold of the cross-validation."""

    fold: int
    examples: int
    accuracy: float
    macro_f1: float
    sub_answer: float | None  # None: no held-out example of a retrieval intent
    sub_answers: int
    train_seconds: float
    test_seconds: float


@dataclass
class DevScores:
    """The dev set, with the model trained on all of bot/data."""

    messages: int
    accuracy: float  # a crisis message is right when the classifier or the risk check says so
    macro_f1: float
    plain_accuracy: float  # the classifier alone
    plain_macro_f1: float
    train_seconds: float | None  # None: a cached model was used
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (intent, predicted, text), classifier alone


@dataclass
class EngineReport:
    """Everything measured for one engine."""

    name: str
    folds: list[FoldScores] = field(default_factory=list)
    dev: DevScores | None = None
    skipped: str | None = None  # why it did not run at all
    notes: list[str] = field(default_factory=list)

    def mean(self, attribute: str) -> tuple[float, float, int] | None:
        """Mean and standard deviation of a fold figure over the folds that have it, and how many."""
        values = [getattr(f, attribute) for f in self.folds if getattr(f, attribute) is not None]
        if not values:
            return None
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.fmean(values), sd, len(values)


@dataclass
class Comparison:
    """Both engines on the same folds and dev set."""

    folds: int
    seed: int
    examples: int
    dev_messages: int
    engines: list[EngineReport]
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The table and its notes, as printed."""
        rows: list[tuple[str, Callable[[EngineReport], str]]] = [
            ("dev accuracy (risk check + classifier)", lambda e: _dev(e, "accuracy")),
            ("dev macro-F1 (risk check + classifier)", lambda e: _dev(e, "macro_f1")),
            ("dev accuracy, classifier alone", lambda e: _dev(e, "plain_accuracy")),
            ("dev macro-F1, classifier alone", lambda e: _dev(e, "plain_macro_f1")),
            ("CV intent accuracy", lambda e: _cv(e, "accuracy", self.folds)),
            ("CV intent macro-F1", lambda e: _cv(e, "macro_f1", self.folds)),
            ("CV sub-answer accuracy", lambda e: _cv(e, "sub_answer", self.folds)),
            ("train time per fold", lambda e: _cv_seconds(e, "train_seconds")),
            ("train time, all of bot/data", _dev_seconds),
            ("test time per fold", lambda e: _cv_seconds(e, "test_seconds")),
        ]
        names = [e.name for e in self.engines]
        cells = [[label] + [cell(e) for e in self.engines] for label, cell in rows]
        widths = [max(len(row[i]) for row in cells + [["", *names]]) for i in range(len(names) + 1)]
        out = [
            f"NLU: the embedded engine and real Rasa on bot/data ({self.examples} examples), "
            f"{self.folds}-fold stratified cross-validation (seed {self.seed}), dev set {self.dev_messages} messages.",
            "",
            "  ".join(text.ljust(width) for text, width in zip(["", *names], widths, strict=True)).rstrip(),
        ]
        out.append("  ".join("-" * width for width in widths))
        for row in cells:
            out.append("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
        out.append("")
        out.append("Notes:")
        out.extend(f"- {note}" for note in self.notes)
        for engine in self.engines:
            if engine.skipped:
                out.append(f"- {engine.name}: {engine.skipped}")
            out.extend(f"- {engine.name}: {note}" for note in engine.notes)
            for fold in engine.folds:
                out.append(
                    f"- {engine.name}, fold {fold.fold}: {fold.examples} held out, accuracy {fold.accuracy:.3f}, "
                    f"macro-F1 {fold.macro_f1:.3f}, sub-answer {_figure(fold.sub_answer)} "
                    f"({fold.sub_answers} examples); "
                    f"trained in {_duration(fold.train_seconds)}, tested in {_duration(fold.test_seconds)}"
                )
        return out

    def as_json(self) -> dict[str, Any]:
        """The figures, for `--json`."""
        engines: dict[str, Any] = {}
        for engine in self.engines:
            summary = {
                attribute: dict(zip(("mean", "sd", "folds"), figure, strict=True))
                for attribute in ("accuracy", "macro_f1", "sub_answer", "train_seconds", "test_seconds")
                if (figure := engine.mean(attribute)) is not None
            }
            engines[engine.name] = {
                "status": engine.skipped or "ran",
                "cv": summary,
                "folds": [asdict(f) for f in engine.folds],
                "dev": asdict(engine.dev) if engine.dev else None,
                "notes": engine.notes,
            }
        return {
            "folds": self.folds,
            "seed": self.seed,
            "examples": self.examples,
            "dev_messages": self.dev_messages,
            "engines": engines,
            "notes": self.notes,
        }


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _dev(engine: EngineReport, attribute: str) -> str:
    if engine.dev is None:
        return NOT_RUN
    return _figure(getattr(engine.dev, attribute))


def _dev_seconds(engine: EngineReport) -> str:
    if engine.dev is None:
        return NOT_RUN
    return "-" if engine.dev.train_seconds is None else _duration(engine.dev.train_seconds)


def _cv(engine: EngineReport, attribute: str, folds: int) -> str:
    figure = engine.mean(attribute)
    if figure is None:
        return NOT_RUN if not engine.folds else "-"
    mean, sd, n = figure
    return f"{mean:.3f} ± {sd:.3f}" + (f" ({n} of {folds} folds)" if n < folds else "")


def _cv_seconds(engine: EngineReport, attribute: str) -> str:
    figure = engine.mean(attribute)
    return NOT_RUN if figure is None else _duration(figure[0])


def load_dev(path: Path) -> list[tuple[str, str]]:
    """The dev set's (text, intent) pairs: a YAML mapping of intent to a list of messages."""
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of intent to messages")
    return [(str(text), str(intent)) for intent, texts in raw.items() for text in texts or []]


def folds_of(examples: Sequence[tuple[str, str]], folds: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """Stratified folds on the full label (a retrieval intent is a class of its own), seeded."""
    labels = [label for _, label in examples]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return [(list(train), list(test)) for train, test in splitter.split(labels, labels)]


def intent_figures(predictions: Sequence[Prediction]) -> tuple[float, float]:
    """Intent accuracy and macro-F1 over the true base intents (a retrieval intent counts as its intent)."""
    if not predictions:
        return 0.0, 0.0
    gold = [base_intent(p.label) for p in predictions]
    predicted = [p.intent or "" for p in predictions]
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    macro = f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)
    return accuracy, float(macro)


def sub_answer_figure(predictions: Sequence[Prediction]) -> tuple[float | None, int]:
    """Share of the retrieval intents' examples whose chosen sub-answer is the true one, and how many."""
    asked = [p for p in predictions if RETRIEVAL_SEPARATOR in p.label]
    if not asked:
        return None, 0
    return sum(p.key == p.label for p in asked) / len(asked), len(asked)


def dev_scores(predictions: Sequence[Prediction], flagged: dict[str, bool], train_seconds: float | None) -> DevScores:
    """Score the dev set twice: the classifier alone, and with the risk check answering crisis first."""
    plain_accuracy, plain_f1 = intent_figures(predictions)
    checked = [replace(p, intent=CRISIS) if p.label == CRISIS and flagged.get(p.text) else p for p in predictions]
    accuracy, macro_f1 = intent_figures(checked)
    misses = [(p.label, p.intent or "-", p.text) for p in predictions if p.intent != base_intent(p.label)]
    return DevScores(len(predictions), accuracy, macro_f1, plain_accuracy, plain_f1, train_seconds, misses)


def _fold_scores(fold: int, predictions: Sequence[Prediction], train_seconds: float, test_seconds: float) -> FoldScores:
    accuracy, macro_f1 = intent_figures(predictions)
    sub_answer, sub_answers = sub_answer_figure(predictions)
    return FoldScores(fold, len(predictions), accuracy, macro_f1, sub_answer, sub_answers, train_seconds, test_seconds)


def with_examples(project: BotProject, examples: list[tuple[str, str]]) -> BotProject:
    """The project with only these training examples (lookups, regexes and synonyms kept)."""
    return replace(project, nlu=replace(project.nlu, examples=examples))


def embedded_predictions(classifier: IntentClassifier, examples: Sequence[tuple[str, str]]) -> list[Prediction]:
    """The embedded engine's top intent for each example and, for a retrieval intent's example, the
    sub-answer its selector picks given the true intent."""
    predictions = []
    for text, label in examples:
        intent = classifier.rank(text)[0][0]
        key = None
        if RETRIEVAL_SEPARATOR in label:
            ranking = classifier.select(text, base_intent(label))
            key = ranking[0][0] if ranking else None
        predictions.append(Prediction(text, label, intent, key))
    return predictions


def evaluate_embedded(
    project: BotProject,
    splits: Sequence[tuple[list[int], list[int]]],
    dev: Sequence[tuple[str, str]],
    flagged: dict[str, bool],
    trained: IntentClassifier | None = None,
    log: Log = _silent,
) -> EngineReport:
    """Cross-validate the embedded engine on the splits; then the dev set, on `trained` (the model of
    all of bot/data, e.g. the cached one) or on a model trained here."""
    report = EngineReport(EMBEDDED)
    examples = project.nlu.examples
    for k, (train, test) in enumerate(splits, start=1):
        started = time.perf_counter()
        classifier = IntentClassifier.train(with_examples(project, [examples[i] for i in train]))
        trained_at = time.perf_counter()
        predictions = embedded_predictions(classifier, [examples[i] for i in test])
        fold = _fold_scores(k, predictions, trained_at - started, time.perf_counter() - trained_at)
        report.folds.append(fold)
        trained_in = _duration(fold.train_seconds)
        log(f"embedded fold {k}/{len(splits)}: accuracy {fold.accuracy:.3f}, trained in {trained_in}")
    if dev:
        seconds: float | None = None
        if trained is None:
            started = time.perf_counter()
            trained = IntentClassifier.train(project)
            seconds = time.perf_counter() - started
        report.dev = dev_scores(embedded_predictions(trained, dev), flagged, seconds)
        log(f"embedded dev set: accuracy {report.dev.accuracy:.3f}")
    report.notes.append(
        "sub-answer: the selector of the true intent picks among that intent's sub-answers (as the product "
        "asks it, once the intent is known)"
    )
    return report


def _nlu_yaml(examples: Sequence[tuple[str, str]]) -> str:
    """Rasa 3.1 NLU training data: one block per intent or retrieval intent, in first-seen order."""
    by_label: dict[str, list[str]] = {}
    for text, label in examples:
        by_label.setdefault(label, []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for label, texts in by_label.items():
        lines.append(f"- intent: {label}")
        lines.append("  examples: |")
        lines.extend(f"    - {' '.join(text.split())}" for text in texts if text.strip())
    return "\n".join(lines) + "\n"


def entity_data(nlu_dir: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """The files of bot/data/nlu with no intent examples (lookups, synonyms, regexes: copied as they
    are), and the items of that kind the other files hold (written out beside the examples)."""
    as_is: list[Path] = []
    items: list[dict[str, Any]] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        raw = read_yaml(path) or {}
        entries = [item for item in raw.get("nlu") or [] if isinstance(item, dict)]
        if any("intent" in item for item in entries):
            items.extend(item for item in entries if "intent" not in item)
        else:
            as_is.append(path)
    return as_is, items


class RasaRunner:
    """Real Rasa on the command line: trains and tests NLU models in a scratch folder."""

    def __init__(self, executable: Path, bot_dir: Path, work: Path) -> None:
        self.executable = executable
        self.bot_dir = bot_dir
        self.work = work
        # The ResponseSelector needs the retrieval intents' responses: `rasa train nlu` takes them
        # from the domain (a folder is merged), so the domain is domain.yml beside data/responses.yml.
        self.domain = work / "domain"
        self.domain.mkdir(parents=True, exist_ok=True)
        shutil.copy(bot_dir / "domain.yml", self.domain / "domain.yml")
        if (bot_dir / RESPONSES).exists():
            shutil.copy(bot_dir / RESPONSES, self.domain / "responses.yml")
        self.as_is, self.extras = entity_data(bot_dir / "data" / "nlu")
        self.env = {
            **os.environ,
            **QUIET_THREADS,
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_MAX_CACHE_SIZE": "0",  # no training cache: every model is trained from scratch
            "RASA_CACHE_DIRECTORY": str(work / "cache"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }

    def training_data(self, folder: Path, examples: Sequence[tuple[str, str]]) -> Path:
        """Write a folder of NLU data: these examples plus bot/data's lookups, regexes and synonyms."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "examples.yml").write_text(_nlu_yaml(examples), encoding="utf-8")
        for path in self.as_is:
            shutil.copy(path, folder / path.name)
        if self.extras:
            extras = yaml.safe_dump({"version": "3.1", "nlu": self.extras}, sort_keys=False, allow_unicode=True)
            (folder / "extras.yml").write_text(extras, encoding="utf-8")
        return folder

    def _run(self, args: list[str], name: str) -> float:
        """Run one rasa command under `nice`, one thread; its output goes to <work>/<name>.log."""
        command = ["nice", "-n", "10", str(self.executable), *args]
        log_path = self.work / f"{name}.log"
        started = time.perf_counter()
        with log_path.open("w", encoding="utf-8") as out:
            done = subprocess.run(
                command, cwd=self.work, env=self.env, stdout=out, stderr=subprocess.STDOUT, timeout=RASA_TIMEOUT
            )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            raise RuntimeError(f"`rasa {args[0]} {args[1]}` failed ({done.returncode}):\n" + "\n".join(tail))
        return seconds

    def train(self, nlu: Path, name: str) -> tuple[Path, float]:
        """`rasa train nlu` with bot/config.yml: the model's path and the seconds it took."""
        out = self.work / "models"
        seconds = self._run(
            [
                "train",
                "nlu",
                "--config",
                str(self.bot_dir / "config.yml"),
                "--nlu",
                str(nlu),
                "--domain",
                str(self.domain),
                "--out",
                str(out),
                "--fixed-model-name",
                name,
            ],
            f"train-{name}",
        )
        model = out / f"{name}.tar.gz"
        if not model.exists():
            raise RuntimeError(f"`rasa train nlu` wrote no model at {model} (see {self.work / f'train-{name}.log'})")
        return model, seconds

    def test(self, model: Path, examples: Sequence[tuple[str, str]], name: str) -> tuple[list[Prediction], float]:
        """`rasa test nlu` on these examples: each one's prediction, read from the files it writes."""
        data = self.work / f"{name}.yml"
        data.write_text(_nlu_yaml(examples), encoding="utf-8")
        out = self.work / f"results-{name}"
        seconds = self._run(
            ["test", "nlu", "--nlu", str(data), "--model", str(model), "--out", str(out), "--successes", "--no-plot"],
            f"test-{name}",
        )
        return read_rasa_results(out, examples), seconds


def _read_json(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def read_rasa_results(out: Path, examples: Sequence[tuple[str, str]]) -> list[Prediction]:
    """Each example's predictions from `rasa test nlu --successes`: intent_{successes,errors}.json (Rasa's
    target there is the base intent) and response_selection_{successes,errors}.json (the full key)."""
    intents: dict[tuple[str, str], str | None] = {}
    for row in _read_json(out / "intent_successes.json") + _read_json(out / "intent_errors.json"):
        intents[(str(row.get("text")), str(row.get("intent")))] = (row.get("intent_prediction") or {}).get("name")
    keys: dict[tuple[str, str], str | None] = {}
    for name in ("response_selection_successes.json", "response_selection_errors.json"):
        for row in _read_json(out / name):
            predicted = (row.get("intent_response_key_prediction") or {}).get("name")
            keys[(str(row.get("text")), str(row.get("intent_response_key_target")))] = predicted or None
    predictions = []
    for text, label in examples:
        message = " ".join(text.split())
        key = keys.get((message, label)) if RETRIEVAL_SEPARATOR in label else None
        intent = intents.get((message, base_intent(label)))
        predictions.append(Prediction(text, label, base_intent(intent) if intent else None, key))
    return predictions


def rasa_report_figures(out: Path) -> dict[str, float]:
    """Rasa's own summary figures (intent_report.json, response_selection_report.json), for the record."""
    figures: dict[str, float] = {}
    for name, prefix in (("intent_report.json", "intent"), ("response_selection_report.json", "response")):
        path = out / name
        if path.exists():
            report = json.loads(path.read_text(encoding="utf-8"))
            if "accuracy" in report:
                figures[f"{prefix}_accuracy"] = float(report["accuracy"])
            if "macro avg" in report:
                figures[f"{prefix}_macro_f1"] = float(report["macro avg"]["f1-score"])
    return figures


def _unanswered(predictions: Sequence[Prediction]) -> str | None:
    """A note when Rasa's files had no prediction for some messages (counted as wrong)."""
    missing = [p.text for p in predictions if p.intent is None]
    if not missing:
        return None
    return f"{len(missing)} message(s) with no prediction in Rasa's files, counted wrong: {missing[:5]}"


def evaluate_rasa(
    executable: Path,
    bot_dir: Path,
    project: BotProject,
    splits: Sequence[tuple[list[int], list[int]]],
    dev: Sequence[tuple[str, str]],
    flagged: dict[str, bool],
    max_folds: int | None = None,
    log: Log = _silent,
) -> EngineReport:
    """Real Rasa on the same splits (the first `max_folds` of them) and the dev set; "not run" when the
    executable is missing. Every model is deleted once tested (each is over 100 MB)."""
    report = EngineReport(RASA)
    if not executable.is_file() or not os.access(executable, os.X_OK):
        report.skipped = f"{NOT_RUN}: no rasa executable at {executable}"
        return report
    examples = project.nlu.examples
    runs = list(splits)[: max_folds if max_folds is not None else len(splits)]
    with tempfile.TemporaryDirectory(prefix="nlu-compare-") as scratch:
        runner = RasaRunner(executable, bot_dir, Path(scratch))
        try:
            if dev:
                log("rasa: training on all of bot/data for the dev set")
                model, train_seconds = runner.train(bot_dir / "data" / "nlu", "all")
                predictions, test_seconds = runner.test(model, dev, "dev")
                model.unlink()
                report.dev = dev_scores(predictions, flagged, train_seconds)
                if note := _unanswered(predictions):
                    report.notes.append(f"dev: {note}")
                report.notes.append(f"dev figures by Rasa itself: {rasa_report_figures(runner.work / 'results-dev')}")
                log(
                    f"rasa dev set: accuracy {report.dev.accuracy:.3f}, trained in {_duration(train_seconds)}, "
                    f"tested in {_duration(test_seconds)}"
                )
            for k, (train, test) in enumerate(runs, start=1):
                log(f"rasa: fold {k}/{len(runs)}, training on {len(train)} examples")
                nlu = runner.training_data(runner.work / f"fold{k}-train", [examples[i] for i in train])
                model, train_seconds = runner.train(nlu, f"fold{k}")
                predictions, test_seconds = runner.test(model, [examples[i] for i in test], f"fold{k}-test")
                model.unlink()
                fold = _fold_scores(k, predictions, train_seconds, test_seconds)
                report.folds.append(fold)
                if note := _unanswered(predictions):
                    report.notes.append(f"fold {k}: {note}")
                report.notes.append(
                    f"fold {k} figures by Rasa itself: {rasa_report_figures(runner.work / f'results-fold{k}-test')}"
                )
                log(
                    f"rasa fold {k}/{len(runs)}: accuracy {fold.accuracy:.3f}, trained in "
                    f"{_duration(train_seconds)}, tested in {_duration(test_seconds)}"
                )
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            report.notes.append(f"stopped: {exc}")
            log(f"rasa stopped: {exc}")
    if len(runs) < len(splits):
        report.notes.append(f"ran {len(runs)} of the {len(splits)} folds (--rasa-folds)")
    report.notes.append(
        "sub-answer: one ResponseSelector over every retrieval intent's sub-answers (it is not told the intent)"
    )
    return report


def compare(
    bot_dir: Path,
    dev_path: Path | None,
    folds: int = 3,
    seed: int = 0,
    rasa: Path | None = None,
    rasa_folds: int | None = None,
    at_risk: Callable[[str], bool] | None = None,
    trained: IntentClassifier | None = None,
    log: Log = _silent,
) -> Comparison:
    """Both engines on the same stratified folds of bot/data and on the dev set.

    `at_risk` is the risk check (the product's, by default); `trained` is the embedded model of all of
    bot/data if one is at hand; `rasa` is the rasa executable (skipped when absent)."""
    project = load_project(bot_dir)
    splits = folds_of(project.nlu.examples, folds, seed)
    dev = load_dev(dev_path) if dev_path else []
    check = at_risk or (lambda text: get_assessor().assess(text).at_risk)
    flagged = {text: check(text) for text, _ in dev}
    embedded = evaluate_embedded(project, splits, dev, flagged, trained, log)
    if rasa is None:
        rasa_report = EngineReport(RASA, skipped=f"{NOT_RUN}: no rasa executable given")
    else:
        rasa_report = evaluate_rasa(rasa, bot_dir, project, splits, dev, flagged, rasa_folds, log)
    notes = [
        "intent = the top-ranked intent with the fallback undone (as `rasa test nlu` counts it); macro-F1 over "
        "the true base intents; a retrieval intent's example counts for its intent",
        "CV: the same seeded StratifiedKFold splits for both engines, stratified on the full label "
        "(money/setting_up_home is its own class)",
    ]
    if dev:
        calm = [text for text, intent in dev if intent != CRISIS and flagged[text]]
        notes.append(
            "dev (risk check + classifier): the product runs the risk check before the classifier, so a "
            "`crisis` message counts as right when the classifier says crisis OR the risk check flags it; "
            "'classifier alone' is the plain figure"
        )
        notes.append(
            f"the risk check flags {sum(flagged[t] for t, i in dev if i == CRISIS)} of "
            f"{sum(i == CRISIS for _, i in dev)} crisis dev messages and {len(calm)} of the others"
            + (f" ({'; '.join(calm)})" if calm else "")
        )
    for engine in (embedded, rasa_report):
        if engine.dev and engine.dev.misses:
            misses = "; ".join(f"{text!r} {intent}->{got}" for intent, got, text in engine.dev.misses)
            notes.append(f"{engine.name} dev misses (classifier alone): {misses}")
    if rasa_report.folds and len(rasa_report.folds) < len(embedded.folds):
        same = EngineReport(EMBEDDED, folds=embedded.folds[: len(rasa_report.folds)])
        accuracy, f1 = same.mean("accuracy"), same.mean("macro_f1")
        if accuracy and f1:
            notes.append(
                f"embedded on the same {len(same.folds)} fold(s) Rasa ran: accuracy {accuracy[0]:.3f}, "
                f"macro-F1 {f1[0]:.3f}"
            )
    return Comparison(folds, seed, len(project.nlu.examples), len(dev), [embedded, rasa_report], notes)
