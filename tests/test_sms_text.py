"""Splitting and GSM-7 conversion, checked with hypothesis."""

from hypothesis import given, settings
from hypothesis import strategies as st

from api.texting.gsm import is_gsm7
from api.texting.text import MORE_HINT, UCS2_SEGMENT, numbered_options, segments, split_for_sms, to_gsm

words = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=12)
sentences = st.lists(words, min_size=1, max_size=25).map(lambda ws: " ".join(ws) + ".")
texts = st.lists(sentences, min_size=1, max_size=40).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_split_keeps_everything_in_order_within_limits(text):
    reply = split_for_sms(text)
    assert 1 <= len(reply.messages) <= 3
    for message in reply.messages:
        assert len(message) <= 160
        assert is_gsm7(message)
    sent = " ".join(m.removesuffix(MORE_HINT).strip() for m in reply.messages)
    rebuilt = (sent + " " + reply.rest).split()
    assert rebuilt == text.split()
    assert bool(reply.rest) == reply.messages[-1].endswith(MORE_HINT)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=600))
def test_any_text_splits_within_segment_limits(text):
    clean = to_gsm(text)
    reply = split_for_sms(clean)
    for message in reply.messages:
        limit = 160 if is_gsm7(clean) else UCS2_SEGMENT
        assert len(message) <= limit
        if is_gsm7(clean):
            assert is_gsm7(message)


def test_typography_and_emoji_become_gsm7():
    converted = to_gsm("It\u2019s \u201cok\u201d \u2013 really\u2026 \U0001f600 \U0001f525")
    assert converted == 'It\'s "ok" - really... :D'
    assert is_gsm7(converted)


def test_own_script_is_kept():
    assert to_gsm("مرحبا") == "مرحبا"
    assert not is_gsm7(to_gsm("Cześć"))


def test_segments_count():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("ś" * 70) == 1 and segments("ś" * 71) == 2


def test_numbered_options():
    assert numbered_options(["Money", "Housing"]) == "Reply 1 for Money or 2 for Housing."
