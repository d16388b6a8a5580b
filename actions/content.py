"""How actions say an approved answer: the channel's version of content/, as a Rasa message."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.content import ContentPack, Reply, answer_key, get_pack


def metadata_of(tracker: Tracker) -> dict[str, Any]:
    """What the api's channel said about the latest message (channel, and for a number the directory
    knows, the young person's reference and first name; never set by a web client)."""
    return (tracker.latest_message or {}).get("metadata") or {}


def channel_of(tracker: Tracker) -> str:
    """The channel the latest message came in on, web by default."""
    return str(metadata_of(tracker).get("channel") or "web")


def council_of(tracker: Tracker) -> str | None:
    """The council whose young person this is (the channel chose it: number texted, chat address, REST
    metadata); None is the deployment's default."""
    council = metadata_of(tracker).get("council")
    return str(council) if council else None


def pack_of(tracker: Tracker) -> ContentPack:
    """The conversation's council's answers."""
    return get_pack(council_of(tracker))


def simple_of(tracker: Tracker) -> bool:
    """Whether they asked for simple English (the short versions of answers, on the web too)."""
    return bool(metadata_of(tracker).get("simple"))


def reference_of(tracker: Tracker) -> str | None:
    """The directory reference of the young person texting, when their number is known."""
    reference = metadata_of(tracker).get("young_person")
    return str(reference) if reference else None


def utter_reply(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a rendered answer, with its buttons and content key."""
    message = reply.as_message()
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"], key=message["key"])


def rendered(tracker: Tracker, key: str, values: dict[str, str] | None = None) -> Reply:
    """The approved answer `key` in the version for the tracker's channel ({placeholders} from `values`), the
    short one for someone who asked for simple English."""
    return pack_of(tracker).render(key, channel_of(tracker), values, simple=simple_of(tracker))


def say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, values: dict[str, str] | None = None) -> None:
    """Send the approved answer `key` in the version for the tracker (see `rendered`)."""
    utter_reply(dispatcher, rendered(tracker, key, values))


# Below this, the selector's choice of sub-answer is a guess: the intent's whole answer is safer.
SELECTOR_FLOOR = 0.3


def answer_for(tracker: Tracker, intent: str) -> str:
    """The content key that answers this message: the chosen sub-answer (when this council has it and the
    selector is sure enough), or the intent's own answer."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("default") or {}
    ranking = [
        (str(e.get("intent_response_key") or ""), float(e.get("confidence") or 0))
        for e in selector.get("ranking") or []
    ]
    return chosen_answer(intent, ranking, pack_of(tracker))


def chosen_answer(intent: str, ranking: list[tuple[str, float]], pack: ContentPack) -> str:
    """The content key for `intent` given the response selector's ranking (`("money/setting_up_home", 0.93)`,
    best first): its best sub-answer when sure enough and written for this council, else the intent's."""
    for key, confidence in ranking:
        if key.partition("/")[0] == intent:  # the best of this intent's sub-answers
            sure = confidence >= SELECTOR_FLOOR
            return answer_key(key) if sure and pack.has(answer_key(key)) else intent
    return intent
