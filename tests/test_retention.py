"""caring-promise purge: old feedback and conversations go; safeguarding alerts stay."""

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from api.cli import app as cli
from api.config import get_settings
from api.db import unit_of_work
from api.models import Conversation, Feedback, SafeguardingAlert, Turn, utcnow
from api.services.retention import purge


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
        db.add(SafeguardingAlert(conversation_id="purge-old", kind="abuse", text="kept", created_at=long_ago))
    report = purge(get_settings())
    assert report.conversations >= 1 and report.turns >= 1 and report.feedback >= 1
    session.expire_all()
    assert session.get(Conversation, "purge-old") is None and session.get(Conversation, "purge-new") is not None
    texts = set(session.exec(select(Feedback.text)))
    assert "old feedback" not in texts and "new feedback" in texts
    assert session.exec(select(SafeguardingAlert).where(SafeguardingAlert.text == "kept")).one()


def test_purge_command_reports(app):
    result = CliRunner().invoke(cli, ["purge"])
    assert (
        result.exit_code == 0
        and "Safeguarding alerts, open requests and their conversations, and approved training examples are kept"
        in result.output
    )


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


def test_purge_deletes_requests_closed_long_ago_with_their_history_and_settled_notifications(app, session):
    from api.models import Notification, OutboundSms, RequestEvent, SupportRequest

    long_ago = utcnow() - timedelta(days=800)
    with unit_of_work() as db:
        old_closed = SupportRequest(kind="complaint", status="closed", conversation_id="purge-c1", updated_at=long_ago)
        old_open = SupportRequest(kind="complaint", status="stage2", conversation_id="purge-c2", updated_at=long_ago)
        recent_closed = SupportRequest(kind="handoff", status="closed", conversation_id="purge-c3")
        for request in (old_closed, old_open, recent_closed):
            db.add(request)
        db.flush()
        for request in (old_closed, old_open, recent_closed):
            db.add(RequestEvent(request_id=request.id, note="started", created_at=long_ago))
        sent = Notification(channel="email", to="x@lincs.example", body="b", status="sent", updated_at=long_ago)
        waiting = Notification(channel="email", to="y@lincs.example", body="b", status="pending", updated_at=long_ago)
        db.add(sent)
        db.add(waiting)
        db.add(OutboundSms(to_masked="+44 7*** ***000", number_hash="purge-h", created_at=long_ago))
    report = purge(get_settings())
    assert report.requests >= 1 and report.notifications >= 1 and report.outbound_sms >= 1
    session.expire_all()
    assert session.get(SupportRequest, old_closed.id) is None
    assert not session.exec(select(RequestEvent).where(RequestEvent.request_id == old_closed.id)).all()
    assert session.get(SupportRequest, old_open.id) is not None  # still being dealt with
    assert session.get(SupportRequest, recent_closed.id) is not None
    assert session.get(Notification, sent.id) is None
    assert session.get(Notification, waiting.id) is not None  # not sent yet: never dropped
    assert not session.exec(select(OutboundSms).where(OutboundSms.number_hash == "purge-h")).all()
