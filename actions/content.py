"""How actions say an approved answer: the channel's version of content/, as a Rasa message."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.content import Reply, get_pack


def channel_of(tracker: Tracker) -> str:
    """The channel the latest message came in on (metadata set by the api), web by default."""
    metadata: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
    return str(metadata.get("channel") or "web")


def utter_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a rendered answer, with its buttons and content key."""
    message = reply.as_message()
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"], key=message["key"])


def say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, values: dict[str, str] | None = None) -> None:
    """Send the approved answer `key` in the version for the tracker's channel ({placeholders} from `values`)."""
    utter_reply(dispatcher, get_pack().render(key, channel_of(tracker), values))
