"""Stored data. Store the least: no names or numbers of young people beyond what a feature needs."""

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


def default_council() -> str:
    """The council a row belongs to when nothing says otherwise: the deployment's default."""
    from api.config import get_settings

    return get_settings().council


def utcnow() -> datetime:
    """Timezone-aware now, for defaults."""
    return datetime.now(UTC)


class HasId(Protocol):
    id: int | None


def row_id(row: HasId) -> int:
    """The id of a row that has been stored (flushed): a new row has none until then."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id until it is stored")
    return row.id


# One conversation per sender; its dialogue state lives here, not in process memory.
class Conversation(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=128)
    channel: str = Field(default="web", max_length=16)
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # whose content answers
    slots: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active_loop: str | None = Field(default=None, max_length=64)
    requested_slot: str | None = Field(default=None, max_length=64)
    latest_intent: str | None = Field(default=None, max_length=64)
    latest_action: str | None = Field(default=None, max_length=64)
    # The rest of a long SMS answer, sent when the young person replies MORE.
    pending_more: str | None = Field(default=None, sa_column=Column(Text))
    # The payloads of the numbered options last offered by SMS ("Reply 1 for ...").
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The language they last wrote in, when it could be told ("ti", "en"): answers and interpreters follow it.
    language: str | None = Field(default=None, max_length=16)
    # The content key of the last answer given, while it can still be rated ("did this help?", "that
    # helped", "not what I asked": the question is then the conversation's last message before).
    last_answer: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


# One message in or out of a conversation.
class Turn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(index=True, max_length=128, foreign_key="conversation.id", ondelete="CASCADE")
    role: str = Field(max_length=8)  # user | bot | staff (an advisor's reply from the inbox)
    text: str = Field(sa_column=Column(Text, nullable=False))
    intent: str | None = Field(default=None, max_length=64)
    confidence: float | None = None
    language: str | None = Field(default=None, max_length=16)  # a young person's message's language, when told
    script: str | None = Field(default=None, max_length=16)  # its main non-Latin script (Arabic, Ethiopic...)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# A crisis message, kept for the duty team to act on (never purged with conversations).
class SafeguardingAlert(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(index=True, max_length=128)
    channel: str = Field(default="web", max_length=16)
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # whose duty team
    kind: str = Field(max_length=32)  # one of api.risk.KINDS
    level: str = Field(default="crisis", max_length=16)  # crisis (act now) | concern (review and check in)
    language: str | None = Field(default=None, max_length=16)  # the message's language, when it could be told
    matched: str = Field(default="", max_length=200)  # what triggered it: pattern:<id>, language:<code>, classifier...
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="new", max_length=16)  # new | acknowledged | closed
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # The directory's reference when the message came from a known number (who to reach).
    young_person_reference: str | None = Field(default=None, max_length=32)
    # Who last moved it on, and when (the duty team's record of acting on it).
    handled_by: str | None = Field(default=None, max_length=254)
    handled_at: datetime | None = None


# Shared fields of a piece of feedback.
class FeedbackBase(SQLModel):
    channel: str = Field(default="web", max_length=16)


# What a young person sends (API or the give_feedback flow).
class FeedbackCreate(FeedbackBase):
    text: str


# Stored feedback: redacted text only, unless the young person agreed to be contacted.
class Feedback(FeedbackBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))  # redacted
    original_text: str | None = Field(default=None, sa_column=Column(Text))  # only with consent
    contact_ok: bool = False
    conversation_id: str | None = Field(default=None, max_length=128)  # only with consent
    young_person_reference: str | None = Field(default=None, max_length=32)  # only with consent, when known
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sentiment: str | None = Field(default=None, max_length=8)  # positive | negative | mixed
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # whose young people said it
    language: str | None = Field(default=None, index=True, max_length=16)  # what it was written in, when told
    # A reviewer's correction: `themes` then holds theirs, `model_themes` what the classifier said.
    reviewed: bool = Field(default=False, index=True)
    model_themes: list[str] | None = Field(default=None, sa_column=Column(JSON))
    reviewed_by: str | None = Field(default=None, max_length=254)
    reviewed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)


# "You said, we did": what the council did about a theme, written by the participation team and
# told to young people who ask what happened to their feedback.
class YouSaidWeDid(SQLModel, table=True):
    council: str = Field(primary_key=True, max_length=64)
    theme: str = Field(primary_key=True, max_length=16)
    you_said: str = Field(sa_column=Column(Text, nullable=False))
    we_did: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)


# What the API returns about a piece of feedback just given.
class FeedbackPublic(SQLModel):
    id: int
    themes: list[str]
    crisis: bool = False
    message: str | None = None  # the crisis answer, when the feedback was a cry for help


# A question the bot could not answer well: it fell back, was unsure, or the young person said the
# answer was not what they asked. Redacted; no conversation, so never who asked. The content team
# reads them grouped into clusters (api/services/gaps.py).
class Unanswered(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))  # redacted
    reason: str = Field(max_length=16)  # fallback | unsure | not_asked (api.services.gaps.REASONS)
    intent: str | None = Field(default=None, max_length=64)  # what the model guessed, and how sure it was
    confidence: float | None = None
    channel: str = Field(default="web", max_length=16)
    council: str = Field(default_factory=default_council, index=True, max_length=64)
    language: str | None = Field(default=None, max_length=16)
    # Marked by the content team: the answer that now covers it (a content key), and when.
    answered_by: str | None = Field(default=None, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# A young person's words proposed as a training example for an intent, from a cluster of unanswered
# questions marked "answered by": used to train only once a reviewer approved it (never automatically).
class TrainingExample(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))  # redacted, as the question was stored
    intent: str = Field(max_length=64)  # bot/data's intent, "money/setting_up_home" for a sub-answer
    answer: str = Field(max_length=64)  # the content key the cluster was marked answered by
    council: str = Field(default_factory=default_council, index=True, max_length=64)
    status: str = Field(default="proposed", index=True, max_length=16)  # proposed | approved | rejected
    proposed_by: str = Field(max_length=254)
    proposed_at: datetime = Field(default_factory=utcnow)
    reviewed_by: str | None = Field(default=None, max_length=254)
    reviewed_at: datetime | None = None


# "Did this help?": one tap on the web, or "that helped" / "no" by text after an answer. Which answer,
# yes or no, where and when: never who.
class Rating(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    answer: str = Field(index=True, max_length=64)  # the content key
    helped: bool
    channel: str = Field(default="web", max_length=16)
    council: str = Field(default_factory=default_council, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# A week whose theme counts the participation team were told about (the weekly email is sent once).
class TrendEmail(SQLModel, table=True):
    council: str = Field(primary_key=True, max_length=64)
    week: str = Field(primary_key=True, max_length=10)  # the Monday that began the week reported, ISO
    sent_at: datetime = Field(default_factory=utcnow)


# A young person the council supports: looked up by mobile so the bot can greet them by name.
class YoungPerson(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)  # the council's case reference
    first_name: str = Field(max_length=64)
    mobile: str | None = Field(default=None, unique=True, max_length=20)  # E.164, +447700900123
    status: str = Field(default="care_leaver", max_length=16)  # in_care | care_leaver
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # who looks after them
    worker_id: int | None = Field(default=None)  # their personal advisor or social worker (Worker.id)


# A personal advisor or social worker. Young people are told only the first name (and `public_contact`
# when the council chose to publish one); the work email and mobile are for notifications.
class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)  # work email: the directory's key
    name: str = Field(max_length=128)
    role: str = Field(default="personal_advisor", max_length=32)  # personal_advisor | social_worker
    mobile: str | None = Field(default=None, max_length=20)  # work mobile, E.164
    team: str = Field(default="leaving_care", max_length=64)
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # who employs them
    away: bool = False  # on leave: requests go to the team inbox instead
    public_contact: str | None = Field(default=None, max_length=64)  # what young people may be told

    @property
    def first_name(self) -> str:
        """The only part of a worker's name a young person is told."""
        return self.name.split()[0] if self.name.strip() else ""


