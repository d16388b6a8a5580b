"""GET /api/handoffs and /api/requests: each member of staff sees exactly what their role allows."""

import pytest
from sqlmodel import Session, select

from api.db import get_engine, unit_of_work
from api.models import Turn
from api.privacy import conversation_id_for
from api.services.directory import import_directory, link_staff
from api.services.staff import add_staff
from tests.fakes.twilio_api import FakeTwilio
from tests.routes.test_twilio import messages, text_in

PASSWORD = "correct horse battery"
WORKERS = """email,name,role,mobile,team,away,public_contact
gail.api@lincs.example,Gail Api,personal_advisor,07700 900411,leaving_care,no,
hugo.api@lincs.example,Hugo Api,personal_advisor,07700 900412,leaving_care,no,
"""
YOUNG_PEOPLE = """reference,first_name,mobile,status,worker_email
TEST-API-0001,Indie,07700 900421,care_leaver,gail.api@lincs.example
TEST-API-0002,Jude,07700 900422,care_leaver,hugo.api@lincs.example
"""
INDIE, JUDE = "+447700900421", "+447700900422"


@pytest.fixture(scope="module")
def people(app):
    with unit_of_work() as session:
        assert import_directory(session=session, young_people_csv=YOUNG_PEOPLE, workers_csv=WORKERS).ok
        for email, role in [
            ("gail.api@lincs.example", "advisor"),
            ("hugo.api@lincs.example", "advisor"),
            ("unlinked.api@lincs.example", "advisor"),
            ("participation.api@lincs.example", "participation"),
            ("admin.api@lincs.example", "admin"),
        ]:
            add_staff(session=session, email=email, role=role, password=PASSWORD)
        session.flush()
        link_staff(session=session)


