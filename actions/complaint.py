"""complain: a worry or a formal complaint, the stages and who can help; starting a Stage 1 complaint."""

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
from api.services.office_hours import office_hours
from api.services.requests import start_complaint

SLOTS = ["complaint_what", "complaint_outcome", "complaint_contact"]


class ActionOfferComplaint(Action):
    """Explain complaints and offer to start one; 'nothing happened' hears where theirs is, or the next stage."""

    def name(self) -> str:
        return "action_offer_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if asks_for_progress(tracker):
            if not tell_progress_of(dispatcher, tracker, "complaint"):
                say(dispatcher, tracker, "complain_next_stage")
            return []
        say_text(dispatcher, tracker, answer_for(tracker, "complain"))
        say(dispatcher, tracker, "complaint_offer")
        return []


class ActionAskComplaintWhat(SayAnswer):
    """Ask what happened."""

    content_key = "complaint_ask_what"

    def name(self) -> str:
        return "action_ask_complaint_what"


class ActionAskComplaintOutcome(SayAnswer):
    """Ask what they want to happen."""

    content_key = "complaint_ask_outcome"

    def name(self) -> str:
        return "action_ask_complaint_outcome"


class ActionAskComplaintContact(AskContact):
    """Ask how the complaints team can reach them."""

    def name(self) -> str:
        return "action_ask_complaint_contact"


class ValidateComplaintForm(RequestFormValidation):
    """Their own words are kept as written; contact must be a number or email."""

    slots = SLOTS
    limits = {"complaint_what": 4000, "complaint_outcome": 2000}

    def name(self) -> str:
        return "validate_complaint_form"


class ActionSubmitComplaint(SubmitRequest):
    """Send the complaint to the complaints team and acknowledge it with the Stage 1 timescale."""

    slots = SLOTS

    def name(self) -> str:
        return "action_submit_complaint"

    def submit(
        self, session: Session, tracker: Tracker, person: YoungPerson | None, contact: str | None
    ) -> list[tuple[str, dict[str, str]]]:
        request = start_complaint(
            session=session,
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            young_person=person,
            what_happened=given(tracker.get_slot("complaint_what")),
            wanted=given(tracker.get_slot("complaint_outcome")),
            contact=contact or (person.mobile if person else None),
        )
        due = office_hours().describe_day(request.due_at) if request.due_at else ""
        return [("complaint_done", hours_values(reference=request.reference, due=due))]
