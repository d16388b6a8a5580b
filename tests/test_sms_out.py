"""Outbound SMS through twilio's REST client, against a fake Twilio on 127.0.0.1."""

import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from api.config import get_settings
from api.db import unit_of_work
from api.models import OutboundSms
from api.privacy import number_key
from api.texting.optout import is_opted_out, set_opt_out
from api.texting.sender import LocalTwilioHttpClient, SmsSender
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


def sender_for(url: str, timeout: float = 5) -> SmsSender:
    settings = get_settings()
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        http_client=LocalTwilioHttpClient(url, timeout=timeout),
    )
    return SmsSender(settings, client=client)


def test_send_is_recorded_with_its_sid(app, fake):
    record = sender_for(fake.url).send(to="07700 900201", body="Your PA will call you today \u2013 Jo", purpose="test")
    assert record.status == "queued" and record.twilio_sid.startswith("SM")
    assert record.to_masked == "+44 7*** ***201"
    assert fake.accepted[0]["To"] == "+447700900201"
    assert fake.accepted[0]["Body"] == "Your PA will call you today - Jo"


def test_429_is_retried_and_sent_once(app, fake):
    fake.script.extend([("status", 429)])
    record = sender_for(fake.url).send(to="+447700900202", body="hello")
    assert fake.requests == 2 and len(fake.accepted) == 1
    assert record.attempts == 2 and record.status == "queued"


def test_a_timeout_after_sending_is_not_retried(app, fake):
    fake.script.extend([("slow", 1.5)])
    record = sender_for(fake.url, timeout=0.5).send(to="+447700900203", body="hello")
    assert record.status == "unknown" and record.attempts == 1
    assert fake.requests == 1


def test_connection_refused_is_retried_then_failed(app):
    with FakeTwilio() as server:
        url = server.url
    record = sender_for(url).send(to="+447700900204", body="hello")
    assert record.attempts == 3 and record.status == "failed"


def test_21610_records_an_opt_out_and_nothing_more_is_sent(app, fake):
    fake.script.extend([("error", 400, 21610)])
    sender = sender_for(fake.url)
    record = sender.send(to="+447700900205", body="hello")
    assert record.status == "failed" and record.error_code == 21610
    with unit_of_work() as session:
        assert is_opted_out(session, "+447700900205")
    blocked = sender.send(to="+447700900205", body="hello again")
    assert blocked.status == "blocked" and fake.requests == 1


def test_opted_out_number_is_never_sent_to(app, fake):
    with unit_of_work() as session:
        set_opt_out(session, number_hash=number_key("+447700900206"), opted_out=True)
    record = sender_for(fake.url).send(to="+447700900206", body="hello")
    assert record.status == "blocked" and fake.requests == 0


def test_status_callback_updates_the_record(client, fake, session):
    record = sender_for(fake.url).send(to="+447700900207", body="hello")
    url = "http://testserver/webhooks/twilio/status"
    params = {"MessageSid": record.twilio_sid, "MessageStatus": "delivered"}
    token = get_settings().twilio_auth_token.get_secret_value()
    signature = RequestValidator(token).compute_signature(url, params)
    assert (
        client.post("/webhooks/twilio/status", data=params, headers={"X-Twilio-Signature": signature}).status_code
        == 204
    )
    stored = session.exec(select(OutboundSms).where(OutboundSms.twilio_sid == record.twilio_sid)).one()
    assert stored.status == "delivered"
    assert client.post("/webhooks/twilio/status", data=params, headers={"X-Twilio-Signature": "bad"}).status_code == 403


def test_without_a_sender_number_nothing_goes_to_the_network(app, fake, monkeypatch):
    monkeypatch.setattr(get_settings(), "twilio_from_number", None)
    monkeypatch.setattr(get_settings(), "twilio_messaging_service_sid", None)
    record = sender_for(fake.url).send(to="07700 900201", body="hello", purpose="test")
    assert record.status == "failed" and fake.requests == 0
