"""Staff pages: sign in with CSRF and lockout, the advisor inbox, acting on a request, role isolation."""

import re

import pytest
from fastapi.testclient import TestClient

from api.db import unit_of_work
from api.services.directory import import_directory, link_staff
from api.services.staff import add_staff
from tests.routes.test_twilio import messages, text_in

PASSWORD = "correct horse battery"
WORKERS = """email,name,role,mobile,team,away,public_contact
kim.page@lincs.example,Kim Page,personal_advisor,07700 900511,leaving_care,no,
lou.page@lincs.example,Lou Page,personal_advisor,07700 900512,leaving_care,no,
"""
YOUNG_PEOPLE = """reference,first_name,mobile,status,worker_email
TEST-PAGE-0001,Mo,07700 900521,care_leaver,kim.page@lincs.example
"""


@pytest.fixture(scope="module")
def handoff_id(app):
    with unit_of_work() as session:
        assert import_directory(session=session, young_people_csv=YOUNG_PEOPLE, workers_csv=WORKERS).ok
        for email in ("kim.page@lincs.example", "lou.page@lincs.example", "locked.page@lincs.example"):
            add_staff(session=session, email=email, role="advisor", password=PASSWORD)
        add_staff(session=session, email="participation.page@lincs.example", role="participation", password=PASSWORD)
        session.flush()
        link_staff(session=session)
    with TestClient(app) as client:
        for body in ("I need to talk to my PA", "my tenancy", "skip"):
            messages(text_in(client, body, sender="+447700900521"))
        page = signed_in(client, "kim.page@lincs.example").get("/staff/inbox")
        return int(re.search(r'href="/staff/requests/(\d+)"', page.text).group(1))


def login_token(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def signed_in(client: TestClient, email: str) -> TestClient:
    form = client.get("/staff/login")
    assert form.status_code == 200
    response = client.post(
        "/staff/login",
        data={"username": email, "password": PASSWORD, "csrf": login_token(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff", response.text
    return client


def test_pages_need_a_session(client):
    response = client.get("/staff/inbox", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"


def test_sign_in_without_the_form_token_is_refused(client, handoff_id):
    client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"username": "kim.page@lincs.example", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403 and "expired" in response.text
    assert "cp_staff" not in client.cookies


def test_wrong_passwords_lock_the_account(client, handoff_id):
    token = login_token(client.get("/staff/login").text)
    for _ in range(5):
        wrong = {"username": "locked.page@lincs.example", "password": "not the password", "csrf": token}
        assert client.post("/staff/login", data=wrong).status_code == 401
    right = {"username": "locked.page@lincs.example", "password": PASSWORD, "csrf": token}
    locked = client.post("/staff/login", data=right)
    unknown = client.post("/staff/login", data={**right, "username": "nobody.page@lincs.example"})
    # Locked and unknown look the same: nobody learns which emails have accounts (issue 16).
    assert (
        locked.status_code == unknown.status_code == 401
        and "15 minutes" in locked.text
        and "Wrong email or password" in locked.text
    )
    assert "cp_staff" not in locked.cookies


def test_the_inbox_shows_the_advisors_own_requests_with_waiting_time(client, handoff_id):
    page = signed_in(client, "kim.page@lincs.example").get("/staff/inbox")
    assert page.status_code == 200 and "Mo (TEST-PAGE-0001)" in page.text and "Waiting" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    detail = client.get(f"/staff/requests/{handoff_id}")
    assert detail.status_code == 200
    assert "my tenancy" in detail.text and "I need to talk to my PA" in detail.text  # the conversation so far
    assert "Reply by text" in detail.text and "+44 7*** ***521" in detail.text


def test_another_advisor_cannot_see_or_act_on_it(client, handoff_id):
    signed_in(client, "lou.page@lincs.example")
    assert "Mo (TEST-PAGE-0001)" not in client.get("/staff/inbox").text
    assert client.get(f"/staff/requests/{handoff_id}").status_code == 404
    csrf = login_token(client.get("/staff/inbox").text)
    changed = client.post(f"/staff/requests/{handoff_id}/status", data={"status": "closed", "csrf": csrf})
    assert changed.status_code == 404


def test_the_participation_team_has_no_inbox(client, handoff_id):
    signed_in(client, "participation.page@lincs.example")
    assert client.get("/staff/inbox").status_code == 403


def test_a_status_change_needs_the_csrf_token(client, handoff_id):
    signed_in(client, "kim.page@lincs.example")
    refused = client.post(f"/staff/requests/{handoff_id}/status", data={"status": "contacted", "csrf": "forged"})
    assert refused.status_code == 403
    assert "Contacted</label>" in client.get(f"/staff/requests/{handoff_id}").text
    page = client.get(f"/staff/requests/{handoff_id}").text
    assert re.search(r'value="open" checked', page), "refused change left it open"
    done = client.post(
        f"/staff/requests/{handoff_id}/status",
        data={"status": "contacted", "note": "left a voicemail", "csrf": login_token(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert re.search(r'value="contacted" checked', after) and "left a voicemail" in after and "Saved." in after


def test_sign_out_ends_the_session_on_the_server(client, handoff_id):
    signed_in(client, "kim.page@lincs.example")
    token = client.cookies.get("cp_staff")
    csrf = login_token(client.get("/staff/inbox").text)
    assert client.post("/staff/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("cp_staff", token)
    assert client.get("/staff/inbox", follow_redirects=False).status_code == 303
