"""Rules and the feedback form, followed from bot/ by the embedded engine."""

from sqlmodel import select

from api.content import get_pack
from api.models import Conversation, Feedback


def texts(client, sender, message):
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert response.status_code == 200
    return [m["text"] for m in response.json()]


def test_feedback_form_without_consent_stores_only_redacted_text(client, session):
    pack = get_pack()
    sender = "form-no-consent"
    assert texts(client, sender, "/give_feedback") == [pack.render("give_feedback", "web").text]
    assert texts(client, sender, "my pa Sarah never rings me back, my number is 07700 900123") == [
        pack.render("feedback_ask_contact", "web").text
    ]
    assert texts(client, sender, "no") == [pack.render("feedback_thanks", "web").text]
    item = session.exec(select(Feedback).order_by(Feedback.id.desc())).first()
    assert "07700" not in item.text and "[phone]" in item.text
    assert "Sarah" not in item.text
    assert item.original_text is None and item.conversation_id is None and not item.contact_ok
    conversation = session.get(Conversation, sender)
    assert conversation.active_loop is None
    assert "feedback_text" not in conversation.slots


def test_feedback_form_with_consent_keeps_the_original_for_admin(client, session):
    sender = "form-consent"
    texts(client, sender, "/give_feedback")
    texts(client, sender, "the hostel in LN1 1AA is cold")
    texts(client, sender, "yes")
    item = session.exec(select(Feedback).order_by(Feedback.id.desc())).first()
    assert item.contact_ok and item.original_text == "the hostel in LN1 1AA is cold"
    assert "[postcode]" in item.text


def test_empty_feedback_is_asked_again(client):
    pack = get_pack()
    sender = "form-empty"
    texts(client, sender, "/give_feedback")
    assert texts(client, sender, "...") == [
        pack.render("feedback_empty", "web").text,
        pack.render("give_feedback", "web").text,
    ]


def test_question_while_asked_for_consent_is_answered_then_asked_again(client):
    pack = get_pack()
    sender = "form-unhappy"
    texts(client, sender, "/give_feedback")
    texts(client, sender, "college is great")
    replies = texts(client, sender, "/council_tax")
    assert replies == [pack.render("council_tax", "web").text, pack.render("feedback_ask_contact", "web").text]
    assert texts(client, sender, "nah") == [pack.render("feedback_thanks", "web").text]


def test_unknown_message_gets_the_fallback_with_a_menu(client):
    body = client.post("/webhooks/rest/webhook", json={"sender": "fallback-1", "message": "qwpoeiru zzkx"}).json()
    pack = get_pack()
    assert body[0]["text"] in {pack.render("fallback", "web").text, pack.render("out_of_scope", "web").text}
    assert body[0].get("buttons")
