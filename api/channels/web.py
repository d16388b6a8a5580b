"""The web chat's own rules, in front of the engine: "forget me" deletes the conversation."""

from sqlmodel import Session, col, delete, select

from api.config import get_settings
from api.content import answer_key, get_pack
from api.contract import OutMessage
from api.db import get_engine, unit_of_work
from api.engine.core import Engine
from api.models import Conversation, Turn
from api.nlp.rasa_data import PAYLOAD
from api.nlp.text import keyword
from api.services.ratelimit import Limit

FORGET = {"forget me", "forget my chat", "delete my chat", "delete this chat", "/forget"}


def is_forget(message: str) -> bool:
    """The whole message asks us to delete the chat."""
    return keyword(message) in FORGET


def forget(sender: str) -> bool:
    """Delete a conversation and its messages; False when there was none.

    Requests a person is taking up and safeguarding alerts stay: they are how someone helps.
    """
    with unit_of_work() as session:
        found = session.get(Conversation, sender) is not None
        session.exec(delete(Turn).where(col(Turn.conversation_id) == sender))
        session.exec(delete(Conversation).where(col(Conversation.id) == sender))
    return found


def answer(
    engine: Engine, sender: str, message: str, council: str | None = None, rate: bool = False
) -> list[OutMessage]:
    """The reply to a web message (REST channel or the page's form), in `council`'s words (a council this
    service answers for; None: the conversation's, or the default); `rate`: mark an answer "Did this help?"
    may be asked about (`custom: {"rate": key}`)."""
    if is_forget(message):
        forget(sender)
        reply = get_pack(council).render("forgotten", "web").as_message()
        return [{"recipient_id": sender, "text": reply["text"]}]
    metadata = {"council": council, "rate": rate}
    return engine.handle(sender, message, channel="web", metadata={k: v for k, v in metadata.items() if v})


def transcript(sender: str) -> list[tuple[str, str]]:
    """The conversation so far, oldest first, as (role, what is shown) (for the page without JavaScript):
    a quick reply shows its title ("Talk to a person"), as it does with JavaScript, not its payload."""
    with Session(get_engine()) as session:
        query = select(Turn).where(Turn.conversation_id == sender).order_by(col(Turn.created_at), col(Turn.id))
        return [(turn.role, shown(turn.text) if turn.role == "user" else turn.text) for turn in session.exec(query)]


def shown(message: str) -> str:
    """What a young person's message looks like in the chat: a payload ("/talk_to_worker") as its title."""
    payload = PAYLOAD.match(message.strip())
    pack = get_pack()
    key = answer_key("/".join(p for p in payload.group("intent", "sub") if p)) if payload else ""
    if key and pack.has(key):
        return pack.answers[key].title
    return message


def chat_limits(sender: str, address: str) -> list[tuple[Limit, str]]:
    """The web chat's limits: per conversation, and (far higher) per address."""
    settings = get_settings()
    return [
        (Limit("chat:sender", settings.limit_chat_per_sender), sender),
        (Limit("chat:address", settings.limit_chat_per_address), address),
    ]
