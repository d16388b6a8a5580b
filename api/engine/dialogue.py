"""Follow bot/'s rules and forms for one message, as Rasa's RulePolicy and FormAction would.

Supported, because bot/ uses them: rules that map an intent to actions; rules with an
`active_loop` condition; a form started by a rule, its slots filled by `from_text`,
`from_intent` and `from_entity` mappings (with `active_loop`/`requested_slot` conditions and
`not_intent`), validated by `validate_<form>`, asked by `action_ask_<slot>` or `utter_ask_<slot>`;
and the "form completed" rule (`action: form`, `active_loop: null`, then actions); rules that start with
the action the bot last ran (`action: action_offer_advocacy`, then `intent: affirm`).
"""

from dataclasses import dataclass, field
from typing import Any, cast

from rasa_sdk.events import EventType
from rasa_sdk.types import TrackerState

from api.contract import BotMessage
from api.engine.actions import ActionRunner
from api.engine.nlu import FALLBACK_INTENT, Parse
from api.nlp.rasa_data import BotProject, Rule

ANSWER_ACTION = "action_answer"  # actions/answers.py: one approved answer from content/


@dataclass
class DialogueState:
    """What persists between messages (stored on the Conversation row)."""

    sender_id: str
    slots: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None
    requested_slot: str | None = None
    latest_action: str | None = None


@dataclass
class Exchange:
    """One message being handled: what came in, and what goes out."""

    parse: Parse
    metadata: dict[str, Any]
    messages: list[BotMessage] = field(default_factory=list)
    events: list[EventType] = field(default_factory=list)


