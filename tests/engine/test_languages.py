"""Young people who write in another language (issue 15): told which language, answered in it with the
offer of a free interpreter, by web and by text; an interpreter asked for in any language reaches a
person with the language recorded; simple English on request; languages on the dashboard."""

import json
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from api.config import get_settings
from api.content import get_pack
from api.db import get_engine, unit_of_work
from api.models import Conversation, Feedback, Turn
from api.nlp.language import REQUIRED, Languages, check_languages, evaluate_detection, get_languages, load_labelled
from api.privacy import conversation_id_for
from api.services.staff import add_staff
from api.texting.text import segments
from tests.routes.test_pages import PASSWORD, signed_in
from tests.routes.test_twilio import messages, new_mobile, text_in
from tests.test_requests import WEDNESDAY_10AM, freeze, latest

CONTENT = get_settings().content_dir
LANGUAGES = get_languages()

# A message about somewhere to live (or money) in each language, as a young person might write it.
ASKED = {
    "ar": ("احتاج بيت جديد وين اسكن", "housing"),
    "ps": ("زه کور ته اړتیا لرم چیرته اوسیږم", "housing"),
    "fa": ("من خانه ندارم کجا زندگی کنم", "housing"),
    "ckb": ("من پێویستم بە خانووە لە کوێ بژیم", "housing"),
    "ti": ("ገዛ የብለይን ሓገዝ እደሊ እየ", "housing"),
    "am": ("ቤት የለኝም እርዳታ እፈልጋለሁ", "housing"),
    "so": ("guri ma haysto waxaan u baahanahay caawimaad", "housing"),
    "sq": ("nuk kam shtëpi më duhet ndihmë për banesë", "housing"),
    "vi": ("em không có nhà ở, em cần giúp đỡ", "housing"),
    "pl": ("nie mam mieszkania, potrzebuję pomocy", "housing"),
    "ro": ("nu am bani deloc, am nevoie de ajutor", "money"),
}


@pytest.fixture(scope="module")
def staff(app) -> dict[str, str]:
    accounts = {"admin": "admin.lang@lincs.example", "participation": "participation.lang@lincs.example"}
    with unit_of_work() as session:
        for role, email in accounts.items():
            add_staff(session=session, email=email, role=role, password=PASSWORD)
    return accounts


def web(client, sender: str, message: str) -> list[dict]:
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert response.status_code == 200, response.text
    return response.json()


def interpreter_payload(code: str) -> str:
    return "/talk_to_worker" + json.dumps({"interpreter": code})


# -- detection ------------------------------------------------------------------------------------


def test_every_required_language_has_its_core_messages_and_the_content_check_passes():
    problems, notes = check_languages(CONTENT)
    assert problems == []
    assert set(REQUIRED) <= set(LANGUAGES.packs)
    # Machine-assisted translations are listed until a fluent speaker signs them off.
    assert any("not yet reviewed" in n for n in notes)


def test_detection_on_the_labelled_set_is_good_enough_to_answer_in_their_language():
    report = evaluate_detection(LANGUAGES, load_labelled(CONTENT / "languages" / "detection_eval.yml"))
    assert report.accuracy >= 0.85, report.lines()
    for code in REQUIRED:
        assert report.right.get(code, 0) / report.total[code] >= 0.6, (code, report.lines())


@pytest.mark.parametrize(
    "text",
    [
        "wallah i need house help bro",
        "inshallah i get the grant",
        "salam can i get help with college",
        "my pa is never there habibi",
        "can i get money for a sofa",
        "i want to kill myself",
        "he hits me when hes drunk",
        "im not safe at home",
    ],
)
def test_english_with_a_word_of_another_language_is_english(text):
    # The risk check's English classifier reads every message told to be English: a wrong "foreign"
    # here would hide a disclosure from it.
    assert LANGUAGES.detect(text).code == "en"


def test_english_training_messages_are_never_taken_for_another_language():
    from api.nlp.rasa_data import load_project

    examples = [text for text, _ in load_project(get_settings().bot_dir).nlu.examples]
    foreign = [t for t in examples if LANGUAGES.detect(t).foreign]
    assert len(foreign) / len(examples) < 0.01, foreign[:20]


@pytest.mark.parametrize(
    ("text", "code"),
    [("ሰላም ሓወይ ገዛ የብለይን", "ti"), ("ሰላም ቤት የለኝም", "am"), ("زه کور غواړم", "ps"), ("من پارەم نییە", "ckb")],
)
def test_languages_sharing_a_script_are_told_apart(text, code):
    assert LANGUAGES.detect(text).code == code


