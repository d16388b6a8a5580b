"""What the request forms share: who is asking, skipping and cancelling, contact details, progress."""

import re
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.content import pack_of, reference_of, rendered, say
from api.db import unit_of_work
from api.models import SupportRequest, Worker, YoungPerson, utcnow
from api.nlp.text import keyword
from api.privacy import normalise_number
from api.services.directory import young_person_by_reference
from api.services.office_hours import office_hours
from api.services.requests import STAGE1_LATEST_WORKING_DAYS, STAGE1_WORKING_DAYS, is_late, requests_of

NOT_GIVEN = "-"  # a skipped question (a slot left empty would be asked again)
CANCELLED = "cancelled"  # every slot of a form the young person stopped
FROM_DIRECTORY = "directory"  # "use this number": the directory mobile of a known young person
SKIP_WORDS = {
    "skip",
    "no",
    "nope",
    "none",
    "nothing",
    "no thanks",
    "not sure",
    "dont know",
    "don't know",
    "idk",
    "pass",
    "n/a",
}
CANCEL_WORDS = {"cancel", "stop", "never mind", "nevermind", "forget it", "forget that", "quit", "exit"}
# "this number", "text me on this number", "ring me on my mobile", "same as this": the number they are
# texting from. The set holds the short answers the pattern does not cover.
SAME_NUMBER = {"this one", "same", "this", "here", "yes", "ok"}
_SAME_NUMBER = re.compile(
    r"\b((this|my|same|the same|my own|this same) (number|phone|mobile|fone|num|no)|same as this|"
    r"(text|ring|call|phone|contact) me( back)?( here| on (it|this|here))?)\b"
)
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+44\s?|0)(?:\d\s?){9,10}")


def words(value: Any) -> str:
    """The answer in lower case, without the punctuation people add at the end."""
    return keyword(str(value or ""))


def is_skip(value: Any) -> bool:
    """'skip', 'no', 'not sure'..."""
    return words(value) in SKIP_WORDS


def is_cancel(value: Any) -> bool:
    """'cancel', 'never mind'..."""
    return words(value) in CANCEL_WORDS


def free_text(value: Any, limit: int = 1000) -> str:
    """What they wrote, trimmed; NOT_GIVEN when they skipped."""
    text = str(value or "").strip()
    return NOT_GIVEN if is_skip(text) or not text else text[:limit]


def given(value: Any) -> str | None:
    """A slot's value for the record: None when skipped or cancelled."""
    return None if value in (None, NOT_GIVEN, CANCELLED, FROM_DIRECTORY) else str(value)


def parse_contact(value: Any) -> str | None:
    """A UK phone number (normalised) or an email address found in what they wrote."""
    text = str(value or "")
    email = _EMAIL.search(text)
    if email:
        return email.group(0).lower()
    phone = _PHONE.search(text)
    if phone:
        return normalise_number(phone.group(0))
    return None


def young_person(session: Session, tracker: Tracker) -> YoungPerson | None:
    """The directory entry of the young person texting (set by the SMS channel, never by a web client)."""
    return young_person_by_reference(session, reference_of(tracker))


def is_known(tracker: Tracker) -> bool:
    """Whether the SMS channel recognised the sender's number."""
    return reference_of(tracker) is not None


def asks_for_progress(tracker: Tracker) -> bool:
    """'any news?', 'I complained and nothing happened': the `progress` entity of bot/data."""
    return any(e.get("entity") == "progress" for e in (tracker.latest_message or {}).get("entities") or [])


