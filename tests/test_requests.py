"""A person takes it up: talk to my worker, an advocate, a complaint, over SMS and the web chat.

Time is frozen (api.services.office_hours.now); texts go to a fake Twilio and mail to an SMTP sink on 127.0.0.1.
"""

from datetime import datetime

import pytest
from sqlmodel import Session, col, select

from api.config import get_settings
from api.db import get_engine, unit_of_work
from api.models import Conversation, Notification, RequestEvent, SafeguardingAlert, SupportRequest, Worker
from api.privacy import conversation_id_for
from api.services import office_hours as clock
from api.services.directory import import_directory
from api.services.notify import deliver_pending
from api.services.requests import escalate_overdue, set_status
from tests.routes.test_twilio import messages, text_in

WORKERS = """email,name,role,mobile,team,away,public_contact
pat.adviser@lincs.example,Pat Adviser,personal_advisor,07700 900311,leaving_care,no,
lee.away@lincs.example,Lee Away,personal_advisor,07700 900312,leaving_care,yes,
max.public@lincs.example,Max Public,personal_advisor,07700 900313,leaving_care,no,01632 960123
"""
YOUNG_PEOPLE = """reference,first_name,mobile,status,worker_email
TEST-REQ-0001,Robin,07700 900321,care_leaver,pat.adviser@lincs.example
TEST-REQ-0002,Jamie,07700 900322,care_leaver,lee.away@lincs.example
TEST-REQ-0003,Noel,07700 900323,care_leaver,pat.adviser@lincs.example
TEST-REQ-0004,Ash,07700 900324,care_leaver,pat.adviser@lincs.example
TEST-REQ-0005,Bea,07700 900325,in_care,pat.adviser@lincs.example
TEST-REQ-0006,Cal,07700 900326,care_leaver,pat.adviser@lincs.example
TEST-REQ-0007,Dee,07700 900327,care_leaver,max.public@lincs.example
"""
ROBIN, JAMIE, NOEL, ASH, BEA, CAL, DEE = (f"+4477009003{n}" for n in (21, 22, 23, 24, 25, 26, 27))
PAT_MOBILE = "+447700900311"
WEDNESDAY_10AM = "2026-11-25T10:00:00+00:00"
SATURDAY = "2026-11-28T11:00:00+00:00"
CHRISTMAS_DAY = "2026-12-25T10:00:00+00:00"


@pytest.fixture(scope="module", autouse=True)
def directory(app):
    with unit_of_work() as session:
        report = import_directory(session=session, young_people_csv=YOUNG_PEOPLE, workers_csv=WORKERS)
    assert report.ok, report.problems


def freeze(monkeypatch, moment: str) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat(moment))


def sms(client, sender: str, *bodies: str) -> str:
    """Text each body in turn; the answer to the last, as one string."""
    replies: list[str] = []
    for body in bodies:
        replies = messages(text_in(client, body, sender=sender))
    return "\n".join(replies)


def web(client, sender: str, *bodies: str) -> str:
    texts: list[str] = []
    for body in bodies:
        response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": body})
        assert response.status_code == 200, response.text
        texts = [m["text"] for m in response.json()]
    return "\n".join(texts)


def latest(kind: str, conversation_id: str) -> SupportRequest | None:
    with Session(get_engine()) as session:
        query = (
            select(SupportRequest)
            .where(SupportRequest.kind == kind, SupportRequest.conversation_id == conversation_id)
            .order_by(col(SupportRequest.id).desc())
        )
        return session.exec(query).first()


def notes(request: SupportRequest) -> list[str]:
    with Session(get_engine()) as session:
        return [e.note for e in session.exec(select(RequestEvent).where(RequestEvent.request_id == request.id))]


# -- talk to my worker -------------------------------------------------------------------------


