"""The embedded engine: safety first, then understanding, then the rules, forms and actions of bot/.

State lives in the database, one row per conversation, locked while a message is handled, so
any number of processes can take turns serving the same conversation.
"""

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from actions.content import chosen_answer
from api.config import Settings
from api.content import ContentPack, answer_key, council_named, get_pack
from api.contract import BotMessage, OutMessage
from api.db import unit_of_work
from api.engine.actions import ActionRunner
from api.engine.dialogue import ANSWER_ACTION, Dialogue, DialogueState, Exchange
from api.engine.nlu import FALLBACK_INTENT, EntityExtractor, IntentClassifier, Parse
from api.models import Conversation, utcnow
from api.nlp.feelings import Feelings
from api.nlp.language import ENGLISH, NOT_SAID, Detected, LanguagePack
from api.nlp.places import Places
from api.nlp.rasa_data import PAYLOAD, BotProject, base_intent, load_project, payload_entities
from api.nlp.reactions import HELPED, NO, NOT_ASKED, Reactions
from api.nlp.text import has_words, plain_fold, questions_in, without_contacts
from api.risk import NOT_AT_RISK, Assessment, clean_text, danger_now, get_assessor
from api.risk.answers import SAFE_NOW, WHICH_DO_YOU_MEAN, risk_replies
from api.services.conversations import last_said, lock_conversation, save_turn
from api.services.gaps import UNSURE_BELOW, learned_project, record_unanswered
from api.services.ratings import record_rating
from api.services.safeguarding import CONTEXT_WINDOW, latest_alert, record_alert

log = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
# What the bot last did when it asked "are you safe right now?" (a concern's check-in).
CHECKED_IN = "safety_check_in"
# A concern's message that also asks a question the intent model is this sure of gets that answer after
# the check-in ("i've got nothing for my new flat, is there a grant?"): the worry is asked about, the
# question is not ignored. A crisis is answered with help now alone.
ANSWER_WITH_CONCERN = 0.5
# ...a question about the offer, that is; small talk after "are you safe right now?" would jar.
_SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "help", "out_of_scope"})
# Several questions in one message: each part this sure of its intent is answered, up to three.
SEVERAL_FLOOR = 0.5
# Needs answered even inside a form, before its next question, when the intent model is this sure of them.
URGENT_IN_FORM = frozenset({"homeless"})
URGENT_FLOOR = 0.85
MOST_QUESTIONS = 3
# What an angry or upset young person is answered with instead of their question: the promise or the
# offer recited back to someone saying it was broken would not be heard.
_NOT_TO_AN_UPSET_PERSON = frozenset({"caring_promise", "local_offer"})
# Intents that take up what they are upset about (a complaint, an advocate, a person, feedback).
_TAKES_IT_UP = frozenset({"complain", "advocate", "talk_to_worker", "give_feedback"})
FALLBACK_KEY = "fallback"  # content/: what the fallback says
OUT_OF_SCOPE = "out_of_scope"  # bot/'s intent for what the bot does not answer (also a reason it is kept)
RATED_HELPED, RATED_NOT_HELPED = "rated_helped", "rated_not_helped"  # content/: after "that helped" / "no"
NOT_WHAT_YOU_ASKED = "not_what_you_asked"  # content/: sorry, and the question is kept for the content team
UPSET = "upset"  # content/: sorry, and a complaint, an advocate or a person
UPSET_FIRST = "upset_ack"  # content/: sorry, before the answer to what they asked
SEVERAL = "several_more"  # content/: by text, the other questions are options
# Other languages (content/languages/): someone who needs an interpreter goes to a person, with the
# language recorded; a message in another language the English model cannot read is answered in it.
INTERPRETER = "interpreter"  # the slot (and a payload's entity) naming the language an interpreter speaks
HANDOFF_INTENT = "talk_to_worker"
# content/'s interpreter button, before the language is known; a reply that knows it names it instead.
INTERPRETER_BUTTON = '/talk_to_worker{"interpreter": "not said"}'
SIMPLE = "simple"  # the slot: they asked for simple English (short answers from then on)
SIMPLE_ENGLISH = "simple_english"  # content/: OK, short and simple from now on
OTHER_LANGUAGE = "other_language"  # content/: a language we have no messages in: an interpreter is free
# The topics of a language's file that an English answer (of the same name) answers; "person" is a person.
ANSWERED_TOPICS = frozenset({"housing", "money", "health", "education"})
# A place in another council's area (content/places/): that council's answer, or its contact.
OTHER_COUNCIL = "other_council"
OTHER_UNSERVED = "other_council_unserved"
OFFER = "local_offer"  # what they are told of a council served here when they asked nothing it answers


