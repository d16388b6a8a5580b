"""What a penetration test looks for first (issue 16): spreadsheet formulas, weak production secrets,
docs, sign-in throttling and sign-out, caching, body sizes, and rate limits that never hold back a
message at risk."""

import uuid

import pytest
from pydantic import ValidationError
from sqlmodel import delete, select

from api.config import DEV_SECRET, DEV_TWILIO_TOKEN, Settings, get_settings
from api.db import unit_of_work
from api.main import create_app
from api.models import RateCounter, Turn
from api.privacy import conversation_id_for
from api.routes.feedback import spreadsheet_safe
from api.services import ratelimit
from api.services.staff import add_staff
from tests.routes.test_twilio import messages, text_in

PASSWORD = "correct horse battery"
STRONG = "Zq8v-Lr2x_Pw9t!Km4s#Hd7n@Bc3f$Gy6j"
CRISIS = "i want to kill myself tonight"


@pytest.fixture(scope="module")
def staff(app):
    with unit_of_work() as session:
        for role in ("participation", "admin", "advisor"):
            add_staff(session=session, email=f"{role}.hard@lincs.example", role=role, password=PASSWORD)


def bearer(client, who: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": f"{who}.hard@lincs.example", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def limits(monkeypatch):
    """Rate limits on for the test client (the suite is exempt, as this machine is), counted from zero in
    a window that does not turn over mid-test."""
    settings = get_settings()
    monkeypatch.setattr(settings, "rate_limit_exempt", "")
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)
    with unit_of_work() as session:
        session.exec(delete(RateCounter))
    return settings


# -- spreadsheets ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+2", "+447700", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("fine = good") == "fine = good" and spreadsheet_safe(7) == 7


def test_feedback_exports_never_carry_a_formula(client, staff):
    client.post("/api/feedback", json={"text": '=HYPERLINK("http://x.example","click") my hostel is cold'})
    exported = client.get("/api/feedback/export.csv", headers=bearer(client, "participation"))
    assert exported.status_code == 200
    assert "\n=" not in exported.text and ",=" not in exported.text and "'=HYPERLINK" in exported.text


# -- production settings and docs -------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", "x", DEV_SECRET, "changeme", "a" * 40, "short-but-random-Q7!"],
    ids=["unset", "x", "dev", "cm", "rep", "short"],
)
def test_production_refuses_a_weak_secret_key(key):
    with pytest.raises(ValidationError, match="CARING_SECRET_KEY"):
        Settings(environment="production", secret_key=key or None, database_url="sqlite:///x.db", _env_file=None)


def test_production_refuses_development_twilio_credentials():
    with pytest.raises(ValidationError, match="TWILIO_AUTH_TOKEN"):
        Settings(
            environment="production",
            secret_key=STRONG,
            twilio_auth_token=DEV_TWILIO_TOKEN,
            database_url="sqlite:///x.db",
            _env_file=None,
        )
    ok = Settings(environment="production", secret_key=STRONG, database_url="sqlite:///x.db", _env_file=None)
    assert ok.api_docs is False


def test_docs_are_off_in_production_unless_asked_for(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "api_docs", False)
    app = create_app()
    assert app.docs_url is None and app.redoc_url is None and app.openapi_url is None
    monkeypatch.setattr(settings, "api_docs", True)
    assert create_app().openapi_url == "/openapi.json"


def test_a_rest_sender_cannot_reach_a_text_conversation(client):
    sms = conversation_id_for("+447700900321")
    response = client.post("/webhooks/rest/webhook", json={"sender": sms, "message": "hello"})
    assert response.status_code == 422 and "sender" in response.text


# -- signing in and out ----------------------------------------------------------------------


def test_sign_in_is_throttled_per_address(client, staff, limits, monkeypatch):
    monkeypatch.setattr(limits, "limit_signin_per_address", 3)
    tries = [
        client.post("/api/auth/token", data={"username": f"spray{i}@lincs.example", "password": "Winter2026!"})
        for i in range(4)
    ]
    assert [t.status_code for t in tries] == [401, 401, 401, 429]
    # The same address gets the sign-in page's answer too.
    page = client.get("/staff/login")
    assert page.status_code == 200


def test_sign_out_revokes_the_token_in_use(client, staff):
    headers = bearer(client, "participation")
    assert client.get("/api/feedback", headers=headers).status_code == 200
    assert client.delete("/api/auth/token", headers=headers).status_code == 204
    assert client.get("/api/feedback", headers=headers).status_code == 401