def test_a_language_file_that_cannot_be_read_is_a_content_problem(tmp_path: Path):
    (tmp_path / "languages").mkdir()
    (tmp_path / "safety" / "languages").mkdir(parents=True)
    (tmp_path / "languages" / "pl.yml").write_text("code: pl\ninterpreter: ['(unclosed']\n", encoding="utf-8")
    problems, _ = check_languages(tmp_path)
    assert problems and "pl.yml" in problems[0]
    (tmp_path / "languages" / "pl.yml").write_text("code: pl\nwords: [tak]\n", encoding="utf-8")
    problems, _ = check_languages(tmp_path)
    assert any("marker words" in p for p in problems) and any("ar.yml: missing" in p for p in problems)
    assert Languages.load(tmp_path).detect("tak").code == "pl"


# -- answered in their language --------------------------------------------------------------------


@pytest.mark.parametrize("code", REQUIRED)
def test_a_message_in_their_language_is_answered_in_it_with_a_free_interpreter_on_the_web(client, code):
    text, topic = ASKED[code]
    pack = LANGUAGES.packs[code]
    assert LANGUAGES.detect(text).code == code
    replies = web(client, f"lang-{uuid.uuid4()}", text)
    first = replies[0]
    assert pack.messages["welcome"]["web"].strip() in first["text"]
    # First what to do in danger (we cannot read it: it may be a disclosure), then the topic line.
    danger, topic_line, *_ = first["text"].split("\n")
    assert danger == pack.messages["danger"] and "999" in danger
    assert topic_line == pack.messages["topic"].format(topic=pack.messages["topic_names"][topic]).strip()
    assert first["buttons"][0] == {
        "title": pack.messages["buttons"]["interpreter"],
        "payload": interpreter_payload(code),
    }
    # ...then the answer in simple English (its short version).
    assert replies[1]["text"] == get_pack().render(topic, "sms").text


@pytest.mark.parametrize("code", REQUIRED)
def test_a_text_in_their_language_is_answered_in_it_and_counted_in_ucs2_segments(client, code):
    text, _ = ASKED[code]
    pack = LANGUAGES.packs[code]
    number = new_mobile()
    replies = messages(text_in(client, text, sender=number))
    body = " ".join(replies)
    # Every text is one segment of the encoding it is sent in (70 characters in UCS-2), at most five.
    assert 1 <= len(replies) <= 5
    assert all(segments(r) == 1 for r in replies), [(len(r), r) for r in replies]
    assert pack.messages["welcome"]["sms"].split()[0] in body
    assert replies[0].startswith(pack.messages["danger"].split()[0]) and "999" in body  # what to do in danger first
    assert "Reply" not in body, "options in another language are numbered without English words"
    assert f"1 = {pack.messages['buttons']['interpreter']}" in body
    # "1" is the interpreter: it starts the request with the language named.
    after = " ".join(messages(text_in(client, "1", sender=number)))
    assert "interpreter" in after and "How soon" in after
    with Session(get_engine()) as session:
        conversation = session.get(Conversation, conversation_id_for(number))
        assert conversation is not None and conversation.language == code
        assert conversation.slots.get("interpreter") == code
        said = select(Turn).where(Turn.conversation_id == conversation.id, Turn.role == "user")
        first = session.exec(said.order_by(col(Turn.created_at), col(Turn.id))).first()
        assert first is not None and first.language == code and first.text == text


def test_a_language_we_have_no_messages_in_gets_the_interpreter_offer_in_english(client):
    replies = web(
        client, f"lang-{uuid.uuid4()}", "Bonjour, je cherche un logement pour le mois prochain s'il vous plaît"
    )
    assert replies[0]["text"] == get_pack().render("other_language", "web").text
    assert replies[0]["buttons"][0]["payload"] == interpreter_payload("fr")


@pytest.mark.parametrize("text", ["Привет, как получить деньги на колледж", "你好，我需要帮助找房子"])
def test_a_script_none_of_our_languages_use_gets_the_interpreter_offer(client, text):
    replies = web(client, f"lang-{uuid.uuid4()}", text)
    assert replies[0]["text"] == get_pack().render("other_language", "web").text
    assert replies[0]["text"].startswith("In danger now? Call 999.")
    assert replies[0]["buttons"][0]["payload"] == interpreter_payload("not said")


