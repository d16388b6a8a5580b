"""Safeguarding alerts: admins see new ones, oldest first, and mark them; nobody else sees them."""

from api.db import unit_of_work
from api.staff import add_staff

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
    assert mine and mine[0]["kind"] == "suicide" and "end my life" in mine[0]["text"]
    updated = client.patch(f"/api/alerts/{mine[0]['id']}", json={"status": "acknowledged"}, headers=admin)
    assert updated.status_code == 200 and updated.json()["status"] == "acknowledged"
    assert all(a["id"] != mine[0]["id"] for a in client.get("/api/alerts", headers=admin).json())
    assert client.patch("/api/alerts/999999", json={"status": "closed"}, headers=admin).status_code == 404
    assert client.patch(f"/api/alerts/{mine[0]['id']}", json={"status": "gone"}, headers=admin).status_code == 422


def test_only_admins_see_alerts(client):
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/alerts", headers=sign_in(client, "participation")).status_code == 403
    assert client.get("/api/alerts", headers=sign_in(client, "advisor")).status_code == 403
