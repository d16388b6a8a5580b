"""Retention: delete what we no longer need. Safeguarding alerts are kept (the duty team's record), and so
are requests still open and their conversations (their thread in the staff inbox)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, select

from api.config import Settings
from api.db import unit_of_work
from api.models import (
    Conversation,
    Feedback,
    InboundSms,
    Notification,
    OutboundSms,
    Rating,
    RequestEvent,
    SupportRequest,
    TrainingExample,
    TrendEmail,
    Turn,
    Unanswered,
    utcnow,
)


@dataclass(frozen=True)
class PurgeReport:
    """How many of each were deleted."""

    feedback: int
    conversations: int
    turns: int
    inbound_sms: int
    requests: int = 0  # closed requests, with their history
    notifications: int = 0  # sent or failed notifications (the request's history keeps the outcome)
    outbound_sms: int = 0  # delivery records of texts we sent
    unanswered: int = 0  # questions the bot could not answer (redacted)
    ratings: int = 0  # "did this help?" answers
    proposals: int = 0  # training examples proposed and never approved (approved ones are training data)


def purge(settings: Settings, now: datetime | None = None) -> PurgeReport:
    """Delete feedback and conversations (with their turns and SMS receipts), questions not answered,
    ratings and unapproved training examples past their retention."""
    now = now or utcnow()
    feedback_before = now - timedelta(days=settings.feedback_retention_days)
    conversations_before = now - timedelta(days=settings.conversation_retention_days)
    with unit_of_work() as session:
        # The conversation of a request still open is its thread in the inbox: kept until it is closed.
        open_threads = select(SupportRequest.conversation_id).where(SupportRequest.status != "closed")
        old = list(
            session.exec(
                select(Conversation.id).where(
                    col(Conversation.updated_at) < conversations_before, col(Conversation.id).not_in(open_threads)
                )
            )
        )
        turns = session.exec(delete(Turn).where(col(Turn.conversation_id).in_(old))).rowcount if old else 0
        receipts = session.exec(delete(InboundSms).where(col(InboundSms.created_at) < conversations_before)).rowcount
        conversations = session.exec(delete(Conversation).where(col(Conversation.id).in_(old))).rowcount if old else 0
        feedback = session.exec(delete(Feedback).where(col(Feedback.created_at) < feedback_before)).rowcount
        # Questions not answered are young people's words (redacted): kept as long as conversations.
        unanswered = session.exec(delete(Unanswered).where(col(Unanswered.created_at) < conversations_before)).rowcount
        ratings = session.exec(delete(Rating).where(col(Rating.created_at) < feedback_before)).rowcount
        not_approved = col(TrainingExample.status) != "approved"
        proposals = session.exec(
            delete(TrainingExample).where(not_approved, col(TrainingExample.proposed_at) < conversations_before)
        ).rowcount
        session.exec(delete(TrendEmail).where(col(TrendEmail.sent_at) < feedback_before))
        settled = col(Notification.status).not_in(("pending", "sending"))
        notifications = session.exec(
            delete(Notification).where(settled, col(Notification.updated_at) < conversations_before)
        ).rowcount
        texts = session.exec(delete(OutboundSms).where(col(OutboundSms.created_at) < conversations_before)).rowcount
        requests_before = now - timedelta(days=settings.request_retention_days)
        closed = list(
            session.exec(
                select(SupportRequest.id).where(
                    SupportRequest.status == "closed", SupportRequest.updated_at < requests_before
                )
            )
        )
        if closed:
            session.exec(delete(RequestEvent).where(col(RequestEvent.request_id).in_(closed)))
            session.exec(delete(Notification).where(col(Notification.request_id).in_(closed)))
            session.exec(delete(SupportRequest).where(col(SupportRequest.id).in_(closed)))
    return PurgeReport(
        feedback=feedback,
        conversations=conversations,
        turns=turns,
        inbound_sms=receipts,
        requests=len(closed),
        notifications=notifications,
        outbound_sms=texts,
        unanswered=unanswered,
        ratings=ratings,
        proposals=proposals,
    )
