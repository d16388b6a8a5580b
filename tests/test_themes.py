"""The theme classifier and redaction of feedback."""

from pathlib import Path

import pytest

from api.config import get_settings
from api.privacy import redact
from api.services.themes import THEMES, LexiconCounts, load_examples, load_lexicon, load_or_train


def test_examples_are_valid_and_cover_every_theme():
    examples = load_examples(get_settings().content_dir / "themes" / "examples.yml")
    for theme in THEMES:
        assert sum(theme in e.themes for e in examples) >= 15, theme


def test_bad_label_is_refused(tmp_path: Path):
    path = tmp_path / "examples.yml"
    path.write_text("- {text: hi, themes: [money], sentiment: positive}\n")
    with pytest.raises(ValueError, match="unknown theme"):
        load_examples(path)


def test_clear_feedback_gets_its_theme(app):
    from api.services.themes import get_classifier

    classifier = get_classifier()
    assert "accommodation" in classifier.classify("the heating in my flat is broken and its freezing").themes
    assert "family" in classifier.classify("i want to see my mum and sister more often").themes
    assert classifier.classify("my new school is brilliant and i love my classes").sentiment == "positive"


def test_the_lexicon_is_valid_and_counts_whole_words_and_endings(tmp_path: Path):
    lexicon = load_lexicon(get_settings().content_dir / "themes" / "lexicon.yml")
    assert all(lexicon[theme] for theme in THEMES)
    counts = [LexiconCounts(lexicon).counts(t) for t in ["got evicted from my flat", "my mum", "summer"]]
    accommodation, family = THEMES.index("accommodation"), THEMES.index("family")
    assert counts[0][accommodation] == 2  # "evict*" and "flat"
    assert counts[1][family] == 1 and counts[2][family] == 0  # "mum" is not inside "summer"
    bad = tmp_path / "lexicon.yml"
    bad.write_text("money: [cash]\n")
    with pytest.raises(ValueError, match="unknown theme"):
        load_lexicon(bad)
    assert load_lexicon(tmp_path / "missing.yml") == {theme: [] for theme in THEMES}


def test_a_priority_is_recognised_from_its_everyday_words(app):
    from api.services.themes import get_classifier

    # Words no labelled example uses (measured: without the lexicon both get no theme at all).
    assert "health" in get_classifier().classify("i vape too much").themes
    assert "accommodation" in get_classifier().classify("the neighbours are scary").themes


def test_model_is_cached_and_rebuilt_when_examples_change(tmp_path: Path):
    examples = tmp_path / "examples.yml"
    examples.write_text((get_settings().content_dir / "themes" / "examples.yml").read_text())
    first = load_or_train(examples, tmp_path / "cache")
    assert load_or_train(examples, tmp_path / "cache").digest == first.digest
    examples.write_text(examples.read_text() + "- {text: more buses please, themes: [], sentiment: negative}\n")
    second = load_or_train(examples, tmp_path / "cache")
    assert second.digest != first.digest
    (tmp_path / "lexicon.yml").write_text("family: [nan]\n")  # the lexicon is part of the model too
    assert load_or_train(examples, tmp_path / "cache").digest != second.digest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on 07700 900123", "call me on [phone]"),
        ("+44 7700 900123 is my number", "[phone] is my number"),
        ("my postcode is LN1 1AA", "my postcode is [postcode]"),
        ("email jo.bloggs@gmail.com", "email [email]"),
        ("see www.example.com for it", "see [url] for it"),
        ("12 Church Lane is a dump", "[address] is a dump"),
        ("my pa Sarah never rings", "my pa [name] never rings"),
        ("I'm 17 and my complaint is at stage 2", "I'm 17 and my complaint is at stage 2"),
        ("moved 4 times since 2023", "moved 4 times since 2023"),
    ],
)
def test_redaction(text, expected):
    assert redact(text) == expected
