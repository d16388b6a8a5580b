"""The classifier: trained from bot/data, cached, rebuilt when the data changes."""

import shutil

from api.engine.nlu import IntentClassifier
from api.nlp.rasa_data import load_project


def _small_project(tmp_path, bot_dir):
    copy = tmp_path / "bot"
    shutil.copytree(bot_dir, copy)
    return copy


def test_cache_is_reused_and_rebuilt_when_data_changes(tmp_path, engine):
    bot = _small_project(tmp_path, engine.settings.bot_dir)
    cache = tmp_path / "cache"
    first = IntentClassifier.load_or_train(load_project(bot), cache)
    [artefact] = list(cache.glob("nlu-*.pkl"))
    again = IntentClassifier.load_or_train(load_project(bot), cache)
    assert again.digest == first.digest
    assert list(cache.glob("nlu-*.pkl")) == [artefact]

    extra = bot / "data" / "nlu" / "extra.yml"
    extra.write_text('version: "3.1"\nnlu:\n- intent: money\n  examples: |\n    - quidz pls\n')
    changed = IntentClassifier.load_or_train(load_project(bot), cache)
    assert changed.digest != first.digest
    [new_artefact] = list(cache.glob("nlu-*.pkl"))
    assert new_artefact != artefact


def test_corrupt_cache_is_retrained(tmp_path, engine):
    bot = _small_project(tmp_path, engine.settings.bot_dir)
    project = load_project(bot)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"nlu-1-{project.digest[:16]}.pkl").write_bytes(b"not a pickle")
    model = IntentClassifier.load_or_train(project, cache)
    assert model.classify("how do i complain about my carer")[0] == "complain"


def test_below_threshold_is_fallback(engine):
    intent, confidence, _ = engine.classifier.classify("qwpoeiru zzkx")
    assert intent in {"nlu_fallback", "out_of_scope"}


def _phrasings() -> list[tuple[str, str]]:
    from pathlib import Path

    lines = (Path(__file__).parent / "phrasings.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_young_peoples_own_phrasings_get_their_intent(engine):
    from api.nlp.rasa_data import load_project

    trained = {text.lower() for text, _ in load_project(engine.settings.bot_dir).nlu.examples}
    phrasings = _phrasings()
    assert len(phrasings) >= 50 and not [text for _, text in phrasings if text.lower() in trained]
    wrong = [(text, want, engine.parse(text).intent) for want, text in phrasings if engine.parse(text).intent != want]
    assert not wrong, wrong
