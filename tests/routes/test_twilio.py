"""The SMS webhook on the real twilio library: signatures, retries, opt-outs, MORE, options."""

import itertools
import uuid
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from api.channels.sms import conversation_id_for
from api.config import get_settings
from api.content import get_pack
from api.models import InboundSms, Turn, YoungPerson
from api.texting.gsm import is_gsm7
from api.texting.text import FULLER_HINT

PATH = "/webhooks/twilio/webhook"
LOCAL_URL = "http://testserver" + PATH


def token() -> str:
    return get_settings().twilio_auth_token.get_secret_value()


_FRESH = itertools.count(1)


def new_mobile() -> str:
    """A number no other test texts from, so no conversation is left open in front of it.

    Numbers drawn at random (or from a hash) collided now and then with another test's, which found
    that test's half-finished form (a flaky failure in CI). The +4477002 block is kept for these."""
    return f"+4477002{next(_FRESH):05d}"


def text_in(client, body, sender="+447700900001", sid=None, url=LOCAL_URL, signature=None, headers=None):
    params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "From": sender, "To": "+447000000000", "Body": body}
    if signature is None:
        signature = RequestValidator(token()).compute_signature(url, params)
    all_headers = {"X-Twilio-Signature": signature, **(headers or {})} if signature != "" else dict(headers or {})
    return client.post(PATH, data=params, headers=all_headers)


def messages(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


# -- signatures ----------------------------------------------------------------------------


def test_valid_signature_is_answered_with_twiml(client):
    replies = messages(text_in(client, "do i have to pay council tax"))
    # The text answer, and (the web version saying more) MORE for the rest of it.
    assert replies == [f"{get_pack().render('council_tax', 'sms').text}\n{FULLER_HINT}"]


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_wrong_signature_is_403_and_nothing_is_stored(client, session, signature):
    sid = "SM" + uuid.uuid4().hex
    response = text_in(client, "hello", sid=sid, signature=signature)
    assert response.status_code == 403
    assert session.get(InboundSms, sid) is None


def test_signature_for_another_url_is_refused(client):
    response = text_in(client, "hello", url="https://elsewhere.example/webhooks/twilio/webhook")
    assert response.status_code == 403


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(client, monkeypatch):
    public = "https://caring.example.gov.uk"
    monkeypatch.setattr(get_settings(), "public_url", public)
    assert messages(text_in(client, "hiya", url=public + PATH))
    assert text_in(client, "hiya", url=LOCAL_URL).status_code == 403


# -- retries ---------------------------------------------------------------------------------


def test_the_same_message_sid_twice_is_processed_once(client, session):
    sid = "SM" + uuid.uuid4().hex
    sender = "+447700900002"
    first = text_in(client, "what is a pathway plan", sender=sender, sid=sid)
    second = text_in(client, "what is a pathway plan", sender=sender, sid=sid)
    assert first.text == second.text
    turns = session.exec(
        select(Turn).where(Turn.conversation_id == conversation_id_for(sender), Turn.role == "user")
    ).all()
    assert len(turns) == 1


# -- keywords ----------------------------------------------------------------------------------


def test_stop_then_a_message_then_start(client):
    sender = "+447700900003"
    assert messages(text_in(client, "STOP", sender=sender)) == []
    assert messages(text_in(client, "how do i get a job", sender=sender)) == []
    # A crisis still gets help, opted out or not.
    assert "116 123" in " ".join(messages(text_in(client, "i want to kill myself", sender=sender)))
    assert messages(text_in(client, "start", sender=sender)) == [get_pack().render("sms_start", "sms").text]
    assert messages(text_in(client, "how do i get a job", sender=sender))[0].startswith(
        get_pack().render("jobs", "sms").text
    )


def test_yes_is_only_an_opt_in_after_stop(client):
    sender = "+447700900004"
    replies = messages(text_in(client, "yes", sender=sender))
    assert replies and replies != [get_pack().render("sms_start", "sms").text]


def test_help_gives_who_we_are_and_crisis_numbers(client):
    joined = " ".join(messages(text_in(client, "HELP", sender="+447700900005")))
    assert "116 123" in joined and "999" in joined


# -- shape of replies ------------------------------------------------------------------------------


def test_numbered_options_and_choosing_one(client):
    sender = "+447700900006"
    replies = messages(text_in(client, "/help", sender=sender))
    joined = " ".join(replies)
    assert "Reply 1 for" in joined
    buttons = get_pack().render("help", "sms").buttons
    chosen = messages(text_in(client, "2", sender=sender))
    key = buttons[1].payload.lstrip("/")
    assert chosen[0] == get_pack().render(key, "sms").text


def test_every_reply_is_at_most_three_gsm7_texts(client):
    from api.contract import CONTRACT_INTENTS

    for intent in CONTRACT_INTENTS:
        replies = messages(text_in(client, f"/{intent}", sender=f"+4477009001{len(intent):02d}"))
        assert 1 <= len(replies) <= 3, intent
        for reply in replies:
            assert is_gsm7(reply), (intent, reply)
            assert len(reply) <= 160, (intent, reply)


def test_more_sends_the_rest_once(client, engine):
    from api.channels.sms import SmsChannel
    from api.db import unit_of_work

    sender = "+447700900007"
    long_text = " ".join(f"Sentence number {i} is here." for i in range(20))  # about 3.5 texts
    with unit_of_work() as session:
        first = SmsChannel(engine)._fit(session, conversation_id_for(sender), long_text, [])
    assert len(first) == 3 and first[-1].endswith("Reply MORE for the rest")
    rest = messages(text_in(client, "MORE", sender=sender))
    assert 1 <= len(rest) <= 3 and not rest[-1].endswith("Reply MORE for the rest")
    sent = " ".join(first + rest).replace(" Reply MORE for the rest", "")
    assert sent == long_text
    assert messages(text_in(client, "more", sender=sender)) == [get_pack().render("more", "sms").text]


def test_crisis_mid_form_over_sms(client):
    sender = "+447700900008"
    messages(text_in(client, "/give_feedback", sender=sender))
    replies = " ".join(messages(text_in(client, "i keep thinking about ending my life", sender=sender)))
    assert all(n in replies for n in ("999", "116 123", "85258"))


def test_known_young_person_is_greeted_by_first_name_unknown_is_not(client, session):
    session.add(YoungPerson(reference="LC0001", first_name="Jade", mobile="+447700900009"))
    session.commit()
    greeting = " ".join(messages(text_in(client, "hiya", sender="+447700900009")))
    assert "Jade" in greeting
    stranger = " ".join(messages(text_in(client, "hiya", sender="+447700900010")))
    assert "Jade" not in stranger


def test_twiml_escapes_ampersands_and_angle_brackets():
    from api.channels.sms import twiml

    xml = twiml(["Money & housing <help>"])
    assert [m.text for m in ET.fromstring(xml).iter("Message")] == ["Money & housing <help>"]


def test_missing_fields_are_a_400(client):
    params = {"Body": "hi"}
    signature = RequestValidator(token()).compute_signature(LOCAL_URL, params)
    response = client.post(PATH, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
