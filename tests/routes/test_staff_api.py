"""Staff sign-in and the participation team's APIs: role checks on every endpoint, no identities."""

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import unit_of_work
from api.staff import add_staff

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
    assert locked.status_code == 429
    unknown = client.post("/api/auth/token", data={"username": "who@lincs.example", "password": PASSWORD})
    assert unknown.status_code == 401


def test_staff_add_command(app):
    runner = CliRunner()
    ok = runner.invoke(cli, ["staff", "add", "new@lincs.example", "--role", "participation", "--password", PASSWORD])
    assert ok.exit_code == 0 and "ready" in ok.output
    bad = runner.invoke(cli, ["staff", "add", "x@lincs.example", "--role", "boss", "--password", PASSWORD])
    assert bad.exit_code == 2 and "role must be one of" in bad.output
    short = runner.invoke(cli, ["staff", "add", "y@lincs.example", "--role", "admin", "--password", "short"])
    assert short.exit_code == 2 and "at least 12" in short.output


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