def bearer(client, email: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def handoffs(app, people):
    """One handoff for Gail (from Indie) and one for Hugo (from Jude), and a web complaint."""
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        for number in (INDIE, JUDE):
            for body in ("I need to talk to my PA", "my money", "today"):
                messages(text_in(client, body, sender=number))
        for body in ("I want to complain", "yes", "the hostel is cold", "heating fixed", "api@example.com"):
            client.post("/webhooks/rest/webhook", json={"sender": "web-api-complaint", "message": body})
        gail = client.get("/api/handoffs", headers=bearer(client, "gail.api@lincs.example")).json()
        hugo = client.get("/api/handoffs", headers=bearer(client, "hugo.api@lincs.example")).json()
    return {"gail": gail[0], "hugo": hugo[0]}


def test_without_a_token_401_and_the_participation_team_403(client, handoffs):
    for path in ("/api/handoffs", f"/api/handoffs/{handoffs['gail']['id']}", "/api/requests"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
        assert client.get(path, headers=bearer(client, "participation.api@lincs.example")).status_code == 403


def test_an_advisor_sees_only_their_own_handoffs(client, handoffs):
    gail = client.get("/api/handoffs", headers=bearer(client, "gail.api@lincs.example")).json()
    assert [h["young_person"] for h in gail] == ["Indie (TEST-API-0001)"]
    assert gail[0]["details"] == {"topic": "my money", "urgency": "today"} and gail[0]["reply_to"] == "+44 7*** ***421"
    assert client.get("/api/handoffs", headers=bearer(client, "unlinked.api@lincs.example")).json() == []
    # complaints never reach an advisor: a complaint may be about them
    kinds = {r["kind"] for r in client.get("/api/requests", headers=bearer(client, "gail.api@lincs.example")).json()}
    assert kinds == {"handoff"}


def test_another_advisors_handoff_is_404_to_read_and_to_act_on(client, handoffs):
    hugo = bearer(client, "hugo.api@lincs.example")
    gail_id = handoffs["gail"]["id"]
    assert client.get(f"/api/handoffs/{gail_id}", headers=hugo).status_code == 404
    assert client.patch(f"/api/handoffs/{gail_id}", json={"status": "closed"}, headers=hugo).status_code == 404
    assert client.post(f"/api/handoffs/{gail_id}/reply", json={"text": "hi"}, headers=hugo).status_code == 404
    assert client.get(f"/api/handoffs/{gail_id}", headers=bearer(client, "gail.api@lincs.example")).status_code == 200


def test_an_admin_sees_every_kind(client, handoffs):
    admin = bearer(client, "admin.api@lincs.example")
    found = client.get("/api/requests", headers=admin).json()
    assert {handoffs["gail"]["id"], handoffs["hugo"]["id"]} <= {r["id"] for r in found}
    assert any(r["kind"] == "complaint" and r["details"]["what_happened"] == "the hostel is cold" for r in found)
    complaints = client.get("/api/requests?kind=complaint", headers=admin).json()
    assert complaints and all(r["kind"] == "complaint" for r in complaints)


def test_status_changes_are_checked_and_kept_in_the_history(client, handoffs):
    hugo = bearer(client, "hugo.api@lincs.example")
    hugo_id = handoffs["hugo"]["id"]
    bad = client.patch(f"/api/handoffs/{hugo_id}", json={"status": "stage2"}, headers=hugo)
    assert bad.status_code == 422 and "open, contacted, closed" in bad.json()["detail"]
    assert client.patch(f"/api/handoffs/{hugo_id}", json={}, headers=hugo).status_code == 422
    done = client.patch(f"/api/handoffs/{hugo_id}", json={"status": "contacted", "note": "rang Jude"}, headers=hugo)
    assert done.status_code == 200 and done.json()["status"] == "contacted"
    history = [t for t in done.json()["thread"] if t["who"] == "history"]
    assert history[-1] == {**history[-1], "text": "rang Jude", "by": "hugo.api@lincs.example", "status": "contacted"}


def test_a_reply_goes_by_text_and_the_answer_comes_back_into_the_thread(client, handoffs, monkeypatch):
    from api.config import get_settings

    gail = bearer(client, "gail.api@lincs.example")
    gail_id = handoffs["gail"]["id"]
    with FakeTwilio() as twilio:
        monkeypatch.setattr(get_settings(), "twilio_api_base", twilio.url)
        monkeypatch.setattr(get_settings(), "twilio_from_number", "+447000000000")
        sent = client.post(f"/api/handoffs/{gail_id}/reply", json={"text": "Hi Indie, can I ring at 3?"}, headers=gail)
        assert sent.status_code == 200 and sent.json() == {"status": "queued", "to": "+44 7*** ***421"}
        assert twilio.accepted[-1]["To"] == INDIE and twilio.accepted[-1]["Body"] == "Hi Indie, can I ring at 3?"
    before = client.get(f"/api/handoffs/{gail_id}", headers=gail).json()
    assert before["new_from_them"] is False  # nothing from them since the advisor's text
    messages(text_in(client, "yes 3 is fine", sender=INDIE))
    after = client.get(f"/api/handoffs/{gail_id}", headers=gail).json()
    assert after["new_from_them"] is True and after["last_from_them"] > before["last_from_them"]
    listed = [r for r in client.get("/api/handoffs", headers=gail).json() if r["id"] == gail_id]
    assert listed[0]["new_from_them"] is True  # the inbox shows it too
    thread = after["thread"]
    said = [(t["who"], t["text"]) for t in thread if t["who"] != "history"]
    assert ("staff", "Hi Indie, can I ring at 3?") in said
    assert said.index(("staff", "Hi Indie, can I ring at 3?")) < said.index(("user", "yes 3 is fine"))
    assert ("user", "I need to talk to my PA") in said  # the conversation so far
    with Session(get_engine()) as session:
        staff_turns = session.exec(select(Turn).where(Turn.conversation_id == conversation_id_for(INDIE))).all()
        assert any(t.role == "staff" for t in staff_turns)


def test_bad_replies_are_refused_with_a_reason(client, handoffs):
    admin = bearer(client, "admin.api@lincs.example")
    gail_id = handoffs["gail"]["id"]
    assert client.post(f"/api/handoffs/{gail_id}/reply", json={"text": ""}, headers=admin).status_code == 422
    assert client.post(f"/api/handoffs/{gail_id}/reply", json={"text": "x" * 1001}, headers=admin).status_code == 422
    complaint = next(
        r for r in client.get("/api/requests?kind=complaint", headers=admin).json() if r["contact"] == "api@example.com"
    )
    no_number = client.post(f"/api/requests/{complaint['id']}/reply", json={"text": "hi"}, headers=admin)
    assert no_number.status_code in (404, 405)  # replies are for handoffs; complaints are answered by the team
    assert client.get("/api/handoffs/999999", headers=admin).status_code == 404
    assert client.get(f"/api/handoffs/{complaint['id']}", headers=admin).status_code == 404
