"""Notifications to staff: an outbox of texts (to work mobiles) and emails (to work inboxes).

A notification is written in the same transaction as the request it is about, and sent after that
commits by `deliver_pending` (a background loop in each server process, `api/jobs.py`, and `caring-promise notify
send`). A crash between the two loses nothing: the row waits as `pending`. Texts go through the
outbound SMS service (api/texting/sender.py), email through SMTP when it is configured.
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlmodel import Session, col, select

from api.config import ROOT, Settings, get_settings
from api.db import unit_of_work
from api.models import Notification, RequestEvent, SupportRequest, utcnow
from api.privacy import mask_number
from api.texting.sender import SmsSender

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
STALE = timedelta(minutes=10)  # a send that has not finished in this long was cut off
_templates = Environment(
    loader=FileSystemLoader(ROOT / "api" / "templates" / "notifications"),
    undefined=StrictUndefined,
    autoescape=False,  # plain-text texts and emails
    keep_trailing_newline=False,
)


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from api/templates/notifications/<template>.txt: a 'Subject:' first line, then the body."""
    text = _templates.get_template(f"{template}.txt").render(**context).strip()
    subject, body = "", text
    if text.startswith("Subject:"):
        first, _, body = text.partition("\n")
        subject = first.removeprefix("Subject:").strip()
    return subject, body.strip()


def notify(
    session: Session,
    template: str,
    context: dict[str, Any],
    *,
    to: str,
    channel: str = "email",
    request: SupportRequest | None = None,
) -> Notification:
    """Write a notification from a template into the outbox (sent once the caller's transaction commits)."""
    subject, body = _render(template, context)
    notification = Notification(
        request_id=request.id if request else None, channel=channel, to=to, subject=subject, body=body
    )
    session.add(notification)
    return notification


def _shown(notification: Notification) -> str:
    return mask_number(notification.to) if notification.channel == "sms" else notification.to


def _claim(limit: int) -> list[Notification]:
    """Take pending notifications for this process (other processes skip the ones taken)."""
    with unit_of_work() as session:
        # A process that stopped mid-send left rows `sending`: an email goes again; a text may have
        # gone (sending is not idempotent), so it is marked unknown for staff to check.
        stale = session.exec(
            select(Notification).where(Notification.status == "sending", Notification.updated_at < utcnow() - STALE)
        )
        for notification in stale:
            notification.status = "pending" if notification.channel == "email" else "unknown"
            notification.updated_at = utcnow()
            session.add(notification)
        session.flush()
        query = (
            select(Notification)
            .where(Notification.status == "pending")
            .order_by(col(Notification.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = list(session.exec(query))
        for notification in claimed:
            notification.status = "sending"
            notification.attempts += 1
            notification.updated_at = utcnow()
            session.add(notification)
        return claimed


def _send_email(settings: Settings, notification: Notification) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = notification.to
    message["Subject"] = notification.subject or "Caring Promise"
    message.set_content(notification.body)
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def _deliver(settings: Settings, notification: Notification) -> tuple[str, str | None]:
    """(status, error) after one try."""
    if notification.channel == "sms":
        record = SmsSender(settings).send(to=notification.to, body=notification.body, purpose="notification")
        if record.status in {"failed", "blocked"}:
            return "failed", f"text {record.status}" + (f" (Twilio {record.error_code})" if record.error_code else "")
        # `unknown`: it may have gone (sending is not idempotent), so it is never sent again.
        if record.status == "unknown":
            return "unknown", "Twilio did not say whether it took the text"
        return "sent", None
    if not settings.smtp_host:
        return "failed", "email is not configured (CARING_SMTP_HOST)"
    try:
        _send_email(settings, notification)
    except (OSError, smtplib.SMTPException) as exc:
        retry = notification.attempts < MAX_EMAIL_ATTEMPTS and not isinstance(exc, smtplib.SMTPRecipientsRefused)
        return ("pending" if retry else "failed"), f"{type(exc).__name__}: {exc}"[:200]
    return "sent", None


def deliver_pending(limit: int = 20) -> int:
    """Send what is waiting in the outbox; returns how many were sent."""
    settings = get_settings()
    sent = 0
    for notification in _claim(limit):
        status, error = _deliver(settings, notification)
        with unit_of_work() as session:
            notification.status, notification.error, notification.updated_at = status, error, utcnow()
            session.add(notification)
            if notification.request_id is not None and status != "pending":
                what = "text" if notification.channel == "sms" else "email"
                note = f"{what} to {_shown(notification)}: {status}" + (f" ({error})" if error else "")
                session.add(RequestEvent(request_id=notification.request_id, note=note, by="bot"))
        log.info("notification", extra={"channel": notification.channel, "status": status})
        sent += status == "sent"
    return sent
