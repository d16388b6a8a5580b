"""Conversations: the row every turn, alert and request of one young person's chat hangs from."""

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from api.models import Conversation, Turn

CONVERSATIONS = cast(Table, Conversation.__table__)  # type: ignore[attr-defined]
TURNS = cast(Table, Turn.__table__)  # type: ignore[attr-defined]
_ADD_TURNS = insert(TURNS)


@lru_cache
def _update(columns: tuple[str, ...]) -> Update:
    """The UPDATE of these columns of one conversation, built once: building and keying a statement on
    every turn cost three times running it."""
    where = CONVERSATIONS.c.id == bindparam("conversation_id")
    return update(CONVERSATIONS).where(where).values({name: bindparam(name) for name in columns})


_LOCK = select(Conversation).where(Conversation.id == bindparam("sender")).with_for_update()  # built once


def lock_conversation(session: Session, sender: str, channel: str) -> Conversation:
    """The conversation row, locked for this transaction (created on the first message)."""
    conversation = session.exec(_LOCK, params={"sender": sender}).first()
    if conversation is not None:
        return conversation
    try:
        with session.begin_nested():
            conversation = Conversation(id=sender, channel=channel)
            session.add(conversation)
        return conversation
    except IntegrityError:  # another process created it a moment ago
        return session.exec(_LOCK, params={"sender": sender}).one()


def save_turn(session: Session, conversation: Conversation, state: dict[str, Any], turns: list[dict[str, Any]]) -> None:
    """A turn's writes as two statements on the tables: the conversation's new state in one UPDATE, and
    its messages in one INSERT (`turns`: Turn's columns but the id, the same keys in each).

    The ORM's unit of work would build, track and flush objects for the same two statements, about half
    a millisecond of a two-millisecond turn. The loaded conversation is kept in step (its new values
    become its committed ones), so a later read in the same transaction sees them and nothing is
    written twice.
    """
    connection = session.connection()
    connection.execute(_update(tuple(state)), {"conversation_id": conversation.id, **state})
    for name, value in state.items():
        set_committed_value(conversation, name, value)
    if turns:
        connection.execute(_ADD_TURNS, turns)


def last_said(session: Session, conversation_id: str) -> str | None:
    """What the young person wrote last in the conversation (before the message being handled)."""
    query = (
        select(Turn.text)
        .where(Turn.conversation_id == conversation_id, Turn.role == "user")
        .order_by(col(Turn.id).desc())
        .limit(1)
    )
    return session.exec(query).first()
