"""The SMS channel: Twilio keywords, retries, MORE and numbered options, in front of the engine."""

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from twilio.twiml.messaging_response import MessagingResponse

from api.config import get_settings
from api.content import PLACEHOLDER, ContentPack, get_pack
from api.contract import BotMessage, Button
from api.db import unit_of_work
from api.engine.core import Engine
from api.models import Conversation, InboundSms
from api.nlp.text import keyword as as_keyword
from api.privacy import conversation_id_for, mask_number, normalise_number, number_key
from api.services.conversations import lock_conversation
from api.services.directory import young_person_for_number
from api.texting.optout import is_opted_out, set_opt_out
from api.texting.text import FULLER_HINT, numbered_options, split_for_sms, to_gsm

log = logging.getLogger(__name__)

# Twilio's opt-out keywords (FACTS.md 5), each only as the whole message.
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
START_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = frozenset({"help", "info"})
MORE_WORD = "more"
# A web answer this much longer than its text says something the text does not: MORE sends it.
FULLER_MARGIN = 40


@dataclass(frozen=True)
class Inbound:
    """The parts of Twilio's webhook call we use."""

    message_sid: str
    sender: str
    body: str
    to: str = ""  # the number they texted: which council's service


def council_texted(number: str) -> str | None:
    """The council whose number was texted (CARING_COUNCIL_NUMBERS), None for the default's."""
    numbers = get_settings().council_numbers
    return numbers.get(number) or numbers.get(normalise_number(number) or "") if number else None


def twiml(messages: list[str]) -> str:
    """A TwiML answer; the library escapes &, < and > in the text."""
    response = MessagingResponse()
    for message in messages:
        response.message(message)
    return str(response)


class SmsChannel:
    """Handles one inbound text, exactly once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def handle(self, inbound: Inbound) -> str:
        """The TwiML answer; a retried MessageSid gets the first answer again, without processing."""
        with unit_of_work() as session:
            done = session.get(InboundSms, inbound.message_sid)
            if done is not None:
                return done.twiml
            conversation_id = conversation_id_for(inbound.sender)
            # Claim the MessageSid first: a concurrent retry (even on another process) now waits for
            # this transaction, then finds the claim taken and repeats this answer.
            record = InboundSms(message_sid=inbound.message_sid, conversation_id=conversation_id, twiml="")
            try:
                with session.begin_nested():
                    session.add(record)
            except IntegrityError:
                done = session.get(InboundSms, inbound.message_sid, populate_existing=True)
                return done.twiml if done else twiml([])
            messages = self._reply(session, inbound, conversation_id)
            record.twiml = twiml(messages)
            session.add(record)
        log.info("sms handled", extra={"from": mask_number(inbound.sender), "messages": len(messages)})
        return record.twiml

    def _reply(self, session: Session, inbound: Inbound, conversation_id: str) -> list[str]:
        keyword = as_keyword(inbound.body)
        opted_out = is_opted_out(session, inbound.sender)
        council = council_texted(inbound.to)
        pack = get_pack(council)
        if keyword in STOP_WORDS:
            set_opt_out(session, number_hash=number_key(inbound.sender), opted_out=True)
            return []  # Twilio's Advanced Opt-Out confirms; anything we sent would be refused
        if keyword in START_WORDS and opted_out:
            set_opt_out(session, number_hash=number_key(inbound.sender), opted_out=False)
            return [to_gsm(pack.render("sms_start", "sms").text)] if pack.has("sms_start") else []
        if keyword in HELP_WORDS:
            return self._fit(session, conversation_id, pack.render("sms_help", "sms").text, [])
        if opted_out:
            # Nothing goes to an opted-out number, except help in a crisis.
            understanding = self.engine.understand(inbound.body)
            if not understanding.safety.at_risk:
                return []
        if keyword == MORE_WORD:
            return self._more(session, conversation_id, council)
        text = self._chosen_option(session, conversation_id, inbound.body)
        person = young_person_for_number(session=session, number=inbound.sender)
        metadata: dict[str, str] = {"first_name": person.first_name, "young_person": person.reference} if person else {}
        if person is not None:
            council = person.council  # the council whose directory knows them looks after them
        if council:
            metadata["council"] = council
        replies = self.engine.reply(conversation_id, text, channel="sms", metadata=metadata)
        body = "\n".join(r["text"] for r in replies if r.get("text"))
        buttons = next((r["buttons"] for r in reversed(replies) if r.get("buttons")), [])
        plain = any(r.get("language") for r in replies)  # in their language: options without English words
        answered = lock_conversation(session, conversation_id, "sms").council  # as the engine chose it
        return self._fit(session, conversation_id, body, buttons, _fuller(replies, get_pack(answered)), plain)

    def _fit(
        self,
        session: Session,
        conversation_id: str,
        body: str,
        buttons: list[Button] | None,
        fuller: str = "",
        plain: bool = False,
    ) -> list[str]:
        """At most three single-segment texts; options only when they fit; the rest waits for MORE, and
        so does the web's fuller version of a short answer. No buttons (None, the rest of an answer): the
        options offered before still hold."""
        conversation = lock_conversation(session, conversation_id, "sms")
        body = to_gsm(body)
        options = numbered_options([b["title"] for b in buttons], plain) if buttons else ""
        tail = " ".join(part for part in (to_gsm(options), FULLER_HINT if fuller else "") if part)
        reply = split_for_sms(f"{body}\n{tail}" if tail else body)
        if tail and reply.rest:
            reply = split_for_sms(body)  # a long answer: the options would be cut, so leave them out
            options, fuller = "", ""
        if buttons is not None:
            conversation.options = [b["payload"] for b in buttons] if options else []
        conversation.pending_more = reply.rest or to_gsm(fuller) or None
        session.add(conversation)
        return reply.messages

    def _more(self, session: Session, conversation_id: str, council: str | None) -> list[str]:
        conversation = lock_conversation(session, conversation_id, "sms")
        pending = conversation.pending_more
        conversation.pending_more = None  # MORE works once
        if not pending:
            return [to_gsm(get_pack(council or conversation.council).render("more", "sms").text)]
        return self._fit(session, conversation_id, pending, None)  # "Reply 1 for ..." still holds

    @staticmethod
    def _chosen_option(session: Session, conversation_id: str, body: str) -> str:
        """'2' after 'Reply 1 for ..., 2 for ...' is the second option's payload."""
        choice = body.strip().rstrip(".")
        if not choice.isdigit():
            return body
        conversation = session.get(Conversation, conversation_id)
        options = conversation.options if conversation else []
        index = int(choice) - 1
        return options[index] if 0 <= index < len(options) else body


def _fuller(replies: list[BotMessage], pack: ContentPack) -> str:
    """The web versions of the turn's answers that say more on the web than in their text (MORE sends
    them): a crisis turn's two answers both have facts only the web version has room for."""
    fuller = []
    for key, council in dict.fromkeys((r.get("key"), r.get("council")) for r in replies):
        written = get_pack(council) if council else pack  # another council's answer: its own fuller version
        if key and written.has(key):
            sms, web = written.render(key, "sms").text, written.render(key, "web").text
            # An answer filled in for this turn ({place}, {reference}) cannot be rendered again here.
            if len(web) > len(sms) + FULLER_MARGIN and not PLACEHOLDER.search(web):
                fuller.append(web)
    return "\n\n".join(fuller)
