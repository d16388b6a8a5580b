"""POST /api/feedback: stored redacted with themes, crisis answered, abuse-limited, bad input refused."""

from sqlmodel import delete, select

from api.config import get_settings
from api.db import unit_of_work
from api.models import Feedback, RateCounter, SafeguardingAlert
from api.services import ratelimit


def test_feedback_is_stored_redacted_with_themes(client, session):
    text = "my flat has mould, ring me on 07700 900123 or jo@example.com, I live at LN1 1AA"
    response = client.post("/api/feedback", json={"text": text, "channel": "sms"})
    assert response.status_code == 201
    body = response.json()
    assert "accommodation" in body["themes"] and body["crisis"] is False
    item = session.get(Feedback, body["id"])
    assert "07700" not in item.text and "example.com" not in item.text and "LN1" not in item.text
    assert item.original_text is None and item.channel == "sms" and item.sentiment in {"negative", "mixed"}


def test_feedback_with_a_crisis_gets_help_and_an_alert(client, session):
    body = client.post("/api/feedback", json={"text": "nobody listens and honestly i want to kill myself"}).json()
    assert body["crisis"] is True and "116 123" in body["message"] and "999" in body["message"]
    alert = session.exec(select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == f"feedback:{body['id']}"))
    assert alert.one().kind == "suicide_self_harm"


def test_at_least_60_a_minute_work_then_a_clear_429(client, monkeypatch):
    # The limit as deployed (the suite's client is otherwise exempt), in one window from zero.
    monkeypatch.setattr(get_settings(), "rate_limit_exempt", "")
    monkeypatch.setattr(ratelimit, "now", lambda: 1_900_000_000.0)
    with unit_of_work() as session:
        session.exec(delete(RateCounter))
    statuses = [
        client.post("/api/feedback", json={"text": f"more youth clubs please {i}"}).status_code for i in range(120)
    ]
    assert statuses == [201] * 120
    refused = client.post("/api/feedback", json={"text": "one more"})
    assert refused.status_code == 429 and "try again" in refused.json()["detail"]


def test_bad_feedback_requests(client):
    assert client.post("/api/feedback", json={"text": "   "}).status_code == 422
    assert client.post("/api/feedback", json={"text": "hi", "channel": "pigeon"}).status_code == 422
    assert client.post("/api/feedback", json={"channel": "web"}).status_code == 422
    assert client.post("/api/feedback", json={"text": "x" * 5001}).status_code == 422
    bad = client.post("/api/feedback", content=b"{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
