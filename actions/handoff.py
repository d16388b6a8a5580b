"""talk_to_worker: a person takes it up. A known young person goes to their own advisor (the team while
the advisor is away); anyone else asks the leaving care team for a call back."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.content import channel_of, say
from actions.forms import (
    FROM_DIRECTORY,
    NOT_GIVEN,
    AskContact,
    RequestFormValidation,
    SayAnswer,
    SubmitRequest,
    asks_for_progress,
    given,
    hours_values,
    is_known,
    stop_form,
    tell_progress_of,
    words,
)
from api.models import YoungPerson
from api.nlp.language import NOT_SAID, get_languages
from api.services.requests import start_handoff

SLOTS = ["handoff_topic", "handoff_urgency", "handoff_contact"]
INTERPRETER = "interpreter"  # the slot: the language an interpreter must speak (see api/engine/core.py)
INTERPRETER_TOPIC = "needs an interpreter"
TODAY = ("today", "now", "urgent", "asap", "straight away", "right away", "soon as", "tonight", "quick")
THIS_WEEK = ("week", "not urgent", "no rush", "whenever", "tomorrow", "later", "soon", "any time", "anytime")


def interpreter_values(code: Any) -> dict[str, str]:
    """{language} and {in_their_language} of content's interpreter_done: 'Tigrinya', and the message in
    Tigrinya (nothing when the language is not yet known: the person taking it up asks)."""
    languages = get_languages()
    pack = languages.pack(str(code))
    said = str(pack.messages.get("interpreter_done") or "") if pack else ""
    name = languages.name(str(code)) if code and code != NOT_SAID else "your language"
    return {"language": name, "in_their_language": said}


def urgency_of(value: Any) -> str:
    """today | soon | NOT_GIVEN, from what they wrote (or the button they pressed)."""
    text = words(value)
    if "not urgent" in text or "no rush" in text:
        return "soon"
    if any(word in text for word in TODAY):
        return "today"
    if any(word in text for word in THIS_WEEK):
        return "soon"
    return NOT_GIVEN


class ActionAskHandoffTopic(Action):
    """Ask what it is about; someone asking for news of their request hears that instead."""

    def name(self) -> str:
        return "action_ask_handoff_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot(INTERPRETER):
            # Someone who asked for an interpreter is not asked, in English, what it is about: the person
            # who calls them with the interpreter will.
            say(dispatcher, tracker, "interpreter_ack")
            return [SlotSet("handoff_topic", INTERPRETER_TOPIC)]
        if asks_for_progress(tracker):
            if tell_progress_of(dispatcher, tracker, "handoff"):
                return stop_form()
        say(dispatcher, tracker, "handoff_ask_topic")
        return []


class ActionAskHandoffUrgency(SayAnswer):
    """Ask how soon they need to hear back."""

    content_key = "handoff_ask_urgency"

    def name(self) -> str:
        return "action_ask_handoff_urgency"


class ActionAskHandoffContact(AskContact):
    """Ask how the team can reach them (only people the directory does not know are asked)."""

    def name(self) -> str:
        return "action_ask_handoff_contact"


class ValidateHandoffForm(RequestFormValidation):
    """Both questions can be skipped; a known young person is not asked for contact details."""

    slots = SLOTS

    def name(self) -> str:
        return "validate_handoff_form"

    def check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if slot != "handoff_urgency":
            return super().check(slot, value, dispatcher, tracker)
        values = {"handoff_urgency": urgency_of(value)}
        if is_known(tracker):
            values["handoff_contact"] = FROM_DIRECTORY  # their advisor has their number
        return values


class ActionSubmitHandoff(SubmitRequest):
    """Record the handoff, notify the person taking it up, and tell the young person who and by when (and,
    when they asked for an interpreter, that one is being arranged, in their language too)."""

    slots = SLOTS
    also_reset = [INTERPRETER]

    def name(self) -> str:
        return "action_submit_handoff"

    def submit(
        self, session: Session, tracker: Tracker, person: YoungPerson | None, contact: str | None
    ) -> list[tuple[str, dict[str, str]]]:
        interpreter = tracker.get_slot(INTERPRETER)
        routed = start_handoff(
            session=session,
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            young_person=person,
            topic=given(tracker.get_slot("handoff_topic")),
            urgency=given(tracker.get_slot("handoff_urgency")),
            contact=contact,
            interpreter=str(interpreter) if interpreter else None,
        )
        reference = routed.request.reference
        values = hours_values(worker_name=routed.worker_first_name or "", due=routed.due, reference=reference)
        answers = [("interpreter_done", interpreter_values(interpreter))] if interpreter else []
        if routed.advisor_away:
            answers.append(("handoff_done_away", values))
        elif routed.worker_first_name:
            answers.append(("handoff_done", values))
            if routed.worker_contact:  # only what the council chose to publish for them
                answers.append(("handoff_worker_contact", {**values, "worker_contact": routed.worker_contact}))
        else:
            answers.append(("handoff_done_team", values))
        if not routed.office_open:
            answers.append(("out_of_hours", values))
        return answers
