"""`caring-promise nlu compare`: both engines on the same folds; Rasa is skipped when absent."""

import json
import stat
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from api.config import get_settings
from api.engine.evaluate import NOT_RUN, RASA, Prediction, compare, dev_scores, evaluate_embedded, load_dev
from api.nlp.rasa_data import load_project

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_intents.yml"

# A small project: three intents, one of them with two sub-answers (a retrieval intent).
_EXAMPLES = {
    "greet": ["hi", "hello", "hiya", "hey there", "good morning", "hello there", "hi bot", "hey"],
    "money/rent": [
        "help with rent",
        "can you pay my rent",
        "rent money please",
        "i cant afford rent",
        "who pays the rent",
        "rent is too much",
        "rent help",
        "behind on rent",
    ],
    "money/bursary": [
        "uni bursary",
        "bursary for college",
        "how much is the bursary",
        "bursary money",
        "can i get a bursary",
        "bursary for university",
        "college bursary help",
        "is there a bursary",
    ],
    "crisis": [
        "i want to hurt myself",
        "i am not safe",
        "someone hurt me",
        "i want to end it",
        "i am scared for my life",
        "i cut myself",
        "help me im in danger",
        "i took too many pills",
    ],
}


def _small_bot(tmp_path: Path) -> Path:
    bot = tmp_path / "bot"
    (bot / "data" / "nlu").mkdir(parents=True)
    (bot / "config.yml").write_text("pipeline:\n- name: FallbackClassifier\n  threshold: 0.3\n")
    (bot / "domain.yml").write_text(yaml.safe_dump({"version": "3.1", "intents": ["greet", "money", "crisis"]}))
    nlu = [{"intent": label, "examples": "".join(f"- {t}\n" for t in texts)} for label, texts in _EXAMPLES.items()]
    (bot / "data" / "nlu" / "examples.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}))
    (bot / "data" / "nlu" / "entities.yml").write_text(
        'version: "3.1"\nnlu:\n- synonym: universal credit\n  examples: |\n    - UC\n'
    )
    (bot / "data" / "responses.yml").write_text(
        "responses:\n  utter_money/rent:\n  - text: Rent.\n  utter_money/bursary:\n  - text: Bursary.\n"
    )
    return bot


def _small_dev(tmp_path: Path) -> Path:
    dev = tmp_path / "dev.yml"
    dev.write_text(
        yaml.safe_dump(
            {"greet": ["hello bot", "hi there"], "money": ["rent please", "a bursary"], "crisis": ["zzz", "not safe"]}
        )
    )
    return dev


def test_embedded_figures_are_sensible_and_rasa_is_not_run_without_it(tmp_path):
    result = compare(
        _small_bot(tmp_path),
        _small_dev(tmp_path),
        folds=2,
        rasa=tmp_path / "no-such-rasa",
        at_risk=lambda text: text == "zzz",  # the risk check catches what the classifier cannot
    )
    embedded, rasa = result.engines
    assert len(embedded.folds) == 2 and sum(f.examples for f in embedded.folds) == 32
    for fold in embedded.folds:
        assert 0 <= fold.accuracy <= 1 and 0 <= fold.macro_f1 <= 1
        assert fold.sub_answers == 8 and fold.sub_answer is not None and 0 <= fold.sub_answer <= 1
    assert embedded.dev is not None and embedded.dev.messages == 6
    assert 0 <= embedded.dev.plain_accuracy <= embedded.dev.accuracy <= 1
    assert "zzz" in [text for _, _, text in embedded.dev.misses]  # a classifier miss the risk check made right

    assert rasa.skipped and rasa.skipped.startswith(NOT_RUN) and rasa.dev is None and not rasa.folds
    table = "\n".join(result.lines())
    assert RASA in table and NOT_RUN in table and "risk check" in table
    figures = result.as_json()
    assert figures["engines"][RASA]["status"].startswith(NOT_RUN)
    assert 0 <= figures["engines"]["embedded"]["cv"]["accuracy"]["mean"] <= 1
    json.dumps(figures)


def test_crisis_counts_as_right_when_the_risk_check_flags_it():
    predictions = [Prediction("i want to die", "crisis", "give_feedback"), Prediction("hi", "greet", "greet")]
    scores = dev_scores(predictions, {"i want to die": True}, None)
    assert scores.plain_accuracy == 0.5 and scores.accuracy == 1.0 and scores.macro_f1 == 1.0


def test_the_real_bot_does_well_on_the_dev_set():
    if not DEV.exists():
        pytest.skip(f"no dev set at {DEV}")
    project = load_project(get_settings().bot_dir)
    dev = load_dev(DEV)
    report = evaluate_embedded(project, [], dev, {text: intent == "crisis" for text, intent in dev})
    assert report.dev is not None and report.dev.messages == len(dev)
    assert report.dev.accuracy > 0.8 and report.dev.macro_f1 > 0.8 and report.dev.plain_accuracy > 0.8
    assert 0 <= report.dev.plain_accuracy <= report.dev.accuracy <= 1


_FAKE_RASA = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import yaml

    args = sys.argv[1:]
    def opt(name):
        return args[args.index(name) + 1]

    if args[:2] == ["train", "nlu"]:
        nlu = Path(opt("--nlu"))
        files = sorted(p.name for p in nlu.glob("*.yml")) if nlu.is_dir() else [nlu.name]
        domain = sorted(p.name for p in Path(opt("--domain")).glob("*.yml"))
        out = Path(opt("--out"))
        out.mkdir(parents=True, exist_ok=True)
        (out / (opt("--fixed-model-name") + ".tar.gz")).write_text("model")
        with open(sys.argv[0] + ".calls", "a") as calls:
            calls.write(json.dumps({"nlu": files, "domain": domain}) + "\\n")
    elif args[:2] == ["test", "nlu"]:
        out = Path(opt("--out"))
        out.mkdir(parents=True, exist_ok=True)
        intents, responses = [], []
        for item in yaml.safe_load(Path(opt("--nlu")).read_text())["nlu"]:
            for line in item["examples"].splitlines():
                text, intent = line.strip()[2:], item["intent"]
                base = intent.split("/")[0]
                guess = "greet" if "hi" in text else base  # right, except where "hi" misleads it
                intents.append({"text": text, "intent": base, "intent_prediction": {"name": guess, "confidence": 1}})
                if "/" in intent:
                    predicted = {"name": intent, "confidence": 1}
                    responses.append({"text": text, "intent_response_key_target": intent,
                                      "intent_response_key_prediction": predicted})
        right = [r for r in intents if r["intent"] == r["intent_prediction"]["name"]]
        (out / "intent_successes.json").write_text(json.dumps(right))
        (out / "intent_errors.json").write_text(json.dumps([r for r in intents if r not in right]))
        (out / "response_selection_successes.json").write_text(json.dumps(responses))
        (out / "intent_report.json").write_text(json.dumps({"accuracy": len(right) / len(intents)}))
    else:
        sys.exit(2)
    """
)


def test_rasa_is_run_through_its_command_line_and_its_files_are_read(tmp_path):
    fake = tmp_path / "rasa"
    fake.write_text(f"#!{sys.executable}\n{_FAKE_RASA}")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    result = compare(
        _small_bot(tmp_path), _small_dev(tmp_path), folds=2, rasa=fake, rasa_folds=1, at_risk=lambda text: False
    )
    rasa = result.engines[1]
    assert not rasa.skipped and len(rasa.folds) == 1, rasa.notes
    [fold] = rasa.folds
    assert fold.examples == 16 and fold.sub_answer == 1.0
    wrong = sum("hi" in text for text, label in load_dev(_small_dev(tmp_path)) if label != "greet")
    assert rasa.dev is not None and rasa.dev.plain_accuracy == (6 - wrong) / 6
    assert "ran 1 of the 2 folds (--rasa-folds)" in rasa.notes
    assert "(1 of 2 folds)" in "\n".join(result.lines())
    # The dev model trains on bot/data/nlu, the fold's on its examples beside entities.yml as it is;
    # the domain brings the responses the ResponseSelector needs.
    trainings = [json.loads(line) for line in (tmp_path / "rasa.calls").read_text().splitlines()]
    assert trainings == [{"nlu": ["entities.yml", "examples.yml"], "domain": ["domain.yml", "responses.yml"]}] * 2