def test_an_admin_ends_someone_elses_sessions(client, staff):
    theirs = bearer(client, "participation")
    with unit_of_work() as session:
        from api.models import Staff

        person = session.exec(select(Staff).where(Staff.email == "participation.hard@lincs.example")).one()
        person_id = person.id
    assert client.delete(f"/api/auth/sessions/{person_id}", headers=bearer(client, "advisor")).status_code == 403
    assert client.delete(f"/api/auth/sessions/{person_id}", headers=bearer(client, "admin")).status_code == 204
    assert client.get("/api/feedback", headers=theirs).status_code == 401
    assert client.delete("/api/auth/sessions/999999", headers=bearer(client, "admin")).status_code == 404


# -- caching and sizes -------------------------------------------------------------------------


def test_staff_responses_are_never_cached(client, staff):
    headers = bearer(client, "participation")
    for path in ("/api/feedback", "/api/feedback/export.csv", "/api/themes/summary", "/staff/login"):
        assert client.get(path, headers=headers).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/chat.css").headers.get("cache-control", "")


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "max_body_bytes", 1_000)
    big = {"sender": "web-big-body-0000000001", "message": "x" * 5_000}
    declared = client.post("/webhooks/rest/webhook", json=big)
    assert declared.status_code == 413 and "larger than 1,000 bytes" in declared.json()["detail"]
    streamed = client.post(
        "/webhooks/rest/webhook",
        content=(chunk for chunk in [b'{"sender": "web-big", "message": "', b"y" * 3_000, b'"}']),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert client.post("/webhooks/rest/webhook", json={"sender": "web-small", "message": "hi"}).status_code == 200


def test_a_text_is_never_longer_than_twilio_sends(client, session):
    sender = "+447700900654"
    messages(text_in(client, "hello " + "a" * 5_000, sender=sender))
    turn = session.exec(
        select(Turn).where(Turn.conversation_id == conversation_id_for(sender), Turn.role == "user")
    ).first()
    assert turn is not None and len(turn.text) <= 1_600


# -- rate limits -------------------------------------------------------------------------------


def test_one_chat_flooding_is_slowed_but_a_message_at_risk_always_gets_through(client, limits, monkeypatch):
    monkeypatch.setattr(limits, "limit_chat_per_sender", 3)
    sender = f"web-flood-{uuid.uuid4().hex[:12]}"
    codes = [
        client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    at_risk = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": CRISIS})
    assert at_risk.status_code == 200 and "116 123" in at_risk.text
    # Another young person on the same address is not blocked by the first one.
    other = client.post(
        "/webhooks/rest/webhook", json={"sender": f"web-other-{uuid.uuid4().hex[:12]}", "message": "hi"}
    )
    assert other.status_code == 200


def test_many_young_people_behind_one_address_have_a_far_higher_limit(client, limits, monkeypatch):
    monkeypatch.setattr(limits, "limit_chat_per_address", 5)
    codes = [
        client.post("/webhooks/rest/webhook", json={"sender": f"web-college-{i:04d}-xyz", "message": "hi"}).status_code
        for i in range(6)
    ]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    # A forwarded-for header from an untrusted caller changes nothing.
    spoofed = client.post(
        "/webhooks/rest/webhook",
        json={"sender": "web-college-spoof-xyz", "message": "hi"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert spoofed.status_code == 429


def test_parse_is_limited_per_address(client, limits, monkeypatch):
    monkeypatch.setattr(limits, "limit_parse_per_address", 2)
    codes = [client.post("/model/parse", json={"text": "hello"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_flood_of_texts_gets_one_polite_reply_then_quiet_but_never_misses_a_crisis(client, limits, monkeypatch):
    monkeypatch.setattr(limits, "limit_sms_per_number", 2)
    sender = "+447700900777"
    replies = [messages(text_in(client, "hiya", sender=sender)) for _ in range(4)]
    assert replies[0] and replies[1]
    assert len(replies[2]) == 1 and "a lot of texts" in replies[2][0] and "999" in replies[2][0]
    assert replies[3] == []
    crisis = messages(text_in(client, CRISIS, sender=sender))
    assert any("116 123" in text for text in crisis)


def test_the_openapi_document_describes_the_errors_really_returned(client):
    schema = client.get("/openapi.json").json()
    error = schema["components"]["schemas"]["HTTPValidationError"]
    assert error["required"] == ["detail"] and error["properties"]["detail"]["type"] == "string"
    webhook = schema["paths"]["/webhooks/rest/webhook"]["post"]["responses"]
    assert {"400", "413", "422", "429", "500"} <= set(webhook)
    bad = client.post("/webhooks/rest/webhook", json={"sender": ""})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str) and bad.json()["errors"]
