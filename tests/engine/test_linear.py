"""The models read directly for one message (api/nlp/linear.py) give scikit-learn's n-grams and
probabilities, and a server reads its cached models without importing scikit-learn."""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from api.engine.nlu import IntentClassifier
from api.nlp.linear import Tfidf
from api.nlp.text import fold, normalise
from api.risk.model import RiskClassifier, load_labelled

ODD = [
    "",
    "   ",
    "😀😀",
    "?!",
    "a",
    "zzzzqqq xkcd",
    "a" * 3000,
    "can i get money for uni",
    "i want to die",
    "ÇA VA? bien",
    "tab\there  and\n\nnewlines   ",
    "ana a7taj musa3ada",
    "من به کمک نیاز دارم",
]


def texts(examples: list[str]) -> list[str]:
    return ODD + examples[::37]


@pytest.mark.parametrize(
    "settings",
    [
        {"ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
        {"ngram_range": (1, 1)},
        {"ngram_range": (2, 3)},
        {"analyzer": "char_wb", "ngram_range": (2, 5)},
        {"analyzer": "char_wb", "ngram_range": (3, 5), "preprocessor": normalise},
        {"analyzer": "char_wb", "ngram_range": (1, 1), "lowercase": False},
        {"ngram_range": (1, 2), "preprocessor": normalise, "token_pattern": r"(?u)\b\w+\b"},
    ],
)
def test_the_analyzer_makes_scikit_learns_ngrams(settings):
    vectorizer = TfidfVectorizer(**settings).fit(["a first text", "another one"])
    ours, theirs = Tfidf(vectorizer, 0, 1.0), vectorizer.build_analyzer()
    for text in ODD + ["Hi  THERE my sw, can u ring me??", "I'm moving out x", "wat abt councel tax"]:
        assert ours.analyze(text) == theirs(text), (settings, text)


def test_settings_it_cannot_read_are_refused():
    for settings in ({"analyzer": "char"}, {"binary": True}, {"stop_words": "english"}, {"use_idf": False}):
        with pytest.raises(ValueError):
            Tfidf(TfidfVectorizer(**settings).fit(["a b c", "d e f"]), 0, 1.0)


_TRAINED: dict[str, IntentClassifier] = {}


@pytest.fixture
def intents(engine):
    """The intent model as trained in this process (the engine may have loaded it from the cache), once."""
    if "model" not in _TRAINED:
        _TRAINED["model"] = IntentClassifier.train(engine.project)
    return _TRAINED["model"]


def test_the_intent_model_matches_its_pipeline(intents, engine):
    for text in texts([t for t, _ in engine.project.nlu.examples]):
        expected = intents.pipeline.predict_proba([text])[0]
        assert np.allclose(intents.model.proba(text), expected, atol=1e-9), text


def test_each_response_selector_matches_scikit_learn(intents, engine):
    features = intents.pipeline.named_steps["features"]
    assert set(intents.selectors) == set(intents.fitted_selectors)
    for intent, selector in intents.fitted_selectors.items():
        for text in texts([t for t, i in engine.project.nlu.examples if i.startswith(intent + "/")]):
            expected = selector.predict_proba(features.transform([text]))[0]
            got = dict(intents.select(text, intent))
            assert len(got) == min(5, len(selector.classes_))
            for key, probability in zip(selector.classes_, expected, strict=True):
                if key in got:  # the best five
                    assert got[key] == pytest.approx(probability, abs=1e-9), (intent, text)


def test_the_risk_models_match_their_pipelines(engine):
    from api.config import get_settings

    examples = load_labelled(get_settings().content_dir / "safety")[::3]  # a third: the readers, not the data
    risk = RiskClassifier(examples, [t for t, _ in engine.project.nlu.examples][::5], "test")
    kind_pipeline, level_pipeline = risk.pipelines
    sample = [fold(t) for t in texts([e.text for e in examples])]
    sample += [fold(t) for t in ("he hits me when hes drunk", "they took my phone and locked the door")]
    for text in sample:
        assert np.allclose(risk.kind_model.proba(text), kind_pipeline.predict_proba([text])[0], atol=1e-9), text
        assert np.allclose(risk.level_model.proba(text), level_pipeline.predict_proba([text])[0], atol=1e-9), text


def test_a_reloaded_model_reads_the_same_without_its_pipeline(intents):
    copy = pickle.loads(pickle.dumps(intents))
    assert copy.pipeline is None and copy.fitted_selectors == {}
    assert intents.pipeline is not None  # the original keeps it
    for text in ("can i get money for uni", "who is my pa", "how do i complain"):
        assert copy.rank(text) == intents.rank(text)
        assert copy.select(text, "money") == intents.select(text, "money")


def test_a_server_answers_from_its_cached_models_without_scikit_learn(tmp_path):
    """Start-up is the import, the database and the cached models: scikit-learn (most of a second to
    import) is only for training. The first start trains into an empty cache; the second only reads it."""
    script = textwrap.dedent(
        """
        import sys
        from api.config import get_settings
        from api.main import create_app, load_engine, prepare_database
        create_app()
        settings = get_settings()
        prepare_database(settings)
        engine = load_engine(settings)
        assert engine.reply("t", "can i get money for uni")
        print(sorted(m for m in sys.modules if m.startswith("sklearn")))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARING_")}  # SQLite, as `make run`
    env.update(CARING_DATA_DIR=str(tmp_path), CARING_ENVIRONMENT="test", CARING_AUTO_MIGRATE="true")
    loaded = []
    for _ in ("train", "read"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        loaded.append(done.stdout.strip().splitlines()[-1])
    assert loaded[0] != "[]"  # training imports it
    assert loaded[1] == "[]"