class Dialogue:
    """The rules and forms of one bot project."""

    def __init__(self, project: BotProject, runner: ActionRunner) -> None:
        self.project = project
        self.runner = runner
        self.forms: dict[str, Any] = project.domain.get("forms") or {}
        self.slot_defs: dict[str, Any] = project.domain.get("slots") or {}
        self.responses: dict[str, Any] = project.domain.get("responses") or {}

    # -- public ----------------------------------------------------------------------------

    def initial_slots(self) -> dict[str, Any]:
        """Each domain slot at its initial value."""
        return {name: spec.get("initial_value") for name, spec in self.slot_defs.items()}

    def handle(self, state: DialogueState, turn: Exchange) -> None:
        """Choose and run the actions for this message, updating `state` and `turn.messages`."""
        if state.active_loop and state.active_loop in self.forms:
            self._continue_form(state, turn)
            return
        self._run_rule(state, turn, self._rule_for(turn.parse.intent, previous_action=state.latest_action))

    def answers_only(self, intent: str) -> bool:
        """Whether this intent is answered by one approved answer (not a form or an offer)."""
        rule = self._rule_for(intent)
        return rule is not None and rule.intent == intent and rule.actions == [ANSWER_ACTION]

    def cancel_form(self, state: DialogueState) -> None:
        """Leave any active form and forget its half-given answers (after a crisis)."""
        if state.active_loop:
            for slot in self._required(state.active_loop):
                state.slots[slot] = None
        state.active_loop = None
        state.requested_slot = None

    # -- rules -----------------------------------------------------------------------------

    def _rule_for(self, intent: str, active_loop: str | None = None, previous_action: str | None = None) -> Rule | None:
        candidates = [
            rule
            for rule in self.project.rules
            if rule.intent == intent and rule.active_loop == active_loop and rule.after_loop is None
        ]
        # A rule about what the bot just did ("offered a referral", then "yes") wins over the general one.
        for rule in candidates:
            if rule.previous_action is not None and rule.previous_action == previous_action:
                return rule
        for rule in candidates:
            if rule.previous_action is None:
                return rule
        if active_loop is None and intent != FALLBACK_INTENT:
            return self._rule_for(FALLBACK_INTENT)
        return None

    def _run_rule(self, state: DialogueState, turn: Exchange, rule: Rule | None) -> None:
        for action in rule.actions if rule else ["action_answer"]:
            if action in self.forms:
                self._activate_form(state, turn, action)
                return
            self._run_action(state, turn, action)

    # -- forms -----------------------------------------------------------------------------

    def _required(self, form: str) -> list[str]:
        return list((self.forms.get(form) or {}).get("required_slots") or [])

    def _activate_form(self, state: DialogueState, turn: Exchange, form: str) -> None:
        for slot in self._required(form):  # a new start: nothing carried over from last time
            state.slots[slot] = None
        state.active_loop = form
        turn.events.append({"event": "active_loop", "name": form})
        self._ask_next_or_finish(state, turn, form)

    def _continue_form(self, state: DialogueState, turn: Exchange) -> None:
        form = state.active_loop or ""
        slot = state.requested_slot
        value = self._extract(state, turn, slot) if slot else None
        if slot and value is None:
            # The unhappy path: answer what they asked, then ask for the slot again.
            rule = self._rule_for(turn.parse.intent, active_loop=form) or self._rule_for(turn.parse.intent)
            self._run_rule(state, turn, rule)
            if state.active_loop == form:
                self._ask(state, turn, slot)
            return
        if slot:
            self._validate(state, turn, form, slot, value)
        self._ask_next_or_finish(state, turn, form)

    def _extract(self, state: DialogueState, turn: Exchange, slot: str) -> Any:
        parse = turn.parse
        for mapping in (self.slot_defs.get(slot) or {}).get("mappings") or []:
            if not self._conditions_hold(state, mapping):
                continue
            if parse.intent in (mapping.get("not_intent") or []):
                continue
            wanted = mapping.get("intent")
            if wanted and parse.intent not in (wanted if isinstance(wanted, list) else [wanted]):
                continue
            kind = mapping.get("type")
            if kind == "from_text":
                return parse.text
            if kind == "from_intent":
                return mapping.get("value")
            if kind == "from_entity":
                for entity in parse.entities:
                    if entity["entity"] == mapping.get("entity"):
                        return entity["value"]
        return None

    @staticmethod
    def _conditions_hold(state: DialogueState, mapping: dict[str, Any]) -> bool:
        conditions = mapping.get("conditions") or []
        if not conditions:
            return True
        return any(
            c.get("active_loop") == state.active_loop
            and ("requested_slot" not in c or c["requested_slot"] == state.requested_slot)
            for c in conditions
        )

    def _validate(self, state: DialogueState, turn: Exchange, form: str, slot: str, value: Any) -> None:
        state.slots[slot] = value
        name = f"validate_{form}"
        if not self.runner.has(name):
            return
        slot_event = {"event": "slot", "name": slot, "value": value}
        events, responses = self.runner.run(name, self._tracker(state, turn, extra_events=[slot_event]))
        turn.messages.extend(responses)
        self._apply(state, events)

    def _ask_next_or_finish(self, state: DialogueState, turn: Exchange, form: str) -> None:
        for slot in self._required(form):
            if state.slots.get(slot) is None:
                self._ask(state, turn, slot)
                return
        # Every slot is filled: the form is done; run what the rules say comes next.
        state.active_loop = None
        state.requested_slot = None
        turn.events.append({"event": "active_loop", "name": None})
        for rule in self.project.rules:
            if rule.after_loop == form:
                for action in rule.actions:
                    self._run_action(state, turn, action)
                break

    def _ask(self, state: DialogueState, turn: Exchange, slot: str) -> None:
        state.requested_slot = slot
        state.slots["requested_slot"] = slot
        form = state.active_loop or ""
        for name in (f"action_ask_{form}_{slot}", f"action_ask_{slot}"):
            if self.runner.has(name):
                self._run_action(state, turn, name)
                if state.active_loop == form and state.slots.get(slot) is not None:
                    # The question answered itself from what is known already (an interpreter asked for:
                    # the topic is the interpreter): on to the next one.
                    self._ask_next_or_finish(state, turn, form)
                return
        for name in (f"utter_ask_{state.active_loop}_{slot}", f"utter_ask_{slot}"):
            if name in self.responses:
                self._run_action(state, turn, name)
                return

    # -- actions ---------------------------------------------------------------------------

    def _run_action(self, state: DialogueState, turn: Exchange, action: str) -> None:
        state.latest_action = action
        if action.startswith("utter_"):
            variants = self.responses.get(action) or [{}]
            message = cast(BotMessage, {k: v for k, v in variants[0].items() if k in ("text", "buttons")})
            turn.messages.append(message)
            return
        events, responses = self.runner.run(action, self._tracker(state, turn))
        turn.messages.extend(responses)
        self._apply(state, events)

    def _apply(self, state: DialogueState, events: list[EventType]) -> None:
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                state.slots[event["name"]] = event.get("value")
                if event["name"] == "requested_slot":
                    state.requested_slot = event.get("value")
            elif kind == "active_loop":
                state.active_loop = event.get("name")
                if state.active_loop is None:
                    state.requested_slot = None

    def _tracker(
        self, state: DialogueState, turn: Exchange, extra_events: list[EventType] | None = None
    ) -> TrackerState:
        """A Rasa tracker state, as the Rasa server sends it to the action server."""
        parse = turn.parse
        latest = {
            "text": parse.text,
            "intent": {"name": parse.intent, "confidence": parse.confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in parse.ranking],
            "entities": parse.entities,
            "metadata": turn.metadata,
        }
        if parse.responses:
            latest["response_selector"] = parse.response_selector()
        user_event = {"event": "user", "text": parse.text, "parse_data": latest, "metadata": turn.metadata}
        return {
            "sender_id": state.sender_id,
            "slots": {**state.slots, "requested_slot": state.requested_slot},
            "latest_message": latest,
            "events": [user_event, *turn.events, *(extra_events or [])],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": state.active_loop} if state.active_loop else {},
            "active_form": {},
            "latest_action_name": state.latest_action,
            "stack": [],
            "user_id": None,
        }