def test_in_hours_a_known_young_person_reaches_their_own_advisor(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    assert "talk about" in sms(client, ROBIN, "I need to talk to my PA")
    assert "How soon" in sms(client, ROBIN, "my rent money has not come")
    answer = sms(client, ROBIN, "today")
    request = latest("handoff", conversation_id_for(ROBIN))
    assert request is not None and request.status == "open"
    assert f"Pat will contact you by 12pm today. Your reference is {request.reference}" in answer
    assert "Office closed" not in answer
    assert request.details == {"topic": "my rent money has not come", "urgency": "today"}
    with Session(get_engine()) as session:
        assert session.get(Worker, request.worker_id).email == "pat.adviser@lincs.example"

    assert deliver_pending() == 2
    text = next(m for m in wired.twilio.accepted if m["To"] == PAT_MOBILE)
    assert f"Robin asked to talk to you ({request.reference}, today)" in text["Body"]
    assert "rent" not in text["Body"], "what it is about stays out of a text to a phone"
    [mail] = wired.smtp.to("pat.adviser@lincs.example")
    assert mail["Subject"] == f"{request.reference}: Robin asked to talk to you"
    assert "my rent money has not come" in mail.get_payload()
    assert any(n.startswith("text to +44 7*** ***311: sent") for n in notes(request))
    assert any(n.startswith("email to pat.adviser@lincs.example: sent") for n in notes(request))


def test_a_handoff_nobody_marked_contacted_in_time_is_escalated_to_the_team_once(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sms(client, ASH, "I need to talk to my PA", "my gas is off", "today")
    late = latest("handoff", conversation_id_for(ASH))
    sms(client, ROBIN, "I need to talk to my PA", "skip", "today")
    done = latest("handoff", conversation_id_for(ROBIN))
    with unit_of_work() as session:
        set_status(session=session, request=session.get(SupportRequest, done.id), status="contacted", note="", by="pat")
    deliver_pending()
    wired.smtp.messages.clear()

    freeze(monkeypatch, "2026-11-25T11:59:00+00:00")  # due at 12pm: not yet
    escalate_overdue()
    with Session(get_engine()) as session:
        assert session.get(SupportRequest, late.id).escalated_at is None
    freeze(monkeypatch, "2026-11-25T12:30:00+00:00")
    assert escalate_overdue() >= 1
    assert escalate_overdue() == 0  # once only
    deliver_pending()
    mails = [m for m in wired.smtp.to("leaving.care@lincs.example") if late.reference in m["Subject"]]
    assert len(mails) == 1 and str(mails[0]["Subject"]).strip().startswith(f"Overdue: {late.reference} for Ash")
    assert "12pm today" in mails[0].get_payload() and "Pat Adviser" in mails[0].get_payload()
    assert not [m for m in wired.smtp.messages if done.reference in m["Subject"]]  # contacted: left alone
    assert any(n.startswith("overdue:") for n in notes(late))
    with Session(get_engine()) as session:
        assert session.get(SupportRequest, done.id).escalated_at is None
    news = sms(client, ASH, "any news?")
    assert "Sorry, Pat should have been in touch by 12pm today" in news and late.reference in news
    assert "leaving care team" in news and "01522 575955" in news


def test_a_late_stage_1_answer_is_owned_up_to_with_what_to_do_next(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    web(client, "web-late-complaint", "I want to complain", "yes", "no heating", "fix it", "me@example.com")
    complaint = latest("complaint", "web-late-complaint")
    freeze(monkeypatch, "2026-12-10T10:00:00+00:00")  # due by 5pm on 9 December
    news = web(client, "web-late-complaint", "I complained and nothing happened")
    assert f"Your complaint {complaint.reference} was due an answer by" in news
    assert "Wednesday 9 December" in news and "Wednesday 23 December" in news and "Stage 2" in news, news


def test_only_the_work_contact_the_council_publishes_is_given(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    answer = sms(client, DEE, "I need to talk to my PA", "skip", "skip")
    assert "Max will contact you by" in answer and "You can also reach Max at work on 01632 960123" in answer
    assert "Public" not in answer and "900313" not in answer and "@" not in answer  # surname, mobile, email
    answer = sms(client, ROBIN, "I need to talk to my PA", "skip", "skip")
    assert "Pat will contact you" in answer and "reach Pat" not in answer  # nothing published for Pat


def test_out_of_hours_gives_the_emergency_duty_team_and_waits_for_monday(client, wired, monkeypatch):
    freeze(monkeypatch, SATURDAY)
    answer = sms(client, NOEL, "can i speak to my worker", "skip", "skip")
    assert "Pat will contact you by 5pm on Monday 30 November" in answer
    assert "Office closed" in answer and "call 999" in answer.lower() and "116 123" in answer
    assert "01522 782333" in answer  # the Emergency Duty Team (FACTS.md section 7)
    request = latest("handoff", conversation_id_for(NOEL))
    assert request.details == {} and clock.office_hours().local(request.due_at).isoformat().startswith("2026-11-30T17")


def test_on_a_bank_holiday_it_waits_for_the_next_working_morning(client, wired, monkeypatch):
    freeze(monkeypatch, CHRISTMAS_DAY)
    answer = sms(client, ASH, "i need my pa", "skip", "urgent")
    assert "Office closed" in answer
    # Christmas Day is a Friday; Monday 28 December is the Boxing Day bank holiday.
    assert "Pat will contact you by 11am on Tuesday 29 December" in answer


def test_an_advisor_marked_away_sends_it_to_the_team_inbox(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    answer = sms(client, JAMIE, "I need to talk to my PA", "my college bursary", "this week")
    request = latest("handoff", conversation_id_for(JAMIE))
    assert request.worker_id is None and request.team == "leaving_care"
    assert answer.startswith("Lee is away, so I've asked the leaving care team")
    deliver_pending()
    [mail] = wired.smtp.to("leaving.care@lincs.example")
    assert "Jamie (TEST-REQ-0002) asked to talk to their worker, Lee, who is marked away" in mail.get_payload()
    assert not wired.smtp.to("lee.away@lincs.example")
    assert not [m for m in wired.twilio.accepted if m["To"] == "+447700900312"]


def test_an_unknown_sender_is_asked_how_to_reach_them_and_can_decline(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    stranger = "+447700900391"
    answer = sms(client, stranger, "can someone call me back", "about my flat", "today")
    assert "phone number or an email" in answer
    assert "couldn't find a phone number" in sms(client, stranger, "tomorrow maybe")
    answer = sms(client, stranger, "skip")
    assert "nothing was sent" in answer and "01522 575955" in answer
    assert latest("handoff", conversation_id_for(stranger)) is None


def test_an_unknown_sender_gets_a_callback_from_the_leaving_care_team(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    stranger = "+447700900392"
    answer = sms(client, stranger, "i want to talk to a real person", "skip", "skip", "my number is 07700 900392")
    request = latest("handoff", conversation_id_for(stranger))
    assert request.contact == "+447700900392" and request.worker_id is None
    assert "asked the leaving care team" in answer and request.reference in answer
    deliver_pending()
    [mail] = wired.smtp.to("leaving.care@lincs.example")
    assert "How to reach them: +447700900392" in mail.get_payload()


def test_a_web_user_gets_a_callback_request_with_the_email_they_chose(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    answer = web(client, "web-callback-1", "/talk_to_worker", "housing", "skip", "me@example.com")
    request = latest("handoff", "web-callback-1")
    assert request.contact == "me@example.com" and request.channel == "web"
    assert "leaving care team" in answer and "10am tomorrow" in answer  # one working day


def test_the_web_chat_cannot_claim_to_be_a_known_young_person(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    body = {"sender": "web-impostor", "message": "/talk_to_worker", "metadata": {"young_person": "TEST-REQ-0001"}}
    client.post("/webhooks/rest/webhook", json=body)
    answer = web(client, "web-impostor", "skip", "skip")
    assert "phone number or an email" in answer  # asked like any web user: Robin's advisor is not named


def test_asking_for_news_says_where_the_request_has_got_to(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sms(client, BEA, "I need to talk to my social worker", "skip", "skip")
    request = latest("handoff", conversation_id_for(BEA))
    assert f"Your request {request.reference} is with Pat" in sms(client, BEA, "any news from my pa?")
    with unit_of_work() as session:
        row = session.get(SupportRequest, request.id)
        set_status(session=session, request=row, status="contacted", note="rang her", by="pat.adviser@lincs.example")
    assert "someone has been in touch" in sms(client, BEA, "has my pa got my message").lower()


@pytest.mark.parametrize(
    "asking",
    [
        "ok so what happens now",
        "whats next",
        "when will they ring me",
        "any news",
        "how long will it take",
    ],
)
def test_right_after_a_request_what_happens_now_is_about_that_request(client, wired, monkeypatch, asking):
    freeze(monkeypatch, WEDNESDAY_10AM)
    sender = f"web-next-{abs(hash(asking)) % 10_000}"
    web(client, sender, "/talk_to_worker", "housing", "skip", "next@example.com")
    request = latest("handoff", sender)
    assert request.reference in web(client, sender, asking)


def test_the_words_the_bot_suggests_any_news_work_on_their_own(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    assert "can't find a request from you" in web(client, "web-news", "any news?")
    web(client, "web-news", "I want to complain", "yes", "they lost my passport", "give it back", "me@example.com")
    complaint = latest("complaint", "web-news")
    for asking in ("any news?", "any updates", "still waiting"):
        assert complaint.reference in web(client, "web-news", asking), asking


def test_cancel_stops_the_form_and_nothing_is_sent(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    answer = web(client, "web-cancel", "I want to complain", "yes", "cancel")
    assert "Nothing was sent" in answer
    assert latest("complaint", "web-cancel") is None


# -- advocacy ----------------------------------------------------------------------------------


def test_an_advocacy_referral_is_made_with_consent_and_tracked(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    offer = sms(client, CAL, "I want someone to speak for me")
    assert "advocate" in offer.lower() and "VoiceAbility" in offer
    assert latest("advocacy", conversation_id_for(CAL)) is None, "nothing is sent before they say yes"
    sms(client, CAL, "yes", "my pathway plan review")
    sms(client, CAL, "3rd December")
    answer = sms(client, CAL, "this number")
    request = latest("advocacy", conversation_id_for(CAL))
    assert request.status == "sent" and request.contact == CAL
    assert request.details == {"about": "my pathway plan review", "meeting": "3rd December"}
    assert request.reference in answer and "VoiceAbility" in answer
    deliver_pending()
    [mail] = wired.smtp.to("referrals@advocacy.example")
    assert "my pathway plan review" in mail.get_payload() and "3rd December" in mail.get_payload()
    assert f"Your request {request.reference} is with VoiceAbility" in sms(
        client, CAL, "what's happening with my advocate"
    )


def test_saying_no_to_the_referral_sends_nothing(client, wired, monkeypatch):
    web(client, "web-adv-no", "can i get an advocate", "no thanks")
    assert latest("advocacy", "web-adv-no") is None


# -- complaints --------------------------------------------------------------------------------


def test_a_complaint_is_sent_and_acknowledged_with_the_stage_1_timescale(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    offer = web(client, "web-complaint-1", "I want to complain")
    assert "A worry or a complaint?" in offer and "formal complaint" in offer
    web(client, "web-complaint-1", "yes", "my PA keeps missing our meetings", "a different PA")
    answer = web(client, "web-complaint-1", "sam@example.com")
    request = latest("complaint", "web-complaint-1")
    assert request.status == "stage1" and request.contact == "sam@example.com"
    assert "10 working days" in answer and "Wednesday 9 December" in answer and request.reference in answer
    deliver_pending()
    [mail] = wired.smtp.to("complaints@lincs.example")
    assert "my PA keeps missing our meetings" in mail.get_payload() and "a different PA" in mail.get_payload()
    assert "Stage 1" in mail["Subject"]
    news = web(client, "web-complaint-1", "I complained and nothing happened")
    assert f"Your complaint {request.reference} is with the complaints team" in news


def test_nothing_happened_without_a_record_explains_the_next_stage(client, wired):
    answer = web(client, "web-complaint-untracked", "I complained and nothing happened")
    assert "Stage 2" in answer and "advocate" in answer.lower()


def test_a_crisis_in_the_middle_of_a_complaint_gets_the_crisis_reply(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    web(client, "web-complaint-crisis", "I want to complain", "yes")
    answer = web(client, "web-complaint-crisis", "i want to kill myself")
    assert "999" in answer and "116 123" in answer and "85258" in answer and "0800 1111" in answer
    with Session(get_engine()) as session:
        conversation = session.get(Conversation, "web-complaint-crisis")
        assert conversation.active_loop is None
        alert = session.exec(
            select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == "web-complaint-crisis")
        ).first()
        assert alert is not None
    assert latest("complaint", "web-complaint-crisis") is None


def test_a_failed_email_is_retried_and_recorded(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    web(client, "web-complaint-retry", "I want to complain", "yes", "x", "y", "retry@example.com")
    request = latest("complaint", "web-complaint-retry")
    assert deliver_pending() == 0
    with Session(get_engine()) as session:
        waiting = session.exec(select(Notification).where(Notification.request_id == request.id)).one()
        assert waiting.status == "pending" and waiting.attempts == 1 and "Error" in (waiting.error or "")
    monkeypatch.setattr(get_settings(), "smtp_port", wired.smtp.port)
    assert deliver_pending() == 1
    assert wired.smtp.to("complaints@lincs.example")


def test_a_send_cut_off_midway_is_resent_by_email_but_never_twice_by_text(wired):
    from datetime import timedelta

    from api.models import utcnow

    long_ago = utcnow() - timedelta(hours=1)
    with unit_of_work() as session:
        mail = Notification(
            channel="email", to="stale@lincs.example", subject="s", body="b", status="sending", updated_at=long_ago
        )
        text = Notification(channel="sms", to=PAT_MOBILE, body="b", status="sending", updated_at=long_ago)
        session.add(mail)
        session.add(text)
    deliver_pending()
    with Session(get_engine()) as session:
        assert session.get(Notification, mail.id).status == "sent"
        assert session.get(Notification, text.id).status == "unknown"
    assert wired.smtp.to("stale@lincs.example") and not wired.twilio.accepted


def test_the_duty_team_is_emailed_at_once_about_a_crisis_but_not_told_the_words(client, wired, monkeypatch):
    freeze(monkeypatch, WEDNESDAY_10AM)
    answer = sms(client, ROBIN, "I need to talk to my PA", "i want to end it all tonight")
    assert "999" in answer and "116 123" in answer
    deliver_pending()
    [mail] = wired.smtp.to("duty@lincs.example")
    body = mail.get_payload()
    assert mail["Subject"].startswith("URGENT safeguarding alert ") and "text message" in mail["Subject"]
    assert "Robin (council reference TEST-REQ-0001)" in body and "/staff/alerts/" in body
    assert "end it all" not in body and "end it all" not in mail["Subject"]


def test_a_crisis_from_the_web_chat_reaches_the_duty_team_too(client, wired):
    web(client, "web-crisis-duty", "i'm going to kill myself")
    deliver_pending()
    [mail] = wired.smtp.to("duty@lincs.example")
    assert "not in the directory" in mail.get_payload() and "kill" not in mail.get_payload()
