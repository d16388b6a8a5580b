"""Actions on their own: a saved tracker in, events and dispatcher messages out (as rasa-demo tests)."""

import json
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import select

from actions.answers import ActionAnswer
from actions.crisis import ActionCrisis
from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm
from api.content import get_pack
from api.models import Feedback, SafeguardingAlert

TRACKERS = Path(__file__).parent / "trackers"


def tracker(name: str, **changes) -> Tracker:
    state = json.loads((TRACKERS / f"{name}.json").read_text())
    state.update(changes)
    return Tracker.from_dict(state)


def test_answer_uses_the_sms_version_on_sms(app):
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, tracker("money_question"), {})
    assert events == []
    assert dispatcher.messages[0]["text"] == get_pack().render("money", "sms").text
    assert dispatcher.messages[0]["key"] == "money"


def test_answer_for_an_intent_without_content_is_the_fallback(app):
    dispatcher = CollectingDispatcher()
    state = json.loads((TRACKERS / "money_question.json").read_text())
    state["latest_message"]["intent"] = {"name": "nlu_fallback", "confidence": 0.1}
    ActionAnswer().run(dispatcher, Tracker.from_dict(state), {})
    assert dispatcher.messages[0]["key"] == "fallback"


def test_submit_feedback_redacts_and_keeps_original_with_consent(app, session):
    dispatcher = CollectingDispatcher()
    events = ActionSubmitFeedback().run(dispatcher, tracker("feedback_done_consent"), {})
    assert SlotSet("feedback_text", None) in events
    assert dispatcher.messages[0]["key"] == "feedback_thanks"
    item = session.exec(select(Feedback).where(Feedback.conversation_id == "tracker-feedback")).one()
    assert item.text == "my flat has damp, ring me on [phone]"
    assert item.original_text.endswith("07700 900123")
    assert item.channel == "sms"


async def test_validation_rejects_feedback_without_words(app):
    dispatcher = CollectingDispatcher()
    validator = ValidateFeedbackForm()
    result = validator.validate_feedback_text("!!!", dispatcher, tracker("money_question"), {})
    assert result == {"feedback_text": None}
    assert dispatcher.messages[0]["key"] == "feedback_empty"
    assert validator.validate_feedback_contact_ok(None, dispatcher, tracker("money_question"), {}) == {
        "feedback_contact_ok": False
    }


def test_crisis_action_names_help_and_records_an_alert(app, session):
    dispatcher = CollectingDispatcher()
    state = json.loads((TRACKERS / "money_question.json").read_text())
    state["sender_id"] = "tracker-crisis"
    state["latest_message"].update(text="he said he'll hurt me if i tell", intent={"name": "crisis", "confidence": 0.8})
    events = ActionCrisis().run(dispatcher, Tracker.from_dict(state), {})
    assert {"event": "active_loop", "name": None} in events
    joined = " ".join(m["text"] for m in dispatcher.messages)
    assert "999" in joined and "116 123" in joined
    assert [m["key"] for m in dispatcher.messages] == ["crisis_abuse", "crisis"]  # the kind first
    alert = session.exec(select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == "tracker-crisis")).one()
    assert alert.kind == "abuse"


def _contact_answer(text: str, known: bool) -> tuple[object, list[str]]:
    from actions.forms import contact_slot

    state = json.loads((TRACKERS / "money_question.json").read_text())
    state["latest_message"]["metadata"] = {"young_person": "DEMO-0001"} if known else {}
    dispatcher = CollectingDispatcher()
    value = contact_slot("contact", text, dispatcher, Tracker.from_dict(state))["contact"]
    return value, [m.get("key") for m in dispatcher.messages]


def test_a_known_young_person_can_say_use_this_number_in_their_own_words(app):
    from actions.forms import FROM_DIRECTORY

    for said in ("this number", "text me on this number", "Ring me on my mobile.", "same as this", "my phone"):
        assert _contact_answer(said, known=True) == (FROM_DIRECTORY, []), said
    # A number or email they write wins over the words around it.
    assert _contact_answer("text me on 07700 900456", known=True) == ("+447700900456", [])
    assert _contact_answer("my email is Sam@Example.com", known=True) == ("sam@example.com", [])
    # Nobody's number is guessed: a stranger's "this number" is asked again, as is anything unclear.
    assert _contact_answer("text me on this number", known=False) == (None, ["contact_invalid"])
    assert _contact_answer("tomorrow maybe", known=True) == (None, ["contact_invalid"])
