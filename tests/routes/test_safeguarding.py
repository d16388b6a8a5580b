"""Safeguarding in conversations: graded answers, every form, context, other languages, who is told."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.content import get_pack
from api.db import get_engine, unit_of_work
from api.models import Feedback, SafeguardingAlert, SupportRequest, YoungPerson
from api.risk import get_assessor
from api.services.directory import import_directory
from api.services.notify import deliver_pending
from api.services.staff import add_staff
from tests.routes.test_pages import signed_in
from tests.routes.test_twilio import messages, new_mobile, text_in
from tests.test_requests import web as say  # each message in turn; the answer to the last

PASSWORD = "correct horse battery"
HELP_NOW = ("999", "116 123", "85258", "0800 1111")


def alerts_of(sender: str) -> list[SafeguardingAlert]:
    with Session(get_engine()) as session:
        query = select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == sender)
        return list(session.exec(query.order_by(col(SafeguardingAlert.id))))


def new_sender() -> str:
    return f"risk-{uuid.uuid4().hex[:10]}"


# -- graded answers ------------------------------------------------------------------------------------

KIND_MESSAGES = {
    "medical_emergency": "i swallowed a whole packet of my mums pills 10 mins ago",
    "abuse": "my foster carers son comes in my room at night and touches me",
    "sexual_exploitation": "this guy whos 30 gives me money and says i owe him stuff in bed",
    "criminal_exploitation": "older lads say i owe them and make me drop bags of stuff in lincoln",
    "domestic_abuse": "my girlfriend strangled me last night and i think she'll do it again",
    "neglect": "no gas or electric for a week and my baby is hungry, we've got nothing",
    "restriction": "staff took my shoes and locked the door so i cant go out",
    "danger_now": "someone is trying to break into my flat right now",
}


@pytest.mark.parametrize(("kind", "text"), KIND_MESSAGES.items())
def test_a_crisis_gets_its_kind_answer_first_then_help_now_and_an_urgent_alert(client, kind, text):
    sender = new_sender()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    replies = [m["text"] for m in response.json()]
    specific = get_pack().render(f"crisis_{kind}", "web").text
    assert replies[0] == specific  # what to do for this kind comes first
    assert all(number in "\n".join(replies) for number in HELP_NOW)
    assert any(b["payload"] == "/talk_to_worker" for m in response.json() for b in m.get("buttons", []))
    [alert] = alerts_of(sender)
    assert (alert.kind, alert.level) == (kind, "crisis")


def test_suicide_gets_the_crisis_answer_as_before(client):
    reply = say(client, new_sender(), "i want to kill myself tonight")
    assert reply.startswith(get_pack().render("crisis", "web").text.split("\n")[0])
    assert all(number in reply for number in HELP_NOW)


# Possible harm, not yet a crisis: each is a concern on its own (checked first, so a change to the
# labelled set that turns one into a crisis shows here rather than as a puzzling conversation test).
CONCERNS = [
    "a lad i talk to on snapchat keeps asking to meet up",
    "my girlfriend checks my phone every night",
    "i feel like a burden to everyone",
]


@pytest.mark.parametrize("text", CONCERNS)
def test_possible_harm_is_a_concern(engine, text):
    verdict = engine.understand(text).safety
    assert verdict.at_risk and verdict.level == "concern", verdict


def test_a_concern_checks_in_and_still_names_help(client):
    sender = new_sender()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": CONCERNS[0]})
    reply = "\n".join(m["text"] for m in response.json())
    assert reply.startswith(get_pack().render("concern", "web").text)
    assert "safe right now" in reply.lower()
    assert all(number in reply for number in ("999", "116 123", "0800 1111"))
    payloads = {b["payload"] for m in response.json() for b in m.get("buttons", [])}
    assert {"/affirm", "/talk_to_worker", "/crisis"} <= payloads
    [alert] = alerts_of(sender)
    assert (alert.kind, alert.level) == ("sexual_exploitation", "concern")


def test_yes_im_safe_after_the_check_in_is_heard(client):
    sender = new_sender()
    say(client, sender, CONCERNS[1])
    assert say(client, sender, "/affirm") == get_pack().render("concern_safe", "web").text
    assert [a.level for a in alerts_of(sender)] == ["concern"]


def test_no_to_are_you_safe_rises_to_crisis(client):
    sender = new_sender()
    say(client, sender, "/give_feedback")
    assert alerts_of(sender) == []
    # A concern, said mid-form: the form is left and the young person asked if they are safe.
    assert "safe right now" in say(client, sender, CONCERNS[2]).lower()
    reply = say(client, sender, "no")
    assert all(number in reply for number in HELP_NOW)
    assert [(a.kind, a.level) for a in alerts_of(sender)] == [
        ("suicide_self_harm", "concern"),
        ("suicide_self_harm", "crisis"),
    ]


def test_a_second_concern_in_a_day_is_a_crisis(client):
    sender = new_sender()
    say(client, sender, CONCERNS[1])
    say(client, sender, CONCERNS[2])
    assert [a.level for a in alerts_of(sender)] == ["concern", "crisis"]


# -- every form, every message -----------------------------------------------------------------------

FORMS = {
    "feedback": ("/give_feedback",),
    "handoff": ("/talk_to_worker",),
    "complaint": ("/complain", "/affirm"),
    "advocacy": ("/advocate", "/affirm"),
}
MID_FORM = [
    "honestly i've been thinking about taking all my tablets",
    "my key worker pins me down and hurts my wrists",
    "he says i owe him for the flat so i have to sleep with his mates",
    "mi-e frica, vreau sa mor",
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("text", MID_FORM)
def test_a_disclosure_mid_form_leaves_the_form_and_is_never_taken_as_an_answer(client, form, text):
    sender = new_sender()
    with Session(get_engine()) as session:
        feedback_before = len(session.exec(select(Feedback.id)).all())
    first = say(client, sender, *FORMS[form])
    assert "999" not in first
    reply = say(client, sender, text)
    assert any(number in reply for number in ("999", "116 123", "85258")), (form, text, reply)
    assert alerts_of(sender), (form, text)
    with Session(get_engine()) as session:
        assert len(session.exec(select(Feedback.id)).all()) == feedback_before  # not stored as feedback
        assert not session.exec(select(SupportRequest).where(SupportRequest.conversation_id == sender)).first()


@pytest.mark.parametrize("form", FORMS)
def test_inside_a_form_dont_want_to_do_this_any_more_asks_which(client, form):
    sender = new_sender()
    say(client, sender, *FORMS[form])
    reply = say(client, sender, "forget it i dont want to do this anymore")
    assert reply == get_pack().render("safety_which", "web").text
    assert not alerts_of(sender)  # a question, not yet an alert
    stopped = say(client, sender, "cancel")
    assert "stopped" in stopped.lower()


def test_which_do_you_mean_not_safe_gets_help(client):
    sender = new_sender()
    say(client, sender, "/give_feedback", "i cant do this any more")
    reply = say(client, sender, "/crisis")
    assert all(number in reply for number in HELP_NOW)
    assert alerts_of(sender)[-1].level == "crisis"


def test_nowhere_to_sleep_tonight_written_inside_a_form_is_answered_first_and_the_form_goes_on(client):
    sender = new_sender()
    say(client, sender, *FORMS["feedback"])
    reply = say(client, sender, "sleeping in a doorway tonight cos i got nowhere to go")
    homeless = get_pack().render("homeless", "web").text
    assert reply.startswith(homeless) and "999" in reply
    assert reply[len(homeless) :].strip(), "the form's next question follows"
    calm = new_sender()
    say(client, calm, *FORMS["feedback"])
    assert "Shelter" not in say(client, calm, "my pa helped me find a flat last year, she was great")


@pytest.mark.parametrize("text", ["said my bits n bobs to everyone x", "zxqv blorp", "what time is the football on"])
def test_a_message_the_bot_cannot_place_still_says_what_to_do_in_danger(client, text):
    """A fallback or out-of-scope answer: the message may be a disclosure in words the check does not know."""
    reply = say(client, new_sender(), text)
    assert "999" in reply and "85258" in reply, reply
    by_text = " ".join(messages(text_in(client, text, sender=new_mobile())))
    assert "999" in by_text, by_text


def test_feedback_with_a_disclosure_gets_help_and_an_alert(client):
    response = client.post("/api/feedback", json={"text": "my carer hits me with a belt when im bad"})
    assert response.status_code == 201
    body = response.json()
    assert body["crisis"] and "999" in body["message"]


# -- other languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["ar", "ps", "fa", "ckb", "kmr", "ti", "am", "so", "sq", "vi", "pl", "ro", "cy", "fr"]
    + ["lt", "lv", "pt", "bg", "ru", "ur"],  # crisis phrases only: Lincolnshire's other communities
)
def test_a_crisis_in_another_language_is_answered_in_it_first_then_in_english(client, code):
    language = get_assessor().languages[code]
    sender = new_sender()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": language.escalate[0]})
    replies = [m["text"] for m in response.json()]
    assert replies[0] == language.reply
    assert all(number in "\n".join(replies[1:]) for number in HELP_NOW)  # the English answer follows
    [alert] = alerts_of(sender)
    assert alert.language == code and alert.level == "crisis"


def test_a_crisis_in_arabic_by_text_message_names_help_in_the_first_text(client):
    language = get_assessor().languages["ar"]
    replies = messages(text_in(client, language.escalate[1], sender="+447700900963"))
    assert "999" in replies[0] and "\u0627" in replies[0]  # in Arabic, before anything else
    assert "116 123" in " ".join(replies) and "0800 1111" in " ".join(replies)
    # Five texts at most in another script (70 characters each): the rest of the English answer follows
    # when they reply MORE.
    assert len(replies) <= 5 and replies[-1].endswith("Reply MORE for the rest")
    more = " ".join(messages(text_in(client, "MORE", sender="+447700900963")))
    assert "85258" in " ".join(replies) + more and "Childline" in more


def test_parse_reports_the_risk_kind_level_and_language(client):
    body = client.post("/model/parse", json={"text": "my stepmum slaps me every day"}).json()
    assert body["intent"]["name"] == "crisis"
    assert body["risk"]["kind"] == "abuse" and body["risk"]["level"] in ("crisis", "concern")
    calm = client.post("/model/parse", json={"text": "can i get a bus pass"}).json()
    assert "risk" not in calm and calm["intent"]["name"] != "crisis"


# -- NUL bytes where input enters --------------------------------------------------------------------


def test_a_nul_byte_in_feedback_is_stripped_and_a_crisis_in_it_still_answered(client):
    response = client.post("/api/feedback", json={"text": "i want to kill\u0000 myself"})
    assert response.status_code == 201, response.text
    assert response.json()["crisis"] and "999" in response.json()["message"]


def test_a_nul_byte_in_the_sender_or_message_is_stripped(client):
    sender = new_sender()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender + "\u0000", "message": "i wanna die\u0000"})
    assert response.status_code == 200
    assert "999" in "\n".join(m["text"] for m in response.json())
    assert alerts_of(sender)


def test_a_nul_byte_in_a_sign_in_is_refused_politely(client):
    response = client.post("/api/auth/token", data={"username": "nobody\u0000@lincs.example", "password": "x"})
    assert response.status_code in (400, 401, 422)


def test_a_nul_byte_in_a_text_message_is_stripped_after_the_signature_check(client):
    replies = messages(text_in(client, "i want to end\u0000 my life", sender="+447700900962"))
    assert "999" in " ".join(replies)


# -- who is told -------------------------------------------------------------------------------------

WORKERS = (
    "email,name,role,mobile,team,away,public_contact\nsam.pa@lincs.example,Sam Pa,personal_advisor,,leaving_care,no,\n"
)
YOUNG_PEOPLE = (
    "reference,first_name,mobile,status,worker_email\n"
    "TEST-RISK-0001,Kit,07700 900961,care_leaver,sam.pa@lincs.example\n"
)
KIT = "+447700900961"


def sign_in(client, email: str, role: str) -> TestClient:
    with unit_of_work() as session:
        add_staff(session=session, email=email, role=role, password=PASSWORD)
    return signed_in(client, email)


def test_the_duty_team_sees_alerts_and_the_advisor_sees_only_that_there_is_one(client, app):
    with unit_of_work() as session:
        add_staff(session=session, email="sam.pa@lincs.example", role="advisor", password=PASSWORD)
        assert import_directory(session=session, young_people_csv=YOUNG_PEOPLE, workers_csv=WORKERS).ok
    messages(text_in(client, "/talk_to_worker", sender=KIT))
    messages(text_in(client, "skip", sender=KIT))
    messages(text_in(client, "skip", sender=KIT))
    disclosure = "my carer's boyfriend slaps me when shes out"
    answer = " ".join(messages(text_in(client, disclosure, sender=KIT)))
    assert "999" in answer
    with Session(get_engine()) as session:
        alert = session.exec(
            select(SafeguardingAlert).where(SafeguardingAlert.young_person_reference == "TEST-RISK-0001")
        ).first()
    assert alert is not None and alert.kind == "abuse"

    with TestClient(app) as duty:
        sign_in(duty, "duty.worker@lincs.example", "duty")
        assert duty.get("/staff", follow_redirects=False).headers["location"] == "/staff/alerts"
        listing = duty.get("/staff/alerts")
        assert listing.status_code == 200 and f"/staff/alerts/{alert.id}" in listing.text
        page = duty.get(f"/staff/alerts/{alert.id}")
        assert disclosure.replace("'", "&#39;") in page.text and "Crisis" in page.text and "English" in page.text

    with TestClient(app) as advisor:
        signed_in(advisor, "sam.pa@lincs.example")
        assert advisor.get("/staff/alerts").status_code == 403
        inbox = advisor.get("/staff/inbox").text
        assert "Safeguarding alert" in inbox and "duty team has the details" in inbox
        with Session(get_engine()) as session:
            kit = session.exec(select(YoungPerson).where(YoungPerson.reference == "TEST-RISK-0001")).one()
            request = session.exec(select(SupportRequest).where(SupportRequest.young_person_id == kit.id)).one()
        page = advisor.get(f"/staff/requests/{request.id}")
        assert page.status_code == 200 and "Safeguarding alert" in page.text
        assert "slaps me" not in page.text  # the words are for the duty team only
        assert "Abuse" not in page.text  # nor the kind: it may be about someone close to them


def test_the_duty_team_is_emailed_urgent_or_concern(client, monkeypatch):
    from api.config import get_settings
    from tests.fakes.smtp_sink import SmtpSink

    settings = get_settings()
    with SmtpSink() as smtp:
        for name, value in {
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_starttls": False,
            "safeguarding_inbox": "duty@lincs.example",
        }.items():
            monkeypatch.setattr(settings, name, value)
        deliver_pending()
        smtp.messages.clear()
        say(client, new_sender(), "the cuts on my arm wont stop bleeding")
        deliver_pending()
        [mail] = smtp.to("duty@lincs.example")
        assert mail["Subject"].startswith("URGENT safeguarding alert")
        assert "cuts" not in mail.get_payload()  # never what was written