def contact_slot(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Validate a 'how can they contact you' answer: a number or email, 'this number', skip or cancel."""
    if is_skip(value):
        return {slot: FROM_DIRECTORY if is_known(tracker) else NOT_GIVEN}
    contact = parse_contact(value)
    if contact is not None:
        return {slot: contact}
    if is_known(tracker) and (words(value) in SAME_NUMBER or _SAME_NUMBER.search(words(value))):
        return {slot: FROM_DIRECTORY}
    say(dispatcher, tracker, "contact_invalid")
    return {slot: None}


def ask_contact(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """How can they contact you (with 'this number' for a young person texting from their own)."""
    say(dispatcher, tracker, "ask_contact_known" if is_known(tracker) else "ask_contact")


def reset(slots: list[str]) -> list[EventType]:
    """Clear a finished form's slots."""
    return [SlotSet(slot, None) for slot in slots]


def stop_form() -> list[EventType]:
    """Leave the form (the young person asked about progress instead)."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


def status_values(session: Session, request: SupportRequest) -> dict[str, str]:
    """The runtime placeholders of a status answer."""
    hours = office_hours()
    worker = session.get(Worker, request.worker_id) if request.worker_id else None
    values = {
        "reference": request.reference,
        "due": hours.describe(request.due_at) if request.due_at else "soon",
        "worker_name": worker.first_name if worker else "the leaving care team",
        "office_hours": hours.describe_hours(),
    }
    if request.kind == "complaint" and request.due_at:  # a complex Stage 1 complaint may take 20 working days
        extra = STAGE1_LATEST_WORKING_DAYS - STAGE1_WORKING_DAYS
        values["latest"] = hours.describe_day(hours.add_working_days(request.due_at, extra))
    return values


def tell_progress(
    session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, requests: list[SupportRequest]
) -> bool:
    """Say where their latest request has got to; False when they have none."""
    if not requests:
        return False
    latest = requests[0]
    key = f"status_{latest.kind}_{latest.status}"
    # A late answer says so, and what they can do, when there are words for it (open handoffs, Stage 1).
    if is_late(latest) and pack_of(tracker).has(f"{key}_late"):
        key = f"{key}_late"
    say(dispatcher, tracker, key, status_values(session, latest))
    return True


def say_text(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> None:
    """An answer without its buttons (when the message after it carries the choices)."""
    dispatcher.utter_message(text=rendered(tracker, key).text, key=key)


def hours_values(**values: str) -> dict[str, str]:
    """Runtime placeholders with the office hours in words."""
    return {"office_hours": office_hours().describe_hours(), **values}


# Soon after a request, "ok so what happens now?" is about it, whatever else the message might be read as.
LATELY = timedelta(hours=1)


def made_a_request_lately(tracker: Tracker) -> bool:
    """Whether this young person (or this chat) made a request in the last hour."""
    with unit_of_work() as session:
        return bool(_made_lately(session, tracker))


def tell_progress_of(dispatcher: CollectingDispatcher, tracker: Tracker, kind: str | None) -> bool:
    """Say where this young person's latest request of this kind (None: any) has got to; False when they
    have none. With none of this kind, a request of another kind made in the last hour is the one they
    mean ("how long will it take?" right after asking for their PA)."""
    with unit_of_work() as session:
        found = _requests(session, tracker, kind)
        if not found and kind is not None:
            found = _made_lately(session, tracker)
        return tell_progress(session, dispatcher, tracker, found)


def _requests(session: Session, tracker: Tracker, kind: str | None) -> list[SupportRequest]:
    """This young person's (or this chat's) requests of this kind (None: any), latest first."""
    person = young_person(session, tracker)
    return requests_of(
        session=session, conversation_id=tracker.sender_id, young_person_id=person.id if person else None, kind=kind
    )


def _made_lately(session: Session, tracker: Tracker) -> list[SupportRequest]:
    """Their latest request of any kind, when it was made in the last hour; else none."""
    latest = _requests(session, tracker, None)[:1]
    return [r for r in latest if utcnow() - _aware(r.created_at) <= LATELY]


def _aware(moment: datetime) -> datetime:
    """The database may hand back naive UTC (SQLite): compare like with like."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SayAnswer(Action, ABC):
    """An action that says one approved answer: a form's question."""

    @property
    @abstractmethod
    def content_key(self) -> str:
        """The answer in content/."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, tracker, self.content_key)
        return []


class AskContact(Action, ABC):
    """How can they contact you (with 'this number' for a young person texting from their own)."""

    @abstractmethod
    def name(self) -> str:
        """The form's action_ask_<form>_contact."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ask_contact(dispatcher, tracker)
        return []


class SubmitRequest(Action, ABC):
    """The end of a request form: nothing when cancelled or unreachable, else record it and answer."""

    also_reset: list[str] = []  # slots set outside the form that the request used up

    @property
    @abstractmethod
    def slots(self) -> list[str]:
        """The form's slots, the first one first and the contact slot last."""

    @abstractmethod
    def submit(
        self, session: Session, tracker: Tracker, person: YoungPerson | None, contact: str | None
    ) -> list[tuple[str, dict[str, str]]]:
        """Record the request; the answers to give (content key, placeholders)."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot(self.slots[0]) == CANCELLED:
            say(dispatcher, tracker, "form_cancelled")
            return reset([*self.slots, *self.also_reset])
        with unit_of_work() as session:
            person = young_person(session, tracker)
            contact = given(tracker.get_slot(self.slots[-1]))
            if person is None and contact is None:
                answers = [("handoff_no_contact", hours_values())]
            else:
                answers = self.submit(session, tracker, person, contact)
        for key, values in answers:
            say(dispatcher, tracker, key, values)
        return reset([*self.slots, *self.also_reset])


class RequestFormValidation(FormValidationAction, ABC):
    """The request forms' answers: CANCEL stops the form, SKIP is "not said", anything else is kept as
    written, and the last slot is how to reach them (a number or email, or "this number")."""

    limits: dict[str, int] = {}  # longest answer kept per slot (default 1000 characters)

    @property
    @abstractmethod
    def slots(self) -> list[str]:
        """The form's slots, the contact slot last."""

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values: dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot not in self.slots:
                continue
            if is_cancel(value):
                return [SlotSet(name, CANCELLED) for name in self.slots]
            values.update(self.check(slot, value, dispatcher, tracker))
        return [SlotSet(name, value) for name, value in values.items()]

    def check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """One answer's slot values (None asks the question again)."""
        if slot == self.slots[-1]:
            return contact_slot(slot, value, dispatcher, tracker)
        return {slot: free_text(value, self.limits.get(slot, 1000))}
