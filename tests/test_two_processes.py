"""Two server processes on one database serve one conversation in turn: no state in memory."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.processes import ROOT, free_port, running, with_models


@contextmanager
def _two(tmp_path: Path, **settings: str) -> Iterator[tuple[list[str], Path]]:
    """Two server processes on one database (the scratch SQLite file, or this run's PostgreSQL)."""
    env = {**os.environ, "CARING_DATA_DIR": str(with_models(tmp_path)), **settings}
    # Tests run with CARING_ENVIRONMENT=test: the servers refuse a database that is behind.
    subprocess.run([sys.executable, "-m", "api.cli", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    with ExitStack() as stack:
        for url in urls:
            port = url.rsplit(":", 1)[1]
            stack.enter_context(running(["api.cli", "serve", "--port", port], env, f"{url}/health"))
        yield urls, tmp_path / "caring-promise.db"


@pytest.fixture
def two_servers(tmp_path):
    with _two(tmp_path) as servers:
        yield servers


def _user_turns(db_path: Path, sender: str) -> list[str]:
    """What the servers stored: their SQLite file, or the shared PostgreSQL schema of this run."""
    from sqlmodel import Session, select

    from api.db import get_engine
    from api.models import Turn

    if os.environ.get("CARING_DATABASE_URL", "").startswith("postgresql"):
        with Session(get_engine()) as session:
            rows = session.exec(select(Turn.text).where(Turn.conversation_id == sender, Turn.role == "user"))
            return sorted(rows)
    with sqlite3.connect(db_path) as db:
        query = "select text from turn where conversation_id = ? and role = 'user'"
        return sorted(row[0] for row in db.execute(query, (sender,)))


def test_a_form_started_on_one_process_finishes_on_the_other(two_servers):
    (a, b), _ = two_servers
    sender = {"sender": "two-process"}
    first = httpx.post(f"{a}/webhooks/rest/webhook", json={**sender, "message": "/give_feedback"}).json()
    second = httpx.post(f"{b}/webhooks/rest/webhook", json={**sender, "message": "more youth clubs pls"}).json()
    third = httpx.post(f"{a}/webhooks/rest/webhook", json={**sender, "message": "no"}).json()
    assert "mind" in first[0]["text"].lower() or "feedback" in first[0]["text"].lower()
    assert second[0]["text"] != first[0]["text"]
    # The consent question was asked by b, and a understood the answer as the end of the form.
    assert third[0]["text"] != second[0]["text"]
    assert "thank" in third[0]["text"].lower()


def test_simultaneous_messages_on_both_processes_lose_no_turns(two_servers):
    from concurrent.futures import ThreadPoolExecutor

    urls, db_path = two_servers
    sender = "two-process-turns"

    def send(i: int) -> int:
        url = urls[i % 2]
        return httpx.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": f"hiya {i}"}, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(20)))
    assert statuses == [200] * 20
    assert _user_turns(db_path, sender) == sorted(f"hiya {i}" for i in range(20))


def test_an_sms_retry_to_the_other_process_is_not_processed_twice(two_servers):
    from concurrent.futures import ThreadPoolExecutor

    from twilio.request_validator import RequestValidator

    from api.channels.sms import conversation_id_for
    from api.config import get_settings

    urls, db_path = two_servers
    sender = "+447700900361"
    params = {
        "MessageSid": "SMtwoprocess0000000000000000000001",
        "From": sender,
        "To": "+447000000000",
        "Body": "what is a pathway plan",
    }
    token = get_settings().twilio_auth_token.get_secret_value()

    def deliver(url: str) -> str:
        path = f"{url}/webhooks/twilio/webhook"
        signature = RequestValidator(token).compute_signature(path, params)
        response = httpx.post(path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        assert response.status_code == 200
        return response.text

    with ThreadPoolExecutor(max_workers=4) as pool:  # Twilio's retry can land while the first is running
        answers = list(pool.map(deliver, urls + urls))
    assert len(set(answers)) == 1 and "<Message>" in answers[0]
    assert _user_turns(db_path, conversation_id_for(sender)) == ["what is a pathway plan"]  # once, not four times


def _sms(url: str, sender: str, body: str) -> str:
    from twilio.request_validator import RequestValidator

    from api.config import get_settings

    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+447000000000", "Body": body}
    path = f"{url}/webhooks/twilio/webhook"
    signature = RequestValidator(get_settings().twilio_auth_token.get_secret_value()).compute_signature(path, params)
    response = httpx.post(path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def test_a_handoff_across_both_processes_notifies_the_advisor_once(tmp_path):
    """Both processes run the outbox: the advisor gets one text and one email, not one from each."""
    from tests.fakes.smtp_sink import SmtpSink
    from tests.fakes.twilio_api import FakeTwilio

    young = "reference,first_name,mobile,status,worker_email\nTEST-2P-0001,Rowan,07700 900381,care_leaver,"
    young += "ash.twoproc@lincs.example\n"
    workers = "email,name,role,mobile,team,away,public_contact\n"
    workers += "ash.twoproc@lincs.example,Ash Twoproc,personal_advisor,07700 900382,leaving_care,no,\n"
    (tmp_path / "young_people.csv").write_text(young)
    (tmp_path / "workers.csv").write_text(workers)
    with FakeTwilio() as twilio, SmtpSink() as smtp:
        settings = {
            "CARING_TWILIO_API_BASE": twilio.url,
            "TWILIO_FROM_NUMBER": "+447000000000",
            "CARING_SMTP_HOST": smtp.host,
            "CARING_SMTP_PORT": str(smtp.port),
            "CARING_SMTP_STARTTLS": "false",
            "CARING_NOTIFY_INTERVAL": "0.2",
        }
        env = {**os.environ, "CARING_DATA_DIR": str(tmp_path), **settings}
        subprocess.run([sys.executable, "-m", "api.cli", "db", "upgrade"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [sys.executable, "-m", "api.cli", "directory", "import", "young_people.csv", "workers.csv"],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with _two(tmp_path, **settings) as ((a, b), _):
            _sms(a, "+447700900381", "I need to talk to my PA")
            _sms(b, "+447700900381", "my benefits stopped")
            answer = _sms(a, "+447700900381", "this week")
            assert "Ash will contact you" in answer
            deadline = time.monotonic() + 30
            advisor = []
            while time.monotonic() < deadline and not (advisor and smtp.to("ash.twoproc@lincs.example")):
                time.sleep(0.2)
                advisor = [m for m in twilio.accepted if m["To"] == "+447700900382"]
            time.sleep(1.5)  # several more outbox rounds on both processes
            advisor = [m for m in twilio.accepted if m["To"] == "+447700900382"]
            assert len(advisor) == 1 and len(smtp.to("ash.twoproc@lincs.example")) == 1
            assert "benefits" not in advisor[0]["Body"]  # a text to a work mobile says who, not what
