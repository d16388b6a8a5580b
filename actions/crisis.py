"""The crisis reply, for when the real Rasa server recognises a crisis itself.

The api checks every message for risk before any engine sees it (api/risk/); this
action is the second net when the Rasa server's own model calls a message `crisis`.
"""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import channel_of, pack_of, reference_of, utter_reply
from api.db import unit_of_work
from api.risk import danger_now, get_assessor
from api.risk.answers import risk_replies
from api.services.safeguarding import record_alert


class ActionCrisis(Action):
    """Name help that works now, and record a safeguarding alert."""

    def name(self) -> str:
        return "action_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        verdict = get_assessor().assess(text)
        if not verdict.urgent:  # the Rasa model heard a crisis: answer as one whatever the patterns say
            verdict = danger_now("rasa") if not verdict.at_risk else verdict.raised("rasa")
        channel = channel_of(tracker)
        for reply in risk_replies(verdict, channel, pack_of(tracker)):
            utter_reply(dispatcher, reply)
        with unit_of_work() as session:
            record_alert(
                session=session,
                conversation_id=tracker.sender_id,
                channel=channel,
                verdict=verdict,
                text=text,
                young_person_reference=reference_of(tracker),
            )
        return [{"event": "active_loop", "name": None}, {"event": "slot", "name": "requested_slot", "value": None}]
