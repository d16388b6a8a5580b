"""Shared fixtures: a scratch data directory and database, one trained engine, a test client."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

# Settings are read from the environment: point them at scratch space before anything loads.
_DATA = Path(tempfile.mkdtemp(prefix="caring-test-"))
os.environ["CARING_DATA_DIR"] = str(_DATA)
os.environ.setdefault("CARING_ENVIRONMENT", "test")
os.environ.setdefault("CARING_NOTIFY_INTERVAL", "0")  # tests send the outbox themselves (notify.deliver_pending)
os.environ.setdefault("TWILIO_FROM_NUMBER", "+447000000000")  # texts go to a fake Twilio (tests/fakes)
# The test client is exempt from rate limits, as this machine is; tests/routes/test_hardening.py lifts it.
os.environ.setdefault("CARING_RATE_LIMIT_EXEMPT", "testclient,127.0.0.1,::1")
# On PostgreSQL (CARING_DATABASE_URL=postgresql+psycopg://...) every run gets a fresh schema.
_PG = os.environ.get("CARING_DATABASE_URL", "").startswith("postgresql")
if _PG:
    os.environ["CARING_DATABASE_SCHEMA"] = f"test_{uuid.uuid4().hex[:12]}"

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api import migrate  # noqa: E402
from api.config import get_settings  # noqa: E402
from api.db import get_engine  # noqa: E402
from api.main import create_app  # noqa: E402
from api.services.notify import deliver_pending  # noqa: E402
from tests.fakes.smtp_sink import SmtpSink  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    """The app with its engine loaded once for the whole run."""
    application = create_app()
    with TestClient(application):
        yield application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client on the shared app; dependency overrides are cleared afterwards."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def engine(app):  # type: ignore[no-untyped-def]
    """The loaded embedded engine."""
    return app.state.engine


@pytest.fixture
def session(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A session on the test database."""
    with Session(get_engine()) as db:
        yield db


@pytest.fixture(scope="session", autouse=True)
def _database() -> Iterator[None]:
    """A fresh schema for the run."""
    get_settings.cache_clear()
    get_engine.cache_clear()
    schema = get_settings().database_schema
    if _PG and schema:
        from sqlalchemy import create_engine, text

        admin = create_engine(get_settings().db_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    migrate.upgrade()
    yield
    get_engine().dispose()
    if _PG and schema:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


INBOXES = {
    "safeguarding_inbox": "duty@lincs.example",
    "leaving_care_inbox": "leaving.care@lincs.example",
    "complaints_inbox": "complaints@lincs.example",
    "advocacy_inbox": "referrals@advocacy.example",
}


@pytest.fixture
def wired(monkeypatch):
    """Texts to a fake Twilio, mail to a local SMTP sink, the team inboxes set."""
    settings = get_settings()
    with FakeTwilio() as twilio, SmtpSink() as smtp:
        values = {
            "twilio_api_base": twilio.url,
            "twilio_from_number": "+447000000000",
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_starttls": False,
            **INBOXES,
        }
        for name, value in values.items():
            monkeypatch.setattr(settings, name, value)
        deliver_pending()  # what other tests left in the outbox goes to these fakes, then is forgotten
        twilio.accepted.clear()
        smtp.messages.clear()
        yield SimpleNamespace(twilio=twilio, smtp=smtp)
        deliver_pending()  # nothing is left for the next test's sinks
