"""Safeguarding alerts: admins see new ones, oldest first, and mark them; nobody else sees them."""

import re

from fastapi.testclient import TestClient
from sqlmodel import col, select

from api.db import unit_of_work
from api.models import SafeguardingAlert
from api.services.directory import import_directory
from api.services.staff import add_staff
from tests.routes.test_pages import login_token, signed_in
from tests.routes.test_twilio import messages, text_in

PASSWORD = "correct horse battery"


def sign_in(client, role: str) -> dict[str, str]:
    with unit_of_work() as session:
        add_staff(session=session, email=f"alerts-{role}@lincs.example", role=role, password=PASSWORD)
    body = client.post("/api/auth/token", data={"username": f"alerts-{role}@lincs.example", "password": PASSWORD})
    return {"Authorization": f"Bearer {body.json()['access_token']}"}


def test_admin_sees_and_acknowledges_a_crisis_alert(client):
    client.post("/webhooks/rest/webhook", json={"sender": "alerts-1", "message": "i want to end my life tonight"})
    admin = sign_in(client, "admin")
    alerts = client.get("/api/alerts", headers=admin).json()
    mine = [a for a in alerts if a["conversation_id"] == "alerts-1"]
    assert mine and mine[0]["kind"] == "suicide_self_harm" and "end my life" in mine[0]["text"]
    updated = client.patch(f"/api/alerts/{mine[0]['id']}", json={"status": "acknowledged"}, headers=admin)
    assert updated.status_code == 200 and updated.json()["status"] == "acknowledged"
    assert all(a["id"] != mine[0]["id"] for a in client.get("/api/alerts", headers=admin).json())
    assert client.patch("/api/alerts/999999", json={"status": "closed"}, headers=admin).status_code == 404
    assert client.patch(f"/api/alerts/{mine[0]['id']}", json={"status": "gone"}, headers=admin).status_code == 422


def test_only_the_duty_team_and_admins_see_alerts(client):
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/alerts", headers=sign_in(client, "participation")).status_code == 403
    assert client.get("/api/alerts", headers=sign_in(client, "advisor")).status_code == 403


def test_the_api_keeps_who_handled_it_and_lists_by_status(client):
    client.post(
        "/webhooks/rest/webhook", json={"sender": "alerts-2", "message": "he hits me and i'm scared to go home"}
    )
    admin = sign_in(client, "admin")
    [alert] = [a for a in client.get("/api/alerts", headers=admin).json() if a["conversation_id"] == "alerts-2"]
    assert alert["handled_by"] is None and alert["young_person_reference"] is None
    closed = client.patch(f"/api/alerts/{alert['id']}", json={"status": "closed"}, headers=admin).json()
    assert closed["handled_by"] == "alerts-admin@lincs.example" and closed["handled_at"]
    everything = client.get("/api/alerts", params={"status": "all"}, headers=admin).json()
    assert any(a["id"] == alert["id"] and a["status"] == "closed" for a in everything)
    assert client.get("/api/alerts", params={"status": "whatever"}, headers=admin).status_code == 422


# -- the duty team's pages -------------------------------------------------------------------------

YOUNG_PEOPLE = "reference,first_name,mobile,status,worker_email\nTEST-ALERT-0001,Rae,07700 900931,care_leaver,\n"
WORKERS = "email,name,role,mobile,team,away,public_contact\n"


def page_sign_in(client, role: str) -> None:
    with unit_of_work() as session:
        add_staff(session=session, email=f"alerts-page-{role}@lincs.example", role=role, password=PASSWORD)
    signed_in(client, f"alerts-page-{role}@lincs.example")


def sms_alert(client) -> int:
    with unit_of_work() as session:
        assert import_directory(session=session, young_people_csv=YOUNG_PEOPLE, workers_csv=WORKERS).ok
    messages(text_in(client, "hi", sender="+447700900931"))
    answer = " ".join(messages(text_in(client, "i took a load of pills", sender="+447700900931")))
    assert "999" in answer and "116 123" in answer
    with unit_of_work() as session:
        query = select(SafeguardingAlert).where(SafeguardingAlert.young_person_reference == "TEST-ALERT-0001")
        return session.exec(query.order_by(col(SafeguardingAlert.id).desc())).first().id


def test_the_duty_team_reads_an_alert_with_who_and_the_conversation_and_acts_on_it(client):
    alert_id = sms_alert(client)
    page_sign_in(client, "admin")
    listing = client.get("/staff/alerts")
    assert listing.status_code == 200 and f'href="/staff/alerts/{alert_id}"' in listing.text
    assert "TEST-ALERT-0001" in listing.text and "Text message" in listing.text
    assert re.search(r'class="badge">\d+ new<', listing.text)  # the count beside the link, on every page
    page = client.get(f"/staff/alerts/{alert_id}")
    assert page.status_code == 200
    assert "Rae (TEST-ALERT-0001)" in page.text and "+447700900931" in page.text
    assert "i took a load of pills" in page.text  # what they wrote, in the alert and in the thread
    assert page.text.index(">hi<") < page.text.index("116 123")  # the conversation, oldest first

    refused = client.post(f"/staff/alerts/{alert_id}/status", data={"status": "closed"}, follow_redirects=False)
    assert refused.status_code == 403
    with unit_of_work() as session:
        assert session.get(SafeguardingAlert, alert_id).status == "new"

    token = login_token(page.text)
    done = client.post(
        f"/staff/alerts/{alert_id}/status", data={"status": "acknowledged", "csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/staff/alerts/{alert_id}?done=status"
    with unit_of_work() as session:
        alert = session.get(SafeguardingAlert, alert_id)
        assert alert.status == "acknowledged" and alert.handled_by == "alerts-page-admin@lincs.example"
    assert "alerts-page-admin@lincs.example" in client.get(f"/staff/alerts/{alert_id}?done=status").text
    bad = client.post(f"/staff/alerts/{alert_id}/status", data={"status": "gone", "csrf": token})
    assert bad.status_code == 422
    assert client.get("/staff/alerts/999999").status_code == 404
    assert client.get("/staff/alerts/99999999999999999999999").status_code == 422  # not a database error

    client.post(f"/staff/alerts/{alert_id}/status", data={"status": "closed", "csrf": token})
    assert f'href="/staff/alerts/{alert_id}"' not in client.get("/staff/alerts").text  # closed leaves the list


def test_a_forgotten_conversation_still_leaves_the_alert(client):
    client.post("/webhooks/rest/webhook", json={"sender": "alerts-forget", "message": "i want to kill myself"})
    client.post("/webhooks/rest/webhook", json={"sender": "alerts-forget", "message": "forget me"})
    with unit_of_work() as session:
        query = select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == "alerts-forget")
        alert_id = session.exec(query).one().id
    page_sign_in(client, "admin")
    page = client.get(f"/staff/alerts/{alert_id}")
    assert "i want to kill myself" in page.text and "no longer kept" in page.text


def test_only_the_duty_team_and_admins_open_the_alert_pages(client):
    assert client.get("/staff/alerts", follow_redirects=False).status_code == 303
    for role in ("advisor", "participation"):
        with TestClient(client.app) as other:
            page_sign_in(other, role)
            assert other.get("/staff/alerts").status_code == 403
            assert other.get("/staff/alerts/1").status_code == 403
            assert other.post("/staff/alerts/1/status", data={"status": "closed"}).status_code == 403
