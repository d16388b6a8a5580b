"""The same actions/ over HTTP: the action server the real Rasa server calls (docker-compose)."""

import os
import time

import httpx
import pytest
import yaml
from sqlmodel import select

from api.content import get_pack
from api.models import Feedback
from tests.processes import ROOT, free_port, running


@pytest.fixture(scope="module")
def action_server():
    """`python -m rasa_sdk --actions actions`, exactly the command of the action-server image."""
    url = f"http://127.0.0.1:{free_port()}"
    port = url.rsplit(":", 1)[1]
    with running(["rasa_sdk", "--actions", "actions", "--port", port], dict(os.environ), f"{url}/health", timeout=60):
        yield url


def rasa_request(action: str, *, text: str, intent: str, slots: dict | None = None, channel: str = "sms") -> dict:
    """A request shaped as Rasa 3.6 sends it to the action server."""
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "intent_ranking": [{"name": intent, "confidence": 0.95}],
        "entities": [],
        "metadata": {"channel": channel},
    }
    return {
        "next_action": action,
        "sender_id": "action-server-test",
        "version": "3.6.21",
        "domain": domain,
        "tracker": {
            "sender_id": "action-server-test",
            "slots": slots or {},
            "latest_message": latest,
            "latest_event_time": time.time(),
            "followup_action": None,
            "paused": False,
            "events": [{"event": "user", "text": text, "parse_data": latest, "metadata": {"channel": channel}}],
            "latest_input_channel": "rest",
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        },
    }


def test_answer_over_http(app, action_server):
    response = httpx.post(
        f"{action_server}/webhook", json=rasa_request("action_answer", text="im skint", intent="money")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["events"] == []
    assert body["responses"][0]["text"] == get_pack().render("money", "sms").text


def test_feedback_is_stored_by_the_action_server(app, action_server, session):
    slots = {"feedback_text": "more youth workers in Boston please, call 07700 900555", "feedback_contact_ok": False}
    request = rasa_request("action_submit_feedback", text="no", intent="deny", slots=slots, channel="web")
    body = httpx.post(f"{action_server}/webhook", json=request).json()
    assert {"event": "slot", "name": "feedback_text", "value": None, "timestamp": None} in body["events"]
    stored = session.exec(select(Feedback).where(Feedback.text.contains("youth workers in Boston"))).one()
    assert "[phone]" in stored.text and stored.original_text is None


def test_unknown_action_is_a_clear_404(action_server):
    response = httpx.post(f"{action_server}/webhook", json=rasa_request("action_nope", text="x", intent="greet"))
    assert response.status_code == 404
