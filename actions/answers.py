"""Answering a question: the approved answer for what was asked.

An intent with sub-answers (Rasa's retrieval intents: `money/setting_up_home`) is answered with the one the
response selector chose, when it is sure enough; otherwise with the intent's whole answer. Both engines
put the selector's ranking in the parse the same way (`response_selector.default.ranking`)."""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import answer_for, metadata_of, pack_of, rendered, say, utter_reply
from actions.forms import asks_for_progress, made_a_request_lately, tell_progress_of

# Intents whose answer has another name in content/.
CONTENT_KEY = {"nlu_fallback": "fallback"}
# Not understood, but "any news?" in it: where their latest request has got to, of any kind.
PROGRESS_INTENTS = {"nlu_fallback", "out_of_scope"}


class ActionAnswer(Action):
    """Reply with the approved answer for the latest intent (the fallback answer if there is none)."""

    def name(self) -> str:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        if asks_for_progress(tracker) and (intent in PROGRESS_INTENTS or made_a_request_lately(tracker)):
            if not tell_progress_of(dispatcher, tracker, None):
                say(dispatcher, tracker, "request_none")
            return []
        key = CONTENT_KEY.get(intent) or answer_for(tracker, intent)
        pack = pack_of(tracker)
        # A young person the directory knows (by their mobile) is greeted by first name; nobody else's
        # details are ever used.
        first_name = metadata_of(tracker).get("first_name")
        if first_name and pack.has(f"{key}_known"):
            utter_reply(dispatcher, rendered(tracker, f"{key}_known", {"first_name": first_name}))
            return []
        say(dispatcher, tracker, key if pack.has(key) else "fallback")
        return []
