"""The crisis check: what must escalate does, at any point; everyday idioms do not."""

import pytest
from sqlmodel import select

from api.engine.safety import assess
from api.models import SafeguardingAlert

MUST_ESCALATE = [
    "wanna kms",
    "i might just unalive myself tonight",
    "im gonna od",
    "took a load of paracetamol an hour ago",
    "thinking of ending it tonight",
    "i just want to end it",
    "i dont want to be here anymore",
    "no point living tbh",
    "i cant go on like this",
    "ive been cutting my arms again",
    "i self harm when it gets bad",
    "my stepdad hits me when hes drunk",
    "scared to go home he said hell kill me",
    "they are making me sell drugs for them",
    "an older guy keeps asking me to send nudes",
    "someone is following me and im scared",
    "i'm not safe at home",
    "i want to die",
    "I WANT TO DIE!!!",
    "i feel suicidal",
    "better off dead honestly",
]

MUST_NOT_ESCALATE = [
    "this form is killing me",
    "my phone died and i missed my pa's call",
    "i need to end my tenancy",
    "my feet are killing me after work",
    "my battery died",
    "i'm dying for a job tbh",
    "can i end my contract early",
    "i'm tired of waiting for my housing",
    "how do i get money for uni",
    "what is a personal advisor",
]


@pytest.mark.parametrize("text", MUST_ESCALATE)
def test_phrases_or_classifier_escalate(engine, text):
    assert engine.understand(text).safety.crisis, text


@pytest.mark.parametrize("text", MUST_NOT_ESCALATE)
def test_everyday_idioms_do_not_escalate(engine, text):
    understanding = engine.understand(text)
    assert not understanding.safety.crisis, text
    assert understanding.parse.intent != "crisis", text


def test_abuse_is_recognised_as_abuse():
    assert assess("my bf punched me last night").kind == "abuse"
    assert assess("they're forcing me to carry drugs").kind == "exploitation"
    assert assess("i overdosed").kind == "self_harm"


def _reply(client, sender, text):
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status_code == 200
    return "\n".join(m["text"] for m in response.json())


def _names_help(reply: str) -> bool:
    return all(number in reply for number in ("999", "116 123", "85258", "0800 1111"))


def test_crisis_reply_cold(client):
    assert _names_help(_reply(client, "safety-cold", "wanna kms"))


def test_crisis_reply_mid_form_cancels_the_form_and_records_an_alert(client, session):
    sender = "safety-mid-form"
    first = _reply(client, sender, "i want to give some feedback")
    assert "999" not in first
    reply = _reply(client, sender, "actually i took too many pills")
    assert _names_help(reply)
    alert = session.exec(select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == sender)).one()
    assert alert.kind == "self_harm"
    assert "pills" in alert.text
    # The form was left: the next message is answered as a question, not taken as feedback.
    after = _reply(client, sender, "/money")
    assert "feedback" not in after.lower() or "£" in after


def test_abuse_reply_adds_what_to_do(client):
    reply = _reply(client, "safety-abuse", "my boyfriend keeps hitting me")
    assert _names_help(reply)
    assert "worker" in reply.lower()


def test_crisis_via_button_payload_still_gets_help(client):
    assert _names_help(_reply(client, "safety-payload", "/crisis"))
