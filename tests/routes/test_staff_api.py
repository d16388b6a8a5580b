"""Staff sign-in and the participation team's APIs: role checks on every endpoint, no identities."""

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import get_engine, unit_of_work
from api.models import Feedback
from api.services.directory import import_directory
from api.services.staff import add_staff
from tests.routes.test_twilio import messages, text_in

PASSWORD = "correct horse battery"
READ_ENDPOINTS = ["/api/themes/summary", "/api/feedback", "/api/feedback/export.csv"]


@pytest.fixture(scope="module")
def accounts(app):
    with unit_of_work() as session:
        for role in ("advisor", "participation", "admin"):
            add_staff(session=session, email=f"{role}@lincs.example", role=role, password=PASSWORD)


def token(client, role: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": f"{role}@lincs.example", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_roles_on_every_endpoint(client, accounts, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get(path, headers=token(client, "advisor")).status_code == 403
    assert client.get(path, headers=token(client, "participation")).status_code == 200
    assert client.get(path, headers=token(client, "admin")).status_code == 200


def test_csv_export_has_no_phone_or_email(client, accounts):
    client.post("/api/feedback", json={"text": "my hostel is cold, text me 07700 900999 or me@mail.com"})
    csv_text = client.get("/api/feedback/export.csv", headers=token(client, "participation")).text
    assert csv_text.startswith("id,date,channel,themes,sentiment,reviewed,text")
    assert "07700" not in csv_text and "mail.com" not in csv_text and "[phone]" in csv_text


def test_filters_and_summary(client, accounts):
    headers = token(client, "participation")
    client.post("/api/feedback", json={"text": "i love my new flat, the heating works", "channel": "sms"})
    housing = client.get("/api/feedback", params={"theme": "accommodation", "channel": "sms"}, headers=headers).json()
    assert housing and all("accommodation" in f["themes"] and f["channel"] == "sms" for f in housing)
    assert all("original_text" not in f and "conversation_id" not in f for f in housing)
    assert client.get("/api/feedback", params={"from": "2099-01-01"}, headers=headers).json() == []
    assert client.get("/api/feedback", params={"theme": "money"}, headers=headers).status_code == 422
    summary = client.get("/api/themes/summary", headers=headers).json()
    assert summary["items"] >= 1 and summary["totals"]["accommodation"] >= 1 and summary["weekly"]


def test_wrong_password_and_lockout(client, accounts):
    with unit_of_work() as session:
        add_staff(session=session, email="lock@lincs.example", role="admin", password=PASSWORD)
    for _ in range(5):
        wrong = client.post("/api/auth/token", data={"username": "lock@lincs.example", "password": "nope nope nope"})
        assert wrong.status_code == 401
    locked = client.post("/api/auth/token", data={"username": "lock@lincs.example", "password": PASSWORD})
    unknown = client.post("/api/auth/token", data={"username": "who@lincs.example", "password": PASSWORD})
    # Locked and unknown look the same: nobody learns which emails have accounts (issue 16).
    assert locked.status_code == unknown.status_code == 401 and locked.json() == unknown.json()


def test_staff_add_command(app):
    runner = CliRunner()
    ok = runner.invoke(cli, ["staff", "add", "new@lincs.example", "--role", "participation", "--password", PASSWORD])
    assert ok.exit_code == 0 and "ready" in ok.output
    bad = runner.invoke(cli, ["staff", "add", "x@lincs.example", "--role", "boss", "--password", PASSWORD])
    assert bad.exit_code == 2 and "role must be one of" in bad.output
    short = runner.invoke(cli, ["staff", "add", "y@lincs.example", "--role", "admin", "--password", "short"])
    assert short.exit_code == 2 and "at least 12" in short.output


def test_someone_who_leaves_is_removed_and_a_reset_signs_them_out(client):
    runner = CliRunner()
    email = "leaver@lincs.example"
    assert runner.invoke(cli, ["staff", "add", email, "--role", "participation", "--password", PASSWORD]).exit_code == 0
    login = {"username": email, "password": PASSWORD}
    old = {"Authorization": f"Bearer {client.post('/api/auth/token', data=login).json()['access_token']}"}
    assert client.get("/api/feedback", headers=old).status_code == 200
    # A new password (someone may have seen the old one) ends every session of the account.
    reset = runner.invoke(cli, ["staff", "add", email, "--role", "participation", "--password", PASSWORD + "!"])
    assert reset.exit_code == 0 and client.get("/api/feedback", headers=old).status_code == 401
    login["password"] = PASSWORD + "!"
    new = {"Authorization": f"Bearer {client.post('/api/auth/token', data=login).json()['access_token']}"}
    listed = runner.invoke(cli, ["staff", "list"])
    assert listed.exit_code == 0 and f"{email}  participation" in listed.output
    removed = runner.invoke(cli, ["staff", "remove", email.upper()])
    assert removed.exit_code == 0 and "sessions have ended" in removed.output
    assert client.get("/api/feedback", headers=new).status_code == 401
    assert client.post("/api/auth/token", data=login).status_code == 401
    again = runner.invoke(cli, ["staff", "remove", email])
    assert again.exit_code == 2 and "No staff account" in again.output


def test_a_reviewer_corrects_themes_through_the_api(client, accounts):
    item = client.post("/api/feedback", json={"text": "my college tutor is great"}).json()["id"]
    path = f"/api/feedback/{item}"
    assert client.patch(path, json={"themes": ["learning"]}).status_code == 401
    assert client.patch(path, json={"themes": ["learning"]}, headers=token(client, "advisor")).status_code == 403
    bad = client.patch(path, json={"themes": ["weather"]}, headers=token(client, "participation"))
    assert bad.status_code == 422
    done = client.patch(path, json={"themes": ["learning", "relationships"]}, headers=token(client, "participation"))
    assert done.status_code == 200 and done.json()["reviewed"] is True
    assert done.json()["themes"] == ["relationships", "learning"]  # in the strategy's order
    listed = client.get("/api/feedback", params={"reviewed": "true"}, headers=token(client, "admin")).json()
    assert item in [f["id"] for f in listed] and all(f["reviewed"] for f in listed)
    assert client.patch("/api/feedback/999999", json={"themes": []}, headers=token(client, "admin")).status_code == 404


def _feedback_by_text(fragment: str) -> Feedback:
    with Session(get_engine()) as session:
        query = select(Feedback).where(col(Feedback.text).contains(fragment)).order_by(col(Feedback.id).desc())
        return session.exec(query).first()


def test_only_an_admin_sees_how_to_reach_someone_who_agreed_to_be_contacted(client, accounts):
    with unit_of_work() as session:
        people = "reference,first_name,mobile,status,worker_email\nTEST-FB-0001,Indi,07700 900941,care_leaver,\n"
        assert import_directory(session=session, young_people_csv=people, workers_csv="email,name,role,mobile\n").ok
    for body in ("/give_feedback", "the bus pass for college is brilliant, ring me on 07700 900942", "yes"):
        messages(text_in(client, body, sender="+447700900941"))
    for body in ("/give_feedback", "the bus pass for college is brilliant but late", "no"):
        messages(text_in(client, body, sender="+447700900943"))
    agreed, declined = _feedback_by_text("brilliant, ring me on [phone]"), _feedback_by_text("brilliant but late")
    assert agreed.young_person_reference == "TEST-FB-0001" and agreed.original_text.endswith("07700 900942")
    assert (declined.young_person_reference, declined.original_text, declined.conversation_id) == (None, None, None)

    admin = client.get(f"/api/feedback/{agreed.id}", headers=token(client, "admin")).json()
    assert admin["contact_ok"] is True and admin["text"].endswith("[phone]")
    assert admin["contact"] == {
        "original_text": "the bus pass for college is brilliant, ring me on 07700 900942",
        "young_person": "Indi (TEST-FB-0001)",
        "mobile": "+447700900941",
    }
    team = client.get(f"/api/feedback/{agreed.id}", headers=token(client, "participation")).json()
    assert team["contact_ok"] is True and team["contact"] is None  # never who, for the dashboard's readers
    assert client.get(f"/api/feedback/{declined.id}", headers=token(client, "admin")).json()["contact"] is None
    assert client.get(f"/api/feedback/{agreed.id}", headers=token(client, "advisor")).status_code == 403
    assert client.get(f"/api/feedback/{agreed.id}").status_code == 401
    assert client.get("/api/feedback/999999", headers=token(client, "admin")).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/feedback/{}"),
        ("PATCH", "/api/feedback/{}"),
        ("PATCH", "/api/alerts/{}"),
        ("GET", "/api/handoffs/{}"),
        ("GET", "/api/requests/{}"),
        ("PATCH", "/api/requests/{}"),
        ("POST", "/api/handoffs/{}/reply"),
    ],
)
def test_an_id_too_big_for_the_database_is_a_clear_422(client, accounts, method, path):
    for bad in ("99999999999999999999999", "0", "abc"):
        response = client.request(method, path.format(bad), headers=token(client, "admin"), json={})
        assert response.status_code == 422, (bad, response.text)
        assert "item_id" in response.text or "alert_id" in response.text or "request_id" in response.text
