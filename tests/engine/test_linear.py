"""The models read directly for one message give the same probabilities as scikit-learn's pipelines."""

import numpy as np
import pytest

from api.nlp.text import fold

ODD = ["", "   ", "😀😀", "?!", "zzzzqqq xkcd", "a" * 3000, "can i get money for uni", "i want to die", "ÇA VA? bien"]


def texts(examples: list[str]) -> list[str]:
    return ODD + examples[::37]


def test_the_intent_model_matches_its_pipeline(engine):
    classifier = engine.classifier
    sample = texts([t for t, _ in engine.project.nlu.examples])
    for text in sample:
        expected = classifier.pipeline.predict_proba([text])[0]
        assert np.allclose(classifier.model.proba(text), expected, atol=1e-9), text


def test_each_response_selector_matches_scikit_learn(engine):
    classifier = engine.classifier
    features = classifier.pipeline.named_steps["features"]
    for intent, selector in classifier.selectors.items():
        for text in texts([t for t, i in engine.project.nlu.examples if i.startswith(intent + "/")]):
            expected = selector.predict_proba(features.transform([text]))[0]
            got = dict(classifier.select(text, intent))
            for key, probability in zip(selector.classes_, expected, strict=True):
                if key in got:  # the best five
                    assert got[key] == pytest.approx(probability, abs=1e-9), (intent, text)


def test_the_risk_models_match_their_pipelines(engine):
    risk = engine.risk.classifier
    kind, level = risk._readers()
    sample = [fold(t) for t in texts([t for t, _ in engine.project.nlu.examples])]
    sample += [fold(t) for t in ("he hits me when hes drunk", "they took my phone and locked the door")]
    for text in sample:
        assert np.allclose(kind.proba(text), risk.kind_model.predict_proba([text])[0], atol=1e-9), text
        assert np.allclose(level.proba(text), risk.level_model.predict_proba([text])[0], atol=1e-9), text


def test_a_reloaded_model_reads_the_same(engine, tmp_path):
    import pickle

    classifier = engine.classifier
    assert classifier.model is not None  # built, then left out of the pickle
    copy = pickle.loads(pickle.dumps(classifier))
    assert "_model" not in copy.__dict__
    assert copy.rank("can i get money for uni") == classifier.rank("can i get money for uni")
