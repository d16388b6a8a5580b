"""The give_feedback form: what's on your mind, may we contact you, thanks (or "cancel": nothing kept)."""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import channel_of, pack_of, reference_of, rendered, say
from actions.forms import CANCELLED, asks_for_progress, is_cancel, stop_form
from api.db import unit_of_work
from api.services.feedback import store_feedback, you_said_we_did


class ActionAskFeedbackText(Action):
    """Ask what is on their mind; "what happened to my feedback?" hears You said, we did instead."""

    def name(self) -> str:
        return "action_ask_feedback_text"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if asks_for_progress(tracker):
            with unit_of_work() as session:
                entries = you_said_we_did(session=session, council=pack_of(tracker).name)
            if not entries:
                say(dispatcher, tracker, "you_said_we_did_none")
                return stop_form()
            pack = pack_of(tracker)
            item = pack.answers["you_said_we_did"].extra["item"]
            lines = [pack.fill(item, {"you_said": e.you_said, "we_did": e.we_did}) for e in entries]
            intro = rendered(tracker, "you_said_we_did")
            dispatcher.utter_message(text="\n".join([intro.text, *lines]), buttons=intro.as_message()["buttons"])
            return stop_form()
        say(dispatcher, tracker, "give_feedback")
        return []


class ActionAskFeedbackContactOk(Action):
    """Ask whether the council may contact them about it (the default is no)."""

    def name(self) -> str:
        return "action_ask_feedback_contact_ok"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, tracker, "feedback_ask_contact")
        return []


class ValidateFeedbackForm(FormValidationAction):
    """Keep feedback that has words in it; anything but a clear yes to contact means no."""

    def name(self) -> str:
        return "validate_feedback_form"

    def validate_feedback_text(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if is_cancel(text):  # "cancel", "never mind", or "Stop this" when asked which they meant
            return {"feedback_text": CANCELLED, "feedback_contact_ok": False}
        if not any(ch.isalnum() for ch in text):
            say(dispatcher, tracker, "feedback_empty")
            return {"feedback_text": None}
        return {"feedback_text": text}

    def validate_feedback_contact_ok(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"feedback_contact_ok": slot_value is True}


class ActionSubmitFeedback(Action):
    """Store the feedback (redacted; the original only with consent), thank them, clear the form."""

    def name(self) -> str:
        return "action_submit_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.get_slot("feedback_text")
        if text == CANCELLED:
            say(dispatcher, tracker, "form_cancelled")
            return [SlotSet("feedback_text", None), SlotSet("feedback_contact_ok", None)]
        if text:
            with unit_of_work() as session:
                store_feedback(
                    session=session,
                    text=str(text),
                    channel=channel_of(tracker),
                    contact_ok=tracker.get_slot("feedback_contact_ok") is True,
                    conversation_id=tracker.sender_id,
                    young_person_reference=reference_of(tracker),
                    council=pack_of(tracker).name,
                )
        say(dispatcher, tracker, "feedback_thanks")
        return [SlotSet("feedback_text", None), SlotSet("feedback_contact_ok", None)]
