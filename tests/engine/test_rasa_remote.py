"""CARING_ENGINE=rasa: forwarding to a Rasa server (an httpx MockTransport), safety kept in the api."""

import json

import httpx
import pytest
from sqlmodel import select

from api.config import get_settings
from api.content import get_pack
from api.engine.rasa_remote import RasaEngine
from api.models import SafeguardingAlert, Turn


class FakeRasa:
    """Answers like Rasa's HTTP API and records every request."""

    def __init__(self, up: bool = True) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.up = up

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.calls.append((request.url.path, body))
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/model/parse":
            ranking = [{"name": "money", "confidence": 0.93}, {"name": "housing", "confidence": 0.04}]
            return httpx.Response(
                200, json={"text": body["text"], "intent": ranking[0], "intent_ranking": ranking, "entities": []}
            )
        if request.url.path == "/webhooks/rest/webhook":
            channel = body.get("metadata", {}).get("channel")
            return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"rasa answer for {channel}"}])
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")


@pytest.fixture
def fake_rasa():
    return FakeRasa()


@pytest.fixture
def rasa_engine(app, fake_rasa):
    client = httpx.Client(base_url="http://rasa.test", transport=httpx.MockTransport(fake_rasa))
    return RasaEngine(get_settings(), client)


def test_messages_are_forwarded_with_the_channel(rasa_engine, fake_rasa, session):
    replies = rasa_engine.handle("remote-1", "can i get a grant", channel="sms")
    assert [r["text"] for r in replies] == ["rasa answer for sms"]
    path, body = fake_rasa.calls[-1]
    assert path == "/webhooks/rest/webhook" and body["metadata"]["channel"] == "sms"
    stored = session.exec(select(Turn).where(Turn.conversation_id == "remote-1")).all()
    assert [t.role for t in stored] == ["user", "bot"]


def test_a_crisis_never_waits_on_rasa(rasa_engine, fake_rasa, session):
    replies = " ".join(r["text"] for r in rasa_engine.handle("remote-2", "i want to kill myself"))
    assert "116 123" in replies and "999" in replies
    assert fake_rasa.calls == []
    assert session.exec(select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == "remote-2")).one()


def test_parse_comes_from_rasa_but_crisis_is_checked_here(rasa_engine):
    assert rasa_engine.parse("need a grant").intent == "money"
    assert rasa_engine.parse("gonna kms").intent == "crisis"


def test_rasa_down_gives_the_fallback_not_an_error(app):
    down = FakeRasa(up=False)
    engine = RasaEngine(get_settings(), httpx.Client(base_url="http://rasa.test", transport=httpx.MockTransport(down)))
    replies = engine.handle("remote-3", "can i get a grant")
    assert replies and replies[0]["text"] == get_pack().render("fallback", "web").text
    assert not engine.ready()
