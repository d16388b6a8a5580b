"""CARING_ENGINE=rasa: a real Rasa server understands and answers; the api keeps safety and channels.

Every message still passes the crisis phrase list here first: a crisis is answered (and the alert
recorded) without waiting on the Rasa server. Other messages go to Rasa's REST API over httpx,
with the channel in the metadata so actions/ choose the SMS or web version. If Rasa does not
answer in time, the young person gets the fallback answer (how to reach a person), never an error.
"""

import logging
from typing import Any

import httpx

from api.config import Settings
from api.contract import BotMessage
from api.engine.core import Engine
from api.engine.dialogue import DialogueState, Exchange
from api.engine.nlu import Parse
from api.nlp.rasa_data import base_intent, load_project

log = logging.getLogger(__name__)


class RasaEngine(Engine):
    """The Engine, with understanding and dialogue delegated to a Rasa server."""

    answers_with_concern = False  # a message at risk never waits on the Rasa server

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        super().__init__(load_project(settings.bot_dir), None, settings)
        self.client = client

    @classmethod
    def load(cls, settings: Settings) -> "RasaEngine":
        """Connect to the configured Rasa server (its health is checked by /ready, not here)."""
        return cls(settings, httpx.Client(base_url=settings.rasa_url, timeout=settings.rasa_timeout))

    def classify(self, text: str) -> Parse:
        """Rasa's /model/parse; the fallback intent if it cannot be reached."""
        try:
            response = self.client.post("/model/parse", json={"text": text})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.error("rasa parse failed", extra={"error": type(exc).__name__})
            return Parse(text, "nlu_fallback", 0.0, [], [])
        intent = body.get("intent") or {}
        name = str(intent.get("name") or "nlu_fallback")
        ranking = [(r["name"], float(r["confidence"])) for r in body.get("intent_ranking") or []]
        return Parse(
            text,
            name,
            float(intent.get("confidence") or 0),
            ranking,
            body.get("entities") or [],
            _responses(body, name),
        )

    def select(self, text: str, intent: str) -> list[tuple[str, float]]:
        """Rasa's selector ranks sub-answers in /model/parse only: none when the intent was changed here."""
        return []

    def next_messages(self, state: DialogueState, turn: Exchange) -> list[BotMessage]:
        """Rasa's REST channel answers; its own tracker store keeps the dialogue state."""
        payload = {"sender": state.sender_id, "message": turn.parse.text, "metadata": turn.metadata}
        try:
            response = self.client.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            messages = [m for m in response.json() if isinstance(m, dict)]
        except (httpx.HTTPError, ValueError) as exc:
            log.error("rasa webhook failed", extra={"error": type(exc).__name__})
            messages = []
        if not messages:  # never leave a young person without an answer
            return [self._say("fallback", turn.metadata)]
        return [{"text": m.get("text") or "", "buttons": m.get("buttons") or []} for m in messages]

    def ready(self) -> bool:
        """Whether the Rasa server answers."""
        try:
            return self.client.get("/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def _responses(body: dict[str, Any], intent: str) -> list[tuple[str, float]]:
    """This intent's sub-answers from Rasa's `response_selector` (its one selector ranks them all)."""
    selector = (body.get("response_selector") or {}).get("default") or {}
    ranking = [
        (str(r.get("intent_response_key")), float(r.get("confidence") or 0)) for r in selector.get("ranking") or []
    ]
    return [(key, confidence) for key, confidence in ranking if base_intent(key) == intent]
