"""The risk check on its own: kinds, levels, everyday messages, other languages, the data files."""

from pathlib import Path

import pytest

from api.config import get_settings
from api.nlp.text import fold
from api.risk import KINDS, get_assessor
from api.risk.check import check_safety
from api.risk.languages import load_languages
from api.risk.model import NONE, load_labelled
from api.risk.patterns import load_patterns

SAFETY = Path(get_settings().content_dir) / "safety"
PATTERNS = load_patterns(SAFETY / "patterns.yml")
LANGUAGES = load_languages(SAFETY / "languages")

# Written for these tests (never from ../shared/eval): one or more per kind, as young people write.
BY_KIND = [
    ("medical_emergency", "took like 30 paracetamol an hour ago and i feel sick"),
    ("medical_emergency", "my mate wont wake up after the party and shes breathing funny"),
    ("danger_now", "theres a guy outside my flat with a knife shouting my name"),
    ("suicide_self_harm", "wanna kms"),
    ("suicide_self_harm", "i might just unalive myself tonight"),
    ("suicide_self_harm", "ive been cutting my arms again"),
    ("abuse", "my foster dad grabs me by the neck when im late"),
    ("abuse", "my nans boyfriend touches me when shes at bingo"),
    ("sexual_exploitation", "this older lad buys me weed and now says i owe him and have to sleep with his mate"),
    ("criminal_exploitation", "these older boys make me carry packages to grimsby and say i owe them 2 grand"),
    ("domestic_abuse", "my boyfriend choked me last night and says hell kill me if i leave"),
    ("neglect", "havent eaten in 3 days and theres no food in the house for my little girl"),
    ("restriction", "staff lock me in my room every night and took my phone so i cant ring anyone"),
]

EVERYDAY = [
    "this form is killing me",
    "my phone died and i missed my pa's call",
    "i need to end my tenancy",
    "my feet are killing me after work",
    "i'm dying for a job tbh",
    "can i end my contract early",
    "i'm tired of waiting for my housing",
    "how do i get money for uni",
    "what is a personal advisor",
    "i owe council tax can i get help",
    "locked myself out of my flat again lol",
    "skint till friday, is there emergency money",
    "my foster carer says i have to be in by 10",
    "got punched in boxing training but won the round",
]


@pytest.mark.parametrize(("kind", "text"), BY_KIND)
def test_each_kind_is_heard(kind, text):
    verdict = get_assessor().assess(text)
    assert verdict.at_risk, text
    assert verdict.kind == kind, (text, verdict)


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_messages_are_not_at_risk(text):
    assert not get_assessor().assess(text).at_risk, text


def test_levels():
    assessor = get_assessor()
    assert assessor.assess("i took a whole box of my tablets just now").level == "crisis"
    assert assessor.assess("my stepdad hits me with his belt").level == "crisis"
    concern = assessor.assess("i met a man online who wants to meet me and says keep it our secret")
    assert concern.at_risk and concern.level in ("concern", "crisis")


@pytest.mark.parametrize("word", ["no", "No.", "nah", "yes", "ok", "hi", "help"])
def test_one_everyday_word_is_never_at_risk(word):
    """ "no" to any question (the classifier once read it as neglect, from "no food" and "no heating")."""
    assert not get_assessor().assess(word).at_risk


@pytest.mark.parametrize(
    ("text", "kind"),
    [("not safe", "danger_now"), ("terrified", "danger_now"), ("bleeding", "medical_emergency"), ("abused", "abuse")],
)
def test_a_short_cry_is_still_heard(text, kind):
    verdict = get_assessor().assess(text)
    assert verdict.at_risk and verdict.kind == kind


def test_a_nul_byte_does_not_hide_a_disclosure():
    verdict = get_assessor().assess("i want to\x00 die")
    assert verdict.at_risk and verdict.kind == "suicide_self_harm"


def test_text_speak_and_apostrophes_are_folded():
    assert fold("I don’t wanna b here anymore u know") == "i dont want to b here any more you know"
    assert fold("می‌خواهم") == "ميخواهم"
    assert fold("tôi muốn tự tử") == "toi muon tu tu"


# -- the data files --------------------------------------------------------------------------------


def test_the_safety_content_passes_its_own_check():
    report = check_safety(SAFETY)
    assert report.problems == []


@pytest.mark.parametrize("pattern", PATTERNS.patterns, ids=lambda p: p.id)
def test_each_pattern_matches_its_examples_and_not_its_near_misses(pattern):
    assert len(pattern.examples) >= 2 and pattern.near_misses
    for text in pattern.examples:
        assert pattern.matches(fold(text)), text
    for text in pattern.near_misses:
        assert not pattern.matches(fold(text)), text


def test_no_pattern_matches_a_hard_negative():
    negatives = [e.text for e in load_labelled(SAFETY) if e.kind == NONE]
    assert len(negatives) >= 300
    hits = [(text, [h.id for h in PATTERNS.hits(fold(text))]) for text in negatives if PATTERNS.hits(fold(text))]
    assert hits == []


def test_the_labelled_set_has_at_least_60_of_every_kind():
    examples = load_labelled(SAFETY)
    for kind in KINDS:
        assert sum(e.kind == kind for e in examples) >= 60, kind


LANGUAGE_CODES = (
    *("ar", "ps", "fa", "ckb", "kmr", "ti", "am", "so", "sq", "vi", "pl", "ro", "cy", "fr"),
    *("lt", "lv", "pt", "bg", "ru", "ur"),
)


def test_every_language_we_promised_has_a_file():
    assert set(LANGUAGE_CODES) <= set(LANGUAGES)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_each_language_crisis_is_heard_and_named(code):
    assessor = get_assessor()
    language = LANGUAGES[code]
    for text in language.escalate:
        verdict = assessor.assess(text)
        assert verdict.at_risk and verdict.level == "crisis", text
        assert verdict.answer_language is not None, text
    for text in language.calm:
        assert not assessor.assess(text).at_risk, text


def test_no_language_phrase_matches_an_everyday_english_message():
    negatives = [e.text for e in load_labelled(SAFETY) if e.kind == NONE] + EVERYDAY
    hits = [(t, code) for t in negatives for code, lang in LANGUAGES.items() if lang.match(fold(t))]
    assert hits == []
