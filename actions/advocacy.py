"""advocate: what an advocate is, and a referral to the advocacy provider with the young person's consent."""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.content import answer_for, channel_of, say
from actions.forms import (
    AskContact,
    RequestFormValidation,
    SayAnswer,
    SubmitRequest,
    asks_for_progress,
    given,
    hours_values,
    say_text,
    tell_progress_of,
)
from api.models import YoungPerson
from api.services.requests import start_advocacy

SLOTS = ["advocacy_about", "advocacy_meeting", "advocacy_contact"]


class ActionOfferAdvocacy(Action):
    """Explain advocacy and offer a referral; or say where their referral has got to."""

    def name(self) -> str:
        return "action_offer_advocacy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if asks_for_progress(tracker) and tell_progress_of(dispatcher, tracker, "advocacy"):
            return []
        say_text(dispatcher, tracker, answer_for(tracker, "advocate"))
        say(dispatcher, tracker, "advocacy_offer")
        return []


class ActionAskAdvocacyAbout(SayAnswer):
    """Ask what they want an advocate's help with."""

    content_key = "advocacy_ask_about"

    def name(self) -> str:
        return "action_ask_advocacy_about"


class ActionAskAdvocacyMeeting(SayAnswer):
    """Ask whether a meeting is coming up."""

    content_key = "advocacy_ask_meeting"

    def name(self) -> str:
        return "action_ask_advocacy_meeting"


class ActionAskAdvocacyContact(AskContact):
    """Ask how the advocate can reach them."""

    def name(self) -> str:
        return "action_ask_advocacy_contact"


class ValidateAdvocacyForm(RequestFormValidation):
    """Anything they write is kept; the meeting can be skipped; contact must be a number or email."""

    slots = SLOTS
    limits = {"advocacy_meeting": 200}

    def name(self) -> str:
        return "validate_advocacy_form"


class ActionSubmitAdvocacy(SubmitRequest):
    """Send the referral to the advocacy provider and give the young person its reference."""

    slots = SLOTS

    def name(self) -> str:
        return "action_submit_advocacy"

    def submit(
        self, session: Session, tracker: Tracker, person: YoungPerson | None, contact: str | None
    ) -> list[tuple[str, dict[str, str]]]:
        request = start_advocacy(
            session=session,
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            young_person=person,
            about=given(tracker.get_slot("advocacy_about")),
            meeting=given(tracker.get_slot("advocacy_meeting")),
            contact=contact or (person.mobile if person else None),
        )
        return [("advocacy_done", hours_values(reference=request.reference))]
