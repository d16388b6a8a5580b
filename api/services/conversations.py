"""Conversations: the row every turn, alert and request of one young person's chat hangs from."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.models import Conversation


def lock_conversation(session: Session, sender: str, channel: str) -> Conversation:
    """The conversation row, locked for this transaction (created on the first message)."""
    query = select(Conversation).where(Conversation.id == sender).with_for_update()
    conversation = session.exec(query).first()
    if conversation is not None:
        return conversation
    try:
        with session.begin_nested():
            conversation = Conversation(id=sender, channel=channel)
            session.add(conversation)
        return conversation
    except IntegrityError:  # another process created it a moment ago
        return session.exec(query).one()
