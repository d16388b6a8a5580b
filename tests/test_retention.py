"""caring-promise purge: old feedback and conversations go; safeguarding alerts stay."""

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from api.cli import app as cli
from api.config import get_settings
from api.db import unit_of_work
from api.models import Conversation, Feedback, SafeguardingAlert, Turn, utcnow
from api.retention import purge


def test_purge_deletes_what_is_old_and_keeps_alerts(app, session):
    long_ago = utcnow() - timedelta(days=800)
    with unit_of_work() as db:
        db.add(Conversation(id="purge-old", updated_at=long_ago))
        db.add(Conversation(id="purge-new"))
        db.flush()
        db.add(Turn(conversation_id="purge-old", role="user", text="old message", created_at=long_ago))
        db.add(Turn(conversation_id="purge-new", role="user", text="new message"))
        db.add(Feedback(text="old feedback", created_at=long_ago))
        db.add(Feedback(text="new feedback"))
        db.add(SafeguardingAlert(conversation_id="purge-old", kind="suicide", text="kept", created_at=long_ago))
    report = purge(get_settings())
    assert report.conversations >= 1 and report.turns >= 1 and report.feedback >= 1
    session.expire_all()
    assert session.get(Conversation, "purge-old") is None and session.get(Conversation, "purge-new") is not None
    texts = set(session.exec(select(Feedback.text)))
    assert "old feedback" not in texts and "new feedback" in texts
    assert session.exec(select(SafeguardingAlert).where(SafeguardingAlert.text == "kept")).one()


def test_purge_command_reports(app):
    result = CliRunner().invoke(cli, ["purge"])
    assert result.exit_code == 0 and "Safeguarding alerts and the" in result.output


def test_purge_keeps_the_conversation_of_an_open_request(app, session):
    from api.models import SupportRequest

    long_ago = utcnow() - timedelta(days=800)
    with unit_of_work() as db:
        for name, status in (("purge-open-handoff", "open"), ("purge-closed-handoff", "closed")):
            db.add(Conversation(id=name, updated_at=long_ago))
            db.flush()
            db.add(Turn(conversation_id=name, role="user", text="I need my PA", created_at=long_ago))
            db.add(SupportRequest(kind="handoff", status=status, conversation_id=name, created_at=long_ago))
    purge(get_settings())
    session.expire_all()
    assert session.get(Conversation, "purge-open-handoff") is not None
    assert session.exec(select(Turn).where(Turn.conversation_id == "purge-open-handoff")).first() is not None
    assert session.get(Conversation, "purge-closed-handoff") is None
