"""Precise questions get the fact they ask for, by web and by SMS (tests/data/precise_questions.yml).

The questions were written fresh, apart from bot/data, in young people's voice; each names the
sub-answer that answers it and the facts that answer must state.
"""

import zlib
from pathlib import Path

import pytest
import yaml

from api.content import answer_key, get_pack
from tests.routes.test_twilio import messages, new_mobile, text_in

DATA = yaml.safe_load((Path(__file__).parent / "data" / "precise_questions.yml").read_text(encoding="utf-8"))
# A question known to miss is listed here, as a strict xfail: the day it passes, remove it. The risk
# check reads this wish for an Independent Visitor as a concern, so the check-in comes first and the
# answer is not given (2026-11-30: hard negatives fixed it but cost the check ~0.5 points of recall,
# and a missed disclosure costs more than a check-in too many).
KNOWN_MISSES = {"is there someone who could just come and visit me and be like a mate, not a worker"}


def _cases(questions: list[dict]) -> list:
    miss = pytest.mark.xfail(strict=True, reason="known miss (see KNOWN_MISSES)")
    return [pytest.param(q, marks=miss) if q["text"] in KNOWN_MISSES else q for q in questions]


QUESTIONS = DATA["questions"] + DATA["broad"]


def _id(question: dict) -> str:
    return f"{question['key']}:{question['text'][:40]}"


def _missing(text: str, facts: list[str]) -> list[str]:
    return [fact for fact in facts if fact.lower() not in text.lower()]


@pytest.mark.parametrize("question", _cases(QUESTIONS), ids=_id)
def test_web_answer_states_the_fact(client, question):
    sender = f"precise-web-{zlib.crc32(question['text'].encode())}"
    body = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": question["text"]}).json()
    text = "\n".join(message["text"] for message in body)
    assert not _missing(text, question["contains"]), f"asked {question['text']!r}, answered:\n{text}"


@pytest.mark.parametrize("question", _cases(QUESTIONS), ids=_id)
def test_sms_answer_states_the_fact_at_once_or_after_more(client, question):
    sender = new_mobile()
    first = messages(text_in(client, question["text"], sender=sender))
    text = "\n".join(first)
    if _missing(text, question["contains"]):
        text += "\n" + "\n".join(messages(text_in(client, "MORE", sender=sender)))
    assert not _missing(text, question["contains"]), f"texted {question['text']!r}, got:\n{text}"


@pytest.mark.parametrize("question", QUESTIONS, ids=_id)
def test_the_named_sub_answer_exists_and_states_the_fact(question):
    """The data itself: each key has an answer, and its web version states the facts (both channels
    reach it: SMS by MORE)."""
    pack = get_pack()
    key = answer_key(question["key"])
    assert pack.has(key), f"no content for {key}"
    web = pack.render(key, "web").text
    assert not _missing(web, question["contains"]), f"{key}.yml does not state {question['contains']}"
