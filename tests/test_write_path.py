"""One write path: staff writes of every kind succeed while young people chat (a real server process).

On SQLite every write takes the write lock up front (BEGIN IMMEDIATE and the process's writer lock,
api/db.py); a staff route that wrote through a plain session used to fail with "database is locked"
as soon as a chat was talking. The same test runs on PostgreSQL when the suite does.
"""

import os
import re
import subprocess
import sys
import threading
import uuid

import httpx

from tests.processes import ROOT, free_port, running, with_models

PASSWORD = "correct horse battery"
ROUNDS = 12  # staff writes of each kind: bounded, on 127.0.0.1 only
CHATS = 4  # web chats talking the whole time


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_staff_writes_of_every_kind_succeed_while_conversations_chat(tmp_path):
    env = {**os.environ, "CARING_DATA_DIR": str(with_models(tmp_path)), "CARING_NOTIFY_INTERVAL": "0"}
    subprocess.run([sys.executable, "-m", "api.cli", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    email = f"writer-{uuid.uuid4().hex[:8]}@lincs.example"
    add = ["staff", "add", email, "--role", "admin", "--password", PASSWORD]
    subprocess.run([sys.executable, "-m", "api.cli", *add], cwd=ROOT, env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{free_port()}"
    with running(["api.cli", "serve", "--port", url.rsplit(":", 1)[1]], env, f"{url}/health"):
        with httpx.Client(base_url=url, timeout=30) as http:
            token = http.post("/api/auth/token", data={"username": email, "password": PASSWORD}).json()
            api = {"Authorization": f"Bearer {token['access_token']}"}
            # Something of each kind to write to: an alert, a piece of feedback, a callback request.
            alert_sender = f"wp-alert-{uuid.uuid4().hex[:6]}"
            http.post("/webhooks/rest/webhook", json={"sender": alert_sender, "message": "i want to end my life"})
            feedback_id = http.post("/api/feedback", json={"text": "my flat is cold and damp"}).json()["id"]
            handoff_sender = f"wp-handoff-{uuid.uuid4().hex[:6]}"
            contact = f"{handoff_sender}@example.com"  # the PostgreSQL schema is shared with other tests
            for message in ("/talk_to_worker", "my money", "skip", contact):
                http.post("/webhooks/rest/webhook", json={"sender": handoff_sender, "message": message})
            [alert] = [a for a in http.get("/api/alerts", headers=api).json() if a["conversation_id"] == alert_sender]
            [handoff] = [r for r in http.get("/api/handoffs", headers=api).json() if r["contact"] == contact]

            form = http.get("/staff/login")
            http.post("/staff/login", data={"username": email, "password": PASSWORD, "csrf": _csrf(form.text)})
            csrf = _csrf(http.get("/staff/inbox").text)

            stop = threading.Event()
            chat_failures: list[str] = []

            def chat(n: int) -> None:
                with httpx.Client(base_url=url, timeout=30) as young_person:
                    sender, i = f"wp-chat-{n}-{uuid.uuid4().hex[:6]}", 0
                    while not stop.is_set() and i < 400:
                        text = ("can i get money for college", "/give_feedback", "the bus is late", "no")[i % 4]
                        response = young_person.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
                        if response.status_code != 200:
                            chat_failures.append(f"{response.status_code} {text}")
                        i += 1

            threads = [threading.Thread(target=chat, args=(n,)) for n in range(CHATS)]
            for thread in threads:
                thread.start()
            failures: list[str] = []
            try:
                for i in range(ROUNDS):
                    alert_status = ("acknowledged", "closed")[i % 2]
                    handoff_status = ("contacted", "open")[i % 2]
                    writes = [
                        http.patch(f"/api/alerts/{alert['id']}", json={"status": alert_status}, headers=api),
                        http.patch(f"/api/feedback/{feedback_id}", json={"themes": ["accommodation"]}, headers=api),
                        http.patch(
                            f"/api/handoffs/{handoff['id']}", json={"status": handoff_status, "note": "n"}, headers=api
                        ),
                        http.patch(f"/api/requests/{handoff['id']}", json={"status": "contacted"}, headers=api),
                        http.post(
                            f"/staff/requests/{handoff['id']}/status",
                            data={"status": "contacted", "note": "rang", "csrf": csrf},
                        ),
                        http.post(f"/staff/alerts/{alert['id']}/status", data={"status": alert_status, "csrf": csrf}),
                        http.post(
                            f"/staff/dashboard/feedback/{feedback_id}/themes",
                            data={"themes": ["health"], "csrf": csrf},
                        ),
                        http.post(
                            "/staff/dashboard/you-said-we-did",
                            data={"theme": "health", "you_said": "cold flats", "we_did": "checked them", "csrf": csrf},
                        ),
                    ]
                    failures += [
                        f"{w.request.method} {w.request.url.path}: {w.status_code}"
                        for w in writes
                        if w.status_code >= 400
                    ]
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=60)
    assert failures == []
    assert chat_failures == []


def test_an_unexpected_error_is_a_500_with_a_reason(client):
    from api.db import get_write_session
    from tests.routes.test_alerts import sign_in

    def broken():  # a database that fails mid-request
        raise RuntimeError("the disk is full")
        yield  # pragma: no cover

    admin = sign_in(client, "admin")
    client.app.dependency_overrides[get_write_session] = broken
    response = client.patch("/api/alerts/1", json={"status": "closed"}, headers=admin)
    assert response.status_code == 500
    assert "went wrong on our side" in response.json()["detail"]


def test_an_id_bigger_than_the_columns_hold_is_a_422_not_a_database_error(client):
    from tests.routes.test_alerts import sign_in

    admin = sign_in(client, "admin")
    for path in ("/api/alerts/2147483648", "/api/requests/2147483648", "/api/feedback/2147483648"):
        response = (
            client.get(path, headers=admin)
            if "alerts" not in path
            else client.patch(path, json={"status": "closed"}, headers=admin)
        )
        assert response.status_code == 422, path
    assert client.get("/api/requests/2147483647", headers=admin).status_code == 404
