"""The REST channel: right answers from content/, and bad input never loses anything."""

import pytest
from sqlmodel import select

from api.content import get_pack
from api.contract import CONTRACT_INTENTS
from api.models import Conversation, Turn

# These start a flow (a form or an offer) rather than give one answer: tests/test_requests.py.
FLOWS = {"crisis", "give_feedback", "talk_to_worker", "complain", "advocate"}
ANSWERED = [i for i in CONTRACT_INTENTS if i not in FLOWS]


def say(client, sender, message):
    return client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})


@pytest.mark.parametrize("intent", ANSWERED)
def test_every_intent_gets_its_approved_answer(client, intent):
    response = say(client, f"answer-{intent}", f"/{intent}")
    assert response.status_code == 200
    body = response.json()
    expected = get_pack().render(intent, "web")
    assert body[0]["recipient_id"] == f"answer-{intent}"
    assert body[0]["text"] == expected.text
    assert "{" not in body[0]["text"], "a placeholder was left unfilled"
    if expected.buttons:
        assert [b["payload"] for b in body[0]["buttons"]] == [b.payload for b in expected.buttons]


@pytest.mark.parametrize(
    ("intent", "first_answer"),
    [("talk_to_worker", "handoff_ask_topic"), ("advocate", "advocate"), ("complain", "complain")],
)
def test_request_flows_start_with_their_approved_answer(client, intent, first_answer):
    body = say(client, f"flow-{intent}", f"/{intent}").json()
    assert body[0]["text"] == get_pack().render(first_answer, "web").text


def test_words_reach_the_right_answer(client):
    body = say(client, "words-money", "im skint can i get any money off the council").json()
    assert body[0]["text"] == get_pack().render("money", "web").text


def test_turns_and_state_are_stored(client, session):
    say(client, "stored-1", "hiya")
    conversation = session.get(Conversation, "stored-1")
    assert conversation is not None
    turns = session.exec(select(Turn).where(Turn.conversation_id == "stored-1")).all()
    assert [t.role for t in turns][:2] == ["user", "bot"]
    assert turns[0].text == "hiya"


# -- bad input ------------------------------------------------------------------------------


def test_empty_message_gets_a_friendly_reply(client):
    response = say(client, "bad-empty", "   ")
    assert response.status_code == 200
    assert response.json()[0]["text"]


def test_very_long_message_is_answered(client):
    response = say(client, "bad-long", "i need help with money for college " * 140)  # ~5,000 characters
    assert response.status_code == 200
    assert response.json()[0]["text"]


def test_long_message_with_a_crisis_at_the_end_still_escalates(client):
    text = "blah " * 1000 + "and honestly i want to die"
    reply = "\n".join(m["text"] for m in say(client, "bad-long-crisis", text).json())
    assert "116 123" in reply


def test_message_over_the_limit_is_refused_with_a_reason(client):
    response = say(client, "bad-huge", "x" * 20_001)
    assert response.status_code == 422
    assert "message" in response.json()["detail"]


def test_emoji_only_gets_the_fallback(client):
    response = say(client, "bad-emoji", "😂😂🙏")
    assert response.status_code == 200
    assert response.json()[0]["text"] == get_pack().render("fallback", "web").text


def test_another_language_gets_a_friendly_reply(client):
    response = say(client, "bad-lang", "Cześć, potrzebuję pomocy z mieszkaniem")
    assert response.status_code == 200
    assert response.json()[0]["text"]


def test_invalid_json_is_a_400_with_a_reason(client):
    response = client.post("/webhooks/rest/webhook", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_missing_sender_is_a_422_with_a_reason(client):
    response = client.post("/webhooks/rest/webhook", json={"message": "hi"})
    assert response.status_code == 422
    assert "'sender' is missing" in response.json()["detail"]


def test_missing_message_is_a_422(client):
    response = client.post("/webhooks/rest/webhook", json={"sender": "x"})
    assert response.status_code == 422
    assert "'message' is missing" in response.json()["detail"]


def test_wrong_types_are_a_422(client):
    response = client.post("/webhooks/rest/webhook", json={"sender": 5, "message": ["hi"]})
    assert response.status_code == 422


def test_empty_sender_is_a_422(client):
    assert say(client, "", "hi").status_code == 422


def test_a_strange_message_never_breaks_the_conversation(client):
    for message in ["", "😂", "/not_an_intent", "{}", "<script>alert(1)</script>", "\u0000", "ok"]:
        response = say(client, "bad-sequence", message)
        assert response.status_code == 200, message
        assert response.json(), message
