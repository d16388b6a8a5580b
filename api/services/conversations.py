"""Conversations: the row every turn, alert and request of one young person's chat hangs from."""

from typing import Any, cast

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from api.models import Conversation, Turn

CONVERSATIONS = cast(Table, Conversation.__table__)  # type: ignore[attr-defined]
TURNS = cast(Table, Turn.__table__)  # type: ignore[attr-defined]


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


def save_turn(session: Session, conversation: Conversation, state: dict[str, Any], turns: list[dict[str, Any]]) -> None:
    """A turn's writes as two statements on the tables: the conversation's new state in one UPDATE, and
    its messages in one INSERT (`turns`: Turn's columns but the id, the same keys in each).

    The ORM's unit of work would build, track and flush objects for the same two statements, about half
    a millisecond of a two-millisecond turn. The loaded conversation is kept in step (its new values
    become its committed ones), so a later read in the same transaction sees them and nothing is
    written twice.
    """
    connection = session.connection()
    connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation.id).values(**state))
    for name, value in state.items():
        set_committed_value(conversation, name, value)
    if turns:
        connection.execute(insert(TURNS), turns)