@dataclass
class Understanding:
    """A parse plus the safety verdict that was reached before it; for a concern, also what they asked."""

    parse: Parse
    safety: Assessment
    question: Parse | None = None  # a concern's message read for its question too ("...can i get money")
    language: Detected = Detected(None)  # what it is written in (nothing for a button's payload)


class Engine:
    """One loaded bot: its model, rules, actions and content."""

    answers_with_concern = True  # a concern's question is read here, in-process (no waiting on a server)
    answers_several = True  # each question of a message is read here, in-process, too

    def __init__(self, project: BotProject, classifier: IntentClassifier | None, settings: Settings) -> None:
        self.project = project
        self.classifier = classifier
        self.settings = settings
        self.entities = EntityExtractor(project)
        self.dialogue = Dialogue(project, ActionRunner(project.domain))
        self.intents = set(project.domain.get("intents") or [])
        self.retrieval_intents = set(project.nlu.retrieval_intents)
        self.risk = get_assessor()  # load the risk check now, not on the first message
        self.feelings = Feelings.load(settings.content_dir / "feelings.yml")
        self.languages = self.risk.detector  # one language detector, the risk check's
        self.places = Places.load(settings.content_dir / "places")
        self.reactions = Reactions.load(settings.content_dir / "reactions.yml")
        self.answers = self._rateable()

    @classmethod
    def load(cls, settings: Settings) -> "Engine":
        """Read bot/, and train the NLU model or load it from the cache."""
        started = time.perf_counter()
        project = learned_project(load_project(settings.bot_dir))  # bot/ and the approved examples
        classifier = IntentClassifier.load_or_train(project, settings.cache_dir)
        engine = cls(project, classifier, settings)
        log.info("engine ready", extra={"seconds": round(time.perf_counter() - started, 2)})
        return engine

    # -- understanding ---------------------------------------------------------------------

    def understand(self, text: str) -> Understanding:
        """The risk check first, then the classifier; a message at risk is always `crisis`."""
        text = clean_text(text)
        payload = PAYLOAD.match(text.strip())
        if payload and payload.group("intent") in self.intents:
            intent, sub = payload.group("intent"), payload.group("sub")
            verdict = danger_now("button") if intent == CRISIS_INTENT else NOT_AT_RISK
            key = f"{intent}/{sub}"
            responses = [(key, 1.0)] if key in self.retrieval_intents else []
            entities = payload_entities(payload)
            return Understanding(Parse(text, intent, 1.0, [(intent, 1.0)], entities, responses), verdict)
        # The risk check reads everything, before any model of what they are asking; a message at risk
        # is answered as one at once (it never waits on a Rasa server's parse).
        language = self.languages.detect(text)
        verdict = self.risk.assess(text, language)
        if verdict.at_risk:
            at_risk = Parse(text, CRISIS_INTENT, verdict.confidence, [(CRISIS_INTENT, 1.0)], [])
            question = None if verdict.urgent or not self.answers_with_concern else self._question(text)
            return Understanding(at_risk, verdict, question, language)
        return Understanding(self._question(text), verdict, language=language)

    def _question(self, text: str) -> Parse:
        """What a message asks, by the intent model (never `crisis`: that is the risk check's to say)."""
        clipped = text[: self.settings.nlu_max_chars]
        if not has_words(without_contacts(clipped)):
            # Emoji, digits or punctuation only, or only an email address or a phone number (an answer
            # to "how can we reach you?"): nothing to classify.
            parse = Parse(text, "nlu_fallback", 0.0, [], [])
        else:
            parse = self.classify(clipped)
            parse.text = text
        if parse.intent == CRISIS_INTENT:
            # The intent model alone is not the risk check: take its next best answer.
            ranking = [(n, c) for n, c in parse.ranking if n != CRISIS_INTENT]
            best, best_confidence = ranking[0] if ranking else ("nlu_fallback", 0.0)
            parse.intent = best if best_confidence >= self.project.fallback_threshold else "nlu_fallback"
            parse.confidence, parse.ranking = best_confidence, ranking
            parse.responses = self.select(text, parse.intent)
        return parse

    def classify(self, text: str) -> Parse:
        """Intent, confidence, ranking, entities and sub-answers from the embedded model."""
        if self.classifier is None:
            raise RuntimeError("this engine has no embedded classifier")
        intent, confidence, ranking = self.classifier.classify(text)
        return Parse(text, intent, confidence, ranking, self.entities.extract(text), self.select(text, intent))

    def select(self, text: str, intent: str) -> list[tuple[str, float]]:
        """Which of the intent's sub-answers was asked for (the response selector), best first."""
        return self.classifier.select(text, intent) if self.classifier is not None else []

    def next_messages(self, state: DialogueState, turn: Exchange) -> list[BotMessage]:
        """The bot's messages for an understood, non-crisis message: bot/'s rules, forms and actions."""
        self.dialogue.handle(state, turn)
        return turn.messages

    def ready(self) -> bool:
        """Whether this engine can answer (the embedded one can, once loaded)."""
        return self.classifier is not None

    def parse(self, text: str) -> Parse:
        """What /model/parse returns."""
        return self.understand(text).parse

    # -- conversation ----------------------------------------------------------------------

    def handle(
        self, sender: str, text: str, channel: str = "web", metadata: dict[str, Any] | None = None
    ) -> list[OutMessage]:
        """Answer one message in a conversation: Rasa's REST output, [{recipient_id, text, buttons?}] (and
        `custom: {"rate": key}` on an answer when the metadata asks for it: {"rate": true})."""
        rate = bool((metadata or {}).get("rate"))
        return [_rest_message(sender, m, rate) for m in self.reply(sender, text, channel, metadata)]

    def reply(
        self, sender: str, text: str, channel: str = "web", metadata: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """Answer one message in a conversation: the messages with the content keys they came from."""
        meta = {**(metadata or {}), "channel": channel}
        text = clean_text(text)
        # One transaction for the whole turn; actions run in-process join it.
        with unit_of_work() as session:
            conversation = lock_conversation(session, sender, channel)
            messages = self._respond(session, conversation, text, meta)
        return [m for m in messages if m.get("text") or m.get("buttons")]

    def _respond(
        self, session: Session, conversation: Conversation, text: str, meta: dict[str, Any]
    ) -> list[BotMessage]:
        state = DialogueState(
            sender_id=conversation.id,
            slots={**self.dialogue.initial_slots(), **(conversation.slots or {})},
            active_loop=conversation.active_loop,
            requested_slot=conversation.requested_slot,
            latest_action=conversation.latest_action,
        )
        if state.slots.get(SIMPLE):
            meta["simple"] = True
        chosen = _served(meta.get("council"))
        if chosen and chosen != conversation.council:
            conversation.council = chosen  # the number texted, the chat's address or the REST metadata
        meta["council"] = conversation.council
        # The answer before this message, for "that helped" / "not what I asked"; set again below when this
        # turn gives an answer (a rating is always of the answer just given).
        answered = conversation.last_answer
        conversation.last_answer = None
        if not text.strip():
            understanding = None
            messages = [self._say("empty" if _pack(meta).has("empty") else "help", meta)]
        else:
            understanding = self.understand(text)
            verdict = self._in_context(session, conversation, understanding)
            # "forget it i don't want to do this any more" inside a form: stop the form, or not safe?
            ambiguous = bool(state.active_loop) and self.risk.is_ambiguous_in_form(text)
            if verdict.urgent or (verdict.at_risk and not ambiguous):
                messages = self._at_risk(session, conversation, text, verdict, meta)
                self.dialogue.cancel_form(state)
                question = understanding.question
                if question is not None and not verdict.urgent and self._answerable(question):
                    # A concern, and a plain question too: ask if they are safe, and answer it.
                    messages += self.next_messages(state, Exchange(parse=question, metadata=meta))
                state.latest_action = CHECKED_IN if not verdict.urgent else "action_crisis"
            elif ambiguous:
                messages = [self._say(WHICH_DO_YOU_MEAN, meta)]
            elif state.latest_action == CHECKED_IN and understanding.parse.intent == "affirm":
                messages = [self._say(SAFE_NOW, meta)]
                state.latest_action = SAFE_NOW
            else:
                messages = self._reaction(session, conversation, state, text, meta, answered)
                messages = messages or self._in_language(state, conversation, understanding, meta)
                messages = messages or self._elsewhere(state, understanding.parse, meta)
                messages = messages or self._answered(session, conversation, state, understanding, meta)
        parse = understanding.parse if understanding else None
        language = understanding.language if understanding else Detected(None)
        now = utcnow()
        user = {"intent": parse.intent if parse else None, "confidence": parse.confidence if parse else None}
        user.update(language=language.code, script=language.script)
        turns: list[dict[str, Any]] = [{"role": "user", "text": text, **user}]
        turns += [{"role": "bot", "text": m["text"], **dict.fromkeys(user)} for m in messages if m.get("text")]
        for turn in turns:
            turn.update(conversation_id=conversation.id, created_at=now)
        kept = {
            "slots": {k: v for k, v in state.slots.items() if v is not None and k != "requested_slot"},
            "active_loop": state.active_loop,
            "requested_slot": state.requested_slot,
            "latest_action": state.latest_action,
            "latest_intent": parse.intent if parse else conversation.latest_intent,
            "council": conversation.council,
            "last_answer": conversation.last_answer,
            "updated_at": now,
        }
        if language.foreign or (language.code == ENGLISH and not conversation.language):
            kept["language"] = language.code  # the last other language they wrote in stays
        save_turn(session, conversation, kept, turns)
        return messages

    def _in_language(
        self, state: DialogueState, conversation: Conversation, understanding: Understanding, meta: dict[str, Any]
    ) -> list[BotMessage]:
        """An interpreter asked for (in any language, or by the button), simple English asked for, or a
        message in another language the English model cannot read; nothing when none of these is so (or
        inside a form, where the words are the form's answer)."""
        if state.active_loop:
            return []
        parse, language = understanding.parse, understanding.language
        chosen = next((str(e["value"]) for e in parse.entities if e.get("entity") == INTERPRETER), None)
        typed = _typed(parse)
        if chosen is not None or (typed and self.languages.wants_interpreter(parse.text)):
            earlier = conversation.language if conversation.language != ENGLISH else None
            code = chosen or (language.code if language.foreign else None) or earlier or NOT_SAID
            state.slots[INTERPRETER] = code
            # As the button's payload, so a Rasa server reads it the same way (its slot filled from the entity).
            entities = [{"entity": INTERPRETER, "value": code}]
            handoff = Parse(_with_interpreter(code), HANDOFF_INTENT, 1.0, [(HANDOFF_INTENT, 1.0)], entities)
            return self.next_messages(state, Exchange(parse=handoff, metadata=meta))
        if typed and self.languages.wants_simple_english(parse.text):
            state.slots[SIMPLE] = True
            meta["simple"] = True
            state.latest_action = SIMPLE_ENGLISH
            return [self._say(SIMPLE_ENGLISH, meta)]
        # A script none of our languages is written in (Cyrillic, Chinese...): another language, name unknown.
        other_script = language.code is None and language.script not in (None, "Latin")
        if not (language.foreign or other_script) or not self._unread(parse, language):
            return []
        pack = self.languages.pack(language.code)
        if pack is None:
            message = self._say(OTHER_LANGUAGE, meta)
            message["buttons"] = [  # the interpreter button names the language we told
                {**b, "payload": _with_interpreter(language.code or NOT_SAID)}
                if b["payload"] == INTERPRETER_BUTTON
                else b
                for b in message.get("buttons") or []
            ]
            return [message]
        state.latest_action = f"language_{pack.code}"
        return self._language_reply(pack, parse.text, meta)

    def _reaction(
        self,
        session: Session,
        conversation: Conversation,
        state: DialogueState,
        text: str,
        meta: dict[str, Any],
        answer: str | None,
    ) -> list[BotMessage]:
        """What they said about the answer just given: it helped, it did not, or it was not what they asked
        (the question is kept, redacted, for the content team). A bare "no" after an answer that offered
        something answers the offer instead."""
        if not answer or state.active_loop:
            return []
        said = self.reactions.read(text)
        if said is None or (said == NO and state.latest_action != ANSWER_ACTION):
            return []
        council, channel = conversation.council, meta["channel"]
        record_rating(session=session, answer=answer, helped=said == HELPED, channel=channel, council=council)
        question = last_said(session, conversation.id) if said == NOT_ASKED else None
        if question:
            intent = self.answers.get(answer)
            record_unanswered(
                session=session, text=question, reason="not_asked", channel=channel, council=council, intent=intent
            )
        key = {HELPED: RATED_HELPED, NOT_ASKED: NOT_WHAT_YOU_ASKED}.get(said, RATED_NOT_HELPED)
        state.latest_action = key
        return [self._say(key, meta)]

    def _answered(
        self,
        session: Session,
        conversation: Conversation,
        state: DialogueState,
        understanding: Understanding,
        meta: dict[str, Any],
    ) -> list[BotMessage]:
        """The answer to what they asked. A question the model fell back on, or answered unsure of it, is
        kept (redacted) for the content team (a button's payload never is); an answer, asked or tapped, is
        remembered so they can say if it helped."""
        parse, in_form = understanding.parse, bool(state.active_loop)
        messages = self._answer(state, parse, meta)
        if in_form:
            return messages
        keys = [m.get("key") for m in messages]
        rated = next((m for m in messages if m.get("key") in self.answers), None)
        reason: str | None = None
        if FALLBACK_KEY in keys or parse.intent == OUT_OF_SCOPE:
            reason = "fallback" if FALLBACK_KEY in keys else OUT_OF_SCOPE
            intent = next((i for i, _ in parse.ranking if i != FALLBACK_INTENT), None)  # its best guess
        elif rated is not None and parse.confidence < UNSURE_BELOW and base_intent(parse.intent) not in _SMALL_TALK:
            reason, intent = "unsure", self.answers.get(rated["key"])
        if reason is not None:
            record_unanswered(
                session=session,
                text=parse.text,
                reason=reason,
                channel=meta["channel"],
                council=conversation.council,
                intent=intent,
                confidence=parse.confidence,
                language=understanding.language.code,
            )
        if rated is not None:
            rated["rateable"] = True
            conversation.last_answer = rated["key"]
        return messages

    def _rateable(self) -> dict[str, str]:
        """The answers young people can rate and the content team can mark a question answered by: each
        content key, with the intent (or sub-intent) whose examples it answers."""
        found: dict[str, str] = {}
        for intent in sorted({i for _, i in self.project.nlu.examples}):
            base = base_intent(intent)
            if base not in _SMALL_TALK and base != CRISIS_INTENT and self.dialogue.answers_only(base):
                found.setdefault(answer_key(intent), intent)
        return found

    def _elsewhere(self, state: DialogueState, parse: Parse, meta: dict[str, Any]) -> list[BotMessage]:
        """A place in another council's area ("i live in scunthorpe, do i pay council tax"): which council that
        is, then (a council served here) its answer to what they asked, or its outline of the offer; nothing
        when no such place is named, or inside a form."""
        if state.active_loop or not _typed(parse):
            return []
        found = self.places.elsewhere(parse.text, meta["council"])
        if found is None:
            return []
        other = found.council
        values = {"place": found.shown, "other_council": other.name, "other_area": other.area}
        served = _served(other.key)
        notice = _pack(meta).render(OTHER_COUNCIL if served else OTHER_UNSERVED, meta["channel"], values)
        if not served:
            state.latest_action = OTHER_UNSERVED
            return [notice.as_message()]
        theirs = {**meta, "council": served}
        asked = parse if self._answerable(parse) else Parse(parse.text, OFFER, 1.0, [(OFFER, 1.0)], [])
        answers = self.next_messages(state, Exchange(parse=asked, metadata=theirs))
        for message in answers:
            message["council"] = served  # by text, MORE sends this council's fuller version
        return [notice.as_message(), *answers]

    def _unread(self, parse: Parse, language: Detected) -> bool:
        """Whether a message in another language is beyond the English model: another script, no English
        words at all, or a guess it is unsure of ("wallah i need house help bro" is read as it is)."""
        if language.script is not None or language.english == 0:
            return True
        return parse.intent == FALLBACK_INTENT or parse.confidence < ANSWER_WITH_CONCERN

    def _language_reply(self, pack: LanguagePack, text: str, meta: dict[str, Any]) -> list[BotMessage]:
        """What I can do, that an interpreter is free and how to reach a person, in their language; on the
        web, with the English answer (its short version) to the topic they asked about, when we can tell it."""
        channel, says = meta["channel"], pack.messages
        topic = pack.topic_of(plain_fold(text))
        answer = topic if topic in ANSWERED_TOPICS else None
        buttons = says.get("buttons") or {}
        interpreter = _with_interpreter(pack.code)
        reply = str((says.get("welcome") or {}).get("sms" if channel == "sms" else "web") or "")
        # By text, the English answer is an option (one script a text).
        english = answer if channel != "sms" else None
        if english:
            names = says.get("topic_names") or {}
            reply = f"{str(says.get('topic', '')).format(topic=names.get(topic, topic))}\n\n{reply}"
        if says.get("danger"):
            # First, in their language, what to do in danger: we cannot read what they wrote, and it may be
            # a disclosure in words the risk check does not know.
            reply = f"{says['danger']}\n{reply}"
        message: BotMessage = {
            "text": reply,
            "buttons": [
                {"title": str(buttons.get("interpreter")), "payload": interpreter},
                {"title": str(buttons.get("person")), "payload": f"/{HANDOFF_INTENT}"},
                {"title": str(buttons.get("english")), "payload": f"/{answer or 'help'}"},
            ],
            "key": f"languages/{pack.code}",
            "language": pack.code,
        }
        if not english:
            return [message]
        return [message, self._say(english, {**meta, "simple": True})]

    def _say(self, key: str, meta: dict[str, Any]) -> BotMessage:
        """An approved answer as a message, in the version for the channel (short for simple English)."""
        return _pack(meta).render(key, meta["channel"], simple=bool(meta.get("simple"))).as_message()

    def _answer(self, state: DialogueState, parse: Parse, meta: dict[str, Any]) -> list[BotMessage]:
        """bot/'s answer to what they asked; sorry first when they are angry or upset; each question in
        turn when they asked several (by text: the first, and the others as numbered options)."""
        if state.active_loop:  # an answer to the form's question, whatever its words...
            messages = self.next_messages(state, Exchange(parse=parse, metadata=meta))
            if parse.intent in URGENT_IN_FORM and parse.confidence >= URGENT_FLOOR and _typed(parse):
                # ...but a need that cannot wait ("sleeping in a doorway tonight", written as feedback) is
                # answered first, and the form goes on.
                messages = [self._say(str(parse.intent), meta), *messages]
            return messages
        channel = meta["channel"]
        upset = self.feelings.upset(parse.text)
        questions = self._questions(parse, _pack(meta)) if self.answers_several else []
        if len(questions) == 1 and parse.intent == FALLBACK_INTENT:
            parse = questions[0]  # "just came into care, when is my first review": the question, read alone
        questions = questions if len(questions) > 1 else []
        if upset and not questions and not self._takes_up(parse):
            state.latest_action = UPSET
            return [self._say(UPSET, meta)]
        messages = [self._say(UPSET_FIRST, meta)] if upset else []
        first, *others = questions or [parse]
        messages += self.next_messages(state, Exchange(parse=first, metadata=meta))
        if others and channel == "sms":
            more = self._say(SEVERAL, meta)
            pack = _pack(meta)
            more["buttons"] = [{"title": _title(q, pack), "payload": f"/{_answer_key(q, pack)}"} for q in others]
            return [*messages, more]
        for question in others:
            messages += self.next_messages(state, Exchange(parse=question, metadata=meta))
        return messages

    def _questions(self, whole: Parse, pack: ContentPack) -> list[Parse]:
        """The questions a message asks, each read alone, that the intent model is sure of (up to three).
        Answers come first, then at most one request (a form asks its own questions, so it goes last).
        One question is read alone only when the whole message fell back (otherwise its parse stands)."""
        parts = questions_in(whole.text)
        if len(parts) < 2 and (whole.intent != FALLBACK_INTENT or parts == [whole.text.strip()]):
            return []
        answers: list[Parse] = []
        request: Parse | None = None
        seen: set[str] = set()
        for part in parts:
            parse = self._question(part)
            if parse.intent in _SMALL_TALK or parse.intent == FALLBACK_INTENT or parse.confidence < SEVERAL_FLOOR:
                continue
            key = _answer_key(parse, pack)
            if key in seen:
                continue
            seen.add(key)
            if self.dialogue.answers_only(parse.intent):
                answers.append(parse)
            elif request is None:
                request = parse
        return [*answers, *([request] if request else [])][:MOST_QUESTIONS]

    def _takes_up(self, parse: Parse) -> bool:
        """Whether what an upset young person asked is answered as asked (a request, or a real question)."""
        if parse.intent in _TAKES_IT_UP:
            return True
        return parse.intent not in _NOT_TO_AN_UPSET_PERSON and self._answerable(parse)

    def _answerable(self, question: Parse) -> bool:
        """A question the intent model is sure of, answered by one approved answer (no form, no offer)."""
        return (
            question.intent not in _SMALL_TALK
            and question.confidence >= ANSWER_WITH_CONCERN
            and self.dialogue.answers_only(question.intent)
        )

    def _in_context(self, session: Session, conversation: Conversation, understanding: Understanding) -> Assessment:
        """The verdict on this message, given what came before: a concern after another concern in the
        last day, or a "no" to "are you safe right now?", is a crisis."""
        verdict = understanding.safety
        not_safe_now = conversation.latest_action == CHECKED_IN and understanding.parse.intent == "deny"
        if verdict.urgent or not (verdict.at_risk or not_safe_now):
            return verdict
        earlier = latest_alert(session, conversation.id, since=utcnow() - CONTEXT_WINDOW)
        if verdict.at_risk:
            return verdict.raised("more of the same") if earlier is not None else verdict
        if earlier is None:
            return danger_now("context:not safe now")
        return Assessment(True, earlier.kind, "crisis", "context:not safe now", 1.0, earlier.language)

    def _at_risk(
        self, session: Session, conversation: Conversation, text: str, verdict: Assessment, meta: dict[str, Any]
    ) -> list[BotMessage]:
        record_alert(
            session=session,
            conversation_id=conversation.id,
            channel=meta["channel"],
            verdict=verdict,
            text=text,
            young_person_reference=meta.get("young_person"),
        )
        return [reply.as_message() for reply in risk_replies(verdict, meta["channel"], _pack(meta))]


def _served(council: Any) -> str | None:
    """A council this deployment serves, or None (a channel checks what it was given; this never fails)."""
    try:
        return council_named(str(council)) if council else None
    except ValueError:
        return None


def _typed(parse: Parse) -> bool:
    """Whether the message was typed (not a button's payload)."""
    return not PAYLOAD.match(parse.text.strip())


def _pack(meta: dict[str, Any]) -> ContentPack:
    """The answers of the conversation's council."""
    return get_pack(meta.get("council"))


def _answer_key(parse: Parse, pack: ContentPack) -> str:
    """The content key (or intent) that answers a parse: `money/setting_up_home`, `council_tax`."""
    return chosen_answer(parse.intent, parse.responses, pack)


def _title(parse: Parse, pack: ContentPack) -> str:
    key = _answer_key(parse, pack)
    return pack.answers[key].title if pack.has(key) else key.replace("_", " ").capitalize()


def _with_interpreter(code: str) -> str:
    """The payload asking for a person with an interpreter who speaks `code`: '/talk_to_worker{"interpreter": "ti"}'."""
    return f"/{HANDOFF_INTENT}" + json.dumps({INTERPRETER: code})


def _rest_message(sender: str, message: BotMessage, rate: bool = False) -> OutMessage:
    out: OutMessage = {"recipient_id": sender, "text": message.get("text") or ""}
    if message.get("buttons"):
        out["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in message["buttons"]]
    if rate and message.get("rateable"):
        out["custom"] = {"rate": message["key"]}
    return out
