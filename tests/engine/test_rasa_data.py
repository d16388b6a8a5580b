"""bot/ is read the way Rasa reads it, and holds what the contract needs."""

from collections import Counter

from api.config import get_settings
from api.contract import CONTRACT_INTENTS
from api.nlp.rasa_data import base_intent, load_project, strip_entities


def test_every_contract_intent_has_at_least_30_examples_and_is_in_the_domain():
    project = load_project(get_settings().bot_dir)
    # A retrieval intent's examples (money/setting_up_home) are examples of its intent (money).
    counts = Counter(base_intent(intent) for _, intent in project.nlu.examples)
    for intent in CONTRACT_INTENTS:
        assert counts[intent] >= 30, f"{intent} has {counts[intent]} examples"
        assert intent in project.domain["intents"]


def test_no_example_is_labelled_twice():
    project = load_project(get_settings().bot_dir)
    seen: dict[str, str] = {}
    for text, intent in project.nlu.examples:
        key = text.lower().strip()
        assert seen.setdefault(key, intent) == intent, f"'{text}' is both {seen[key]} and {intent}"


def test_rules_cover_every_answer_and_the_form():
    project = load_project(get_settings().bot_dir)
    by_intent = {r.intent: r for r in project.rules if r.active_loop is None and r.after_loop is None}
    for intent in CONTRACT_INTENTS:
        assert intent in by_intent, intent
    assert by_intent["give_feedback"].actions == ["feedback_form"]
    completed = [r for r in project.rules if r.after_loop == "feedback_form"]
    assert completed and completed[0].actions == ["action_submit_feedback"]


def test_entity_markup_is_stripped():
    text, entities = strip_entities('my [uc](benefit) stopped in [Boston]{"entity": "place", "value": "Boston"}')
    assert text == "my uc stopped in Boston"
    assert entities[0] == {"entity": "benefit", "start": 3, "end": 5, "value": "uc"}
    assert entities[1]["value"] == "Boston" and text[entities[1]["start"] : entities[1]["end"]] == "Boston"


def test_lookups_and_synonyms_are_read():
    project = load_project(get_settings().bot_dir)
    assert "Lincoln" in project.nlu.lookups["place"]
    assert project.nlu.synonyms["uc"] == "universal credit"
    assert project.fallback_threshold == 0.3
