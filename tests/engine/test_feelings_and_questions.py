"""Several questions in one message, and anger or upset said first (issue 13, item 4)."""

import pytest
from sqlmodel import select

from api.config import get_settings
from api.content import get_pack
from api.models import Conversation
from api.nlp.feelings import Feelings
from api.nlp.text import questions_in
from api.texting.text import to_gsm
from tests.routes.test_twilio import messages, new_mobile, text_in


def web(client, sender: str, message: str) -> list[dict]:
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert response.status_code == 200
    return response.json()


def sms(client, sender: str, body: str) -> str:
    return "\n".join(messages(text_in(client, body, sender=sender)))


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("can i get money for uni? and do i pay council tax", ["can i get money for uni", "do i pay council tax"]),
        ("whats staying put, what is staying close", ["whats staying put", "what is staying close"]),
        ("how do i get a flat\nwhat about council tax", ["how do i get a flat", "what about council tax"]),
        ("im moving out in may. can i get money for a sofa?", ["can i get money for a sofa"]),
        ("can i get money for a washing machine and a cooker", ["can i get money for a washing machine and a cooker"]),
        ("hiya, is there help with rent", ["is there help with rent"]),
        ("my pa left last month", []),
    ],
)
def test_a_message_is_read_for_each_question_it_asks(text, questions):
    assert questions_in(text) == questions


FEELINGS = Feelings.load(get_settings().content_dir / "feelings.yml")


@pytest.mark.parametrize(
    "text",
    [
        "u promised me a flat by xmas and u never did",
        "my worker said she would sort my bus pass and nothing",
        "honestly this service is a joke",
        "im fuming, third time ive asked",
        "nobody listens to a word i say",
        "ur all useless",
        "i feel so let down by the council",
        "why does no one ever get back to me, its been weeks",
    ],
)
def test_anger_and_upset_are_heard(text):
    assert FEELINGS.upset(text)


@pytest.mark.parametrize(
    "text",
    [
        "can i get money for uni",
        "thanks that really helped",
        "do i pay council tax",
        "my mum is coming to see me on sunday",
        "i promised my sister i would visit",
    ],
)
def test_an_ordinary_message_is_not_called_upset(text):
    assert not FEELINGS.upset(text)


def test_several_questions_on_the_web_are_answered_in_turn(client):
    pack = get_pack()
    replies = web(client, "several-web", "can i get money for uni? and do i pay council tax")
    texts = [r["text"] for r in replies]
    assert texts == [pack.render("education/university", "web").text, pack.render("council_tax", "web").text]


def test_several_questions_by_text_answer_the_first_and_offer_the_next(client):
    pack = get_pack()
    number = new_mobile()
    reply = sms(client, number, "can i get money for uni? and do i pay council tax")
    assert reply.startswith(to_gsm(pack.render("education/university", "sms").text))
    assert "Reply 1 for Council tax" in reply
    assert sms(client, number, "1").startswith(to_gsm(pack.render("council_tax", "sms").text))


def test_at_most_three_questions_are_answered(client):
    asked = "can i get money for uni? do i pay council tax? whats staying put? can i get free prescriptions?"
    assert len(web(client, "several-cap", asked)) == 3


def test_a_statement_around_one_question_gets_one_answer(client):
    replies = web(client, "one-question", "My PA left last month. Im moving in March. Can I get money for furniture?")
    assert len(replies) == 1 and "£3,000" in replies[0]["text"]


def test_a_broken_promise_is_heard_not_answered_with_the_promise(client):
    pack = get_pack()
    replies = web(client, "upset-venting", "you lot promised me a flat and you never sorted it")
    assert [r["text"] for r in replies] == [pack.render("upset", "web").text]
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/complain", "/advocate", "/talk_to_worker"]
    assert "promise" not in replies[0]["text"].lower()


def test_upset_with_a_question_is_heard_first_then_answered(client):
    pack = get_pack()
    replies = web(client, "upset-question", "so fed up, my pa never rings me back, can i change my pa")
    assert replies[0]["text"] == pack.render("upset_ack", "web").text
    assert replies[1]["text"] == pack.render("personal_advisor/change", "web").text


def test_upset_by_text_offers_a_complaint_an_advocate_or_a_person(client):
    reply = sms(client, new_mobile(), "this is a joke, third time ive asked about my bus pass and nothing")
    assert reply.startswith(to_gsm(get_pack().render("upset", "sms").text))
    assert "Reply 1 for Make a complaint, 2 for Get an advocate or 3 for Talk to a person" in reply


def test_inside_a_form_angry_words_are_the_answer_to_its_question(client, session):
    sender = "upset-in-form"
    web(client, sender, "/complain")
    web(client, sender, "yes")
    replies = web(client, sender, "my pa lied to me and ignored me for weeks")
    assert get_pack().render("upset_ack", "web").text not in [r["text"] for r in replies]
    conversation = session.exec(select(Conversation).where(Conversation.id == sender)).one()
    assert conversation.active_loop == "complaint_form"


def test_a_question_lost_in_a_longer_message_is_read_alone(client):
    # Read whole, the care story drowns the question (below the fallback threshold); read alone, it is clear.
    replies = web(client, "question-alone", "just came into care, when is my first review")
    assert "1 month" in replies[0]["text"]
