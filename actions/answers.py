"""Answering a question: the approved answer for the recognised intent."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.content import say
from api.content import get_pack

# Intents whose answer has another name in content/.
CONTENT_KEY = {"nlu_fallback": "fallback"}


class ActionAnswer(Action):
    """Reply with the approved answer for the latest intent (the fallback answer if there is none)."""

    def name(self) -> str:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        key = CONTENT_KEY.get(intent, intent)
        say(dispatcher, tracker, key if get_pack().has(key) else "fallback")
        return []
