"""How actions say an approved answer: the channel's version of content/, as a Rasa message."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.content import Reply, get_pack


def metadata_of(tracker: Tracker) -> dict[str, Any]:
    """What the api's channel said about the latest message (channel, and for a number the directory
    knows, the young person's reference and first name; never set by a web client)."""
    return (tracker.latest_message or {}).get("metadata") or {}


def channel_of(tracker: Tracker) -> str:
    """The channel the latest message came in on, web by default."""
    return str(metadata_of(tracker).get("channel") or "web")


def reference_of(tracker: Tracker) -> str | None:
    """The directory reference of the young person texting, when their number is known."""
    reference = metadata_of(tracker).get("young_person")
    return str(reference) if reference else None


def utter_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a rendered answer, with its buttons and content key."""
    message = reply.as_message()
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"], key=message["key"])


def say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, values: dict[str, str] | None = None) -> None:
    """Send the approved answer `key` in the version for the tracker's channel ({placeholders} from `values`)."""
    utter_reply(dispatcher, get_pack().render(key, channel_of(tracker), values))