# Something a young person started that a person must take up: a handoff to their advisor (or a
# callback from the team), an advocacy referral or a complaint. Tracked until staff close it.
class SupportRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=16)  # handoff | advocacy | complaint
    status: str = Field(index=True, max_length=24)  # see api/services/requests.py STATUSES
    council: str = Field(default_factory=default_council, index=True, max_length=64)  # whose staff take it up
    conversation_id: str = Field(index=True, max_length=128)
    channel: str = Field(default="web", max_length=16)
    young_person_id: int | None = Field(default=None, index=True, foreign_key="youngperson.id", ondelete="SET NULL")
    worker_id: int | None = Field(default=None, index=True, foreign_key="worker.id", ondelete="SET NULL")
    team: str | None = Field(default=None, max_length=64)  # the inbox it went to when not to a worker
    # What the young person told us for this request (topic, urgency, what happened, meeting date...).
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contact: str | None = Field(default=None, max_length=254)  # only what they chose to give
    # The language the young person wrote in (details["interpreter"] when they need an interpreter).
    language: str | None = Field(default=None, index=True, max_length=16)
    due_at: datetime | None = None  # when they were told someone would answer
    # When the leaving care team was told that nobody had marked it contacted by due_at.
    escalated_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def reference(self) -> str:
        """What the young person and staff call it: H-12, A-13, C-14."""
        return f"{self.kind[:1].upper()}-{self.id}"