def test_mixed_english_is_answered_as_english(client):
    replies = web(client, f"lang-{uuid.uuid4()}", "wallah i need help finding a flat bro")
    assert replies[0]["text"] == get_pack().render("housing", "web").text


# -- the interpreter request ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i need interpreter plz my english not good",
        "can i have a translator",
        "my english is not very good",
        "i dont speak english",
        "ابغى مترجم",
        "زه ژباړونکی غواړم",
        "potrzebuję tłumacza",
        "am nevoie de un traducător",
    ],
)
def test_an_interpreter_asked_for_in_any_language_is_heard(text):
    assert LANGUAGES.wants_interpreter(text), text


def test_interpreter_not_read_as_no_and_reaches_a_person_with_the_language(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sender = f"lang-{uuid.uuid4()}"
    first = web(client, sender, "ገዛ የብለይን ሓገዝ እደሊ እየ")  # Tigrinya: the conversation's language
    assert first[0]["buttons"][0]["payload"] == interpreter_payload("ti")
    asked = web(client, sender, "i need interpreter plz my english not good")
    said = " ".join(m["text"] for m in asked)
    assert "interpreter" in said and "How soon" in said and "Come back any time" not in said
    web(client, sender, "today")
    done = " ".join(m["text"] for m in web(client, sender, "07700 900999"))
    pack = LANGUAGES.packs["ti"]
    assert pack.messages["interpreter_done"].strip() in done
    assert "interpreter who speaks Tigrinya" in done
    request = latest("handoff", sender)
    assert request is not None
    assert request.details["interpreter"] == "ti" and request.language == "ti"
    assert request.details["topic"] == "needs an interpreter"
    # The team is told, by email, before anyone calls.
    from api.services.notify import deliver_pending

    deliver_pending()
    [mail] = [m for m in wired.smtp.messages if request.reference in m["Subject"]]
    assert "Needs an interpreter: Tigrinya" in mail.get_payload()


def test_an_interpreter_before_we_know_the_language_says_so_to_staff(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sender = f"lang-{uuid.uuid4()}"
    web(client, sender, "I need a translator please")
    web(client, sender, "this week")
    done = " ".join(m["text"] for m in web(client, sender, "someone@example.org"))
    assert "interpreter who speaks your language" in done
    request = latest("handoff", sender)
    assert request is not None and request.details["interpreter"] == "not said"


def test_the_advisor_sees_the_interpreter_on_the_inbox_and_the_request(client, wired, monkeypatch, staff):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sender = f"lang-{uuid.uuid4()}"
    web(client, sender, interpreter_payload("ps"))
    web(client, sender, "today")
    web(client, sender, "07700 900998")
    request = latest("handoff", sender)
    assert request is not None
    signed_in(client, staff["admin"])
    assert "Needs an interpreter: Pashto" in client.get("/staff/inbox").text
    page = client.get(f"/staff/requests/{request.id}").text
    assert "Needs an interpreter" in page and "Pashto" in page
    api = client.get(f"/api/handoffs/{request.id}")
    if api.status_code == 200:
        assert api.json()["interpreter"] == "Pashto"


# -- simple English -------------------------------------------------------------------------------


def test_simple_english_gives_the_short_answers_from_then_on(client):
    sender = f"lang-{uuid.uuid4()}"
    pack = get_pack()
    assert web(client, sender, "council tax")[0]["text"] == pack.render("council_tax", "web").text
    said = web(client, sender, "can you use simple english please")
    assert said[0]["text"] == pack.render("simple_english", "sms").text  # already short and simple
    assert web(client, sender, "council tax")[0]["text"] == pack.render("council_tax", "sms").text


# -- the dashboard --------------------------------------------------------------------------------


def test_feedback_and_requests_are_counted_by_language_for_the_participation_team(client, staff):
    response = client.post(
        "/api/feedback", json={"text": "mieszkanie jest bardzo zimne i nikt nie pomaga", "channel": "web"}
    )
    assert response.status_code == 201
    with Session(get_engine()) as session:
        item = session.get(Feedback, response.json()["id"])
        assert item is not None and item.language == "pl"
    signed_in(client, staff["participation"])
    page = client.get("/staff/dashboard").text
    assert "Languages young people write in" in page
    assert "Polish" in page


def test_staff_pages_name_every_language_with_crisis_phrases():
    assert [LANGUAGES.name(c) for c in ("lt", "bg", "kmr", "ur", None)] == [
        "Lithuanian",
        "Bulgarian",
        "Kurdish (Kurmanji)",
        "Urdu",
        "not known",
    ]
