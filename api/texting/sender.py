"""Sending texts through Twilio's REST API: recorded, never to an opted-out number, never twice.

A send is retried only when Twilio certainly did not accept it: the connection was never made, or
Twilio answered 429 (too many requests). Anything else that is unclear (a read timeout, a dropped
connection after the request went out) is recorded as `unknown` and not retried, because sending
is not idempotent and a young person must not get the same text twice.
"""

import logging
import time
from typing import Any

import requests
from sqlmodel import select
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from api.config import Settings, get_settings
from api.db import unit_of_work
from api.models import OutboundSms, utcnow
from api.privacy import mask_number, normalise_number, number_key
from api.texting.optout import is_opted_out, set_opt_out
from api.texting.text import to_gsm

log = logging.getLogger(__name__)

OPTED_OUT_ERROR = 21610
MAX_BODY = 1600
TWILIO_API = "https://api.twilio.com"


class LocalTwilioHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending to another base URL (a fake Twilio on 127.0.0.1 in tests)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def twilio_client(settings: Settings) -> Client:
    """The REST client for the configured account."""
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    http_client = (
        LocalTwilioHttpClient(settings.twilio_api_base, timeout=10)
        if settings.twilio_api_base
        else TwilioHttpClient(timeout=10)
    )
    return Client(settings.twilio_account_sid, token, http_client=http_client)


def _never_sent(exc: BaseException) -> bool:
    """True only when the request certainly did not reach Twilio."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = str(exc.args[0] if exc.args else exc)
        return "NewConnectionError" in reason or "Connection refused" in reason or "Failed to establish" in reason
    return isinstance(exc, TwilioRestException) and exc.status == 429


class SmsSender:
    """The outbound SMS service used by advisor replies and notifications."""

    def __init__(self, settings: Settings | None = None, client: Client | None = None, attempts: int = 3) -> None:
        self.settings = settings or get_settings()
        self.client = client or twilio_client(self.settings)
        self.attempts = attempts

    def send(self, *, to: str, body: str, purpose: str = "") -> OutboundSms:
        """Send one text and record it; an opted-out number gets nothing (status `blocked`)."""
        number = normalise_number(to)
        with unit_of_work() as session:
            record = OutboundSms(to_masked=mask_number(number), number_hash=number_key(number), purpose=purpose)
            if is_opted_out(session, number):
                record.status = "blocked"
                session.add(record)
                log.info("sms not sent: opted out", extra={"to": record.to_masked})
                return record
            session.add(record)
        self._deliver(record, number, to_gsm(body)[:MAX_BODY])
        with unit_of_work() as session:
            session.add(record)
            if record.error_code == OPTED_OUT_ERROR:
                set_opt_out(session, number_hash=record.number_hash, opted_out=True)
        return record

    def _deliver(self, record: OutboundSms, number: str, body: str) -> None:
        if not (self.settings.twilio_messaging_service_sid or self.settings.twilio_from_number):
            # Nothing to send from (the embedded default, offline): fail at once, without the network.
            record.status = "failed"
            log.warning("sms not sent: no Twilio sender is set", extra={"to": record.to_masked})
            return
        kwargs: dict[str, Any] = {"to": number, "body": body}
        if self.settings.twilio_messaging_service_sid:
            kwargs["messaging_service_sid"] = self.settings.twilio_messaging_service_sid
        else:
            kwargs["from_"] = self.settings.twilio_from_number
        if self.settings.public_url:
            kwargs["status_callback"] = self.settings.public_url.rstrip("/") + "/webhooks/twilio/status"
        for attempt in range(1, self.attempts + 1):
            record.attempts = attempt
            record.updated_at = utcnow()
            try:
                message = self.client.messages.create(**kwargs)
            except Exception as exc:  # noqa: BLE001  (every failure is recorded; none is raised to the caller)
                never_sent = _never_sent(exc)
                if never_sent and attempt < self.attempts:
                    time.sleep(0.2 * attempt)
                    continue
                # Refused or never sent: failed. Anything else may have gone out: unknown, not retried.
                record.status = "failed" if never_sent or isinstance(exc, TwilioRestException) else "unknown"
                record.error_code = getattr(exc, "code", None)
                log.warning(
                    "sms send failed",
                    extra={"to": record.to_masked, "status": record.status, "code": record.error_code},
                )
                return
            record.twilio_sid = message.sid
            record.status = message.status or "queued"
            return


def record_status(*, twilio_sid: str, status: str, error_code: int | None) -> bool:
    """Update a sent text from Twilio's status callback; False when the SID is not ours."""
    with unit_of_work() as session:
        record = session.exec(select(OutboundSms).where(OutboundSms.twilio_sid == twilio_sid)).first()
        if record is None:
            return False
        record.status = status or record.status
        record.error_code = error_code
        record.updated_at = utcnow()
        session.add(record)
        if error_code == OPTED_OUT_ERROR:
            set_opt_out(session, number_hash=record.number_hash, opted_out=True)
        return True