# One step in a request's history: created, notified, a status change, a note, a reply.
class RequestEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(index=True, foreign_key="supportrequest.id", ondelete="CASCADE")
    status: str | None = Field(default=None, max_length=24)  # the new status, when it changed
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    by: str = Field(default="bot", max_length=254)  # bot | young person | a staff email
    created_at: datetime = Field(default_factory=utcnow, index=True)


# A notification waiting to go, or gone (the outbox): written with the request, in the same
# transaction, and sent after it commits, so a crash between the two loses nothing.
class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, index=True, foreign_key="supportrequest.id", ondelete="CASCADE")
    channel: str = Field(max_length=8)  # sms | email
    to: str = Field(max_length=254)  # a work mobile or inbox, never a young person's number
    subject: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", index=True, max_length=16)  # pending | sending | sent | failed | unknown
    attempts: int = 0
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


# An SMS webhook call already handled: Twilio retries must not be processed twice.
class InboundSms(SQLModel, table=True):
    message_sid: str = Field(primary_key=True, max_length=64)
    conversation_id: str = Field(max_length=128, index=True)
    twiml: str = Field(sa_column=Column(Text, nullable=False))  # the answer given, repeated on a retry
    created_at: datetime = Field(default_factory=utcnow, index=True)


# A number that texted STOP (or that Twilio refused with 21610): nothing is sent to it.
class SmsOptOut(SQLModel, table=True):
    number_hash: str = Field(primary_key=True, max_length=64)
    opted_out: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


# A text we sent through Twilio's REST API, with what Twilio said about it.
class OutboundSms(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    to_masked: str = Field(max_length=24)  # +44 7*** ***123: enough for staff to recognise
    number_hash: str = Field(max_length=64, index=True)
    purpose: str = Field(default="", max_length=32)  # advisor_reply | notification | ...
    twilio_sid: str | None = Field(default=None, unique=True, max_length=64)
    status: str = Field(default="queued", max_length=16)  # queued|sent|delivered|failed|undelivered|blocked|unknown
    error_code: int | None = None
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


# A member of staff who signs in: an advisor, the participation team, or an admin.
class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)  # advisor | participation | admin
    council: str | None = Field(default=None, max_length=64)  # the council they work for (None: every council)
    worker_id: int | None = None  # an advisor's own directory entry (Worker.id, matched by email)
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


# A bearer token given at sign-in; only its hash is stored.
class StaffToken(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(index=True, foreign_key="staff.id", ondelete="CASCADE")
    expires_at: datetime = Field(index=True)


# How many calls one key (a rule and a sender or an address) made in one time window: rate limits that
# every worker process shares. Old windows are deleted by the background round (api/jobs.py).
class RateCounter(SQLModel, table=True):
    __tablename__ = "rate_counter"
    key: str = Field(primary_key=True, max_length=160)
    window: int = Field(primary_key=True)  # the window's start, in seconds since the epoch
    hits: int = Field(default=0)
