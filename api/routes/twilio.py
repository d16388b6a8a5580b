"""Twilio's SMS webhook and delivery-status callback, both signature-checked."""

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from api.channels.sms import Inbound, SmsChannel, council_texted, twiml
from api.config import Settings
from api.content import get_pack
from api.deps import EngineDep, SettingsDep, exempt
from api.privacy import number_key
from api.risk import clean_text
from api.services.ratelimit import Limit
from api.texting.sender import record_status
from api.texting.text import to_gsm

log = logging.getLogger(__name__)

TWILIO_MAX_CHARS = 1_600
router = APIRouter(prefix="/webhooks/twilio", tags=["sms"])
TWIML = "application/xml"


def signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: CARING_PUBLIC_URL + path behind a proxy, else the URL we were called on."""
    if settings.public_url:
        url = settings.public_url.rstrip("/") + request.url.path
        return f"{url}?{request.url.query}" if request.url.query else url
    return str(request.url)


async def verified_form(request: Request, settings: Settings) -> dict[str, str]:
    """The form parameters, or 403 when the signature is missing or wrong (nothing is processed or logged)."""
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if (
        not signature
        or not token
        or not RequestValidator(token).validate(signed_url(request, settings), params, signature)
    ):
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return {clean_text(k): clean_text(v) for k, v in params.items()}  # signed as sent; NUL bytes go now


@router.post("/webhook")
async def webhook(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """An incoming text: answered with TwiML, once per MessageSid."""
    params = await verified_form(request, settings)
    sid, sender = params.get("MessageSid") or params.get("SmsSid"), params.get("From")
    if not sid or not sender:
        raise HTTPException(status_code=400, detail="MessageSid and From are required")
    # Twilio never sends more than 1,600 characters (FACTS.md 5): anything past that is not a text.
    inbound = Inbound(
        message_sid=sid, sender=sender, body=params.get("Body", "")[:TWILIO_MAX_CHARS], to=params.get("To", "")
    )
    flood = Limit("sms:number", settings.limit_sms_per_number)
    hits = 0 if exempt(request) or not flood.calls else await run_in_threadpool(flood.count, number_key(sender))
    if hits > flood.calls and not (await run_in_threadpool(engine.understand, inbound.body)).safety.at_risk:
        # Too many texts in a minute, none at risk: say so once, then take nothing until the minute is out.
        pack = get_pack(council_texted(inbound.to))
        slow_down = [to_gsm(pack.render("slow_down", "sms").text)] if hits == flood.calls + 1 else []
        return Response(content=twiml(slow_down), media_type=TWIML)
    body = await run_in_threadpool(SmsChannel(engine).handle, inbound)
    return Response(content=body, media_type=TWIML)


@router.post("/status")
async def status(request: Request, settings: SettingsDep) -> Response:
    """Twilio's delivery-status callback for a text we sent."""
    params = await verified_form(request, settings)
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not sid:
        raise HTTPException(status_code=400, detail="MessageSid is required")
    error = params.get("ErrorCode")
    await run_in_threadpool(
        record_status,
        twilio_sid=sid,
        status=params.get("MessageStatus", ""),
        error_code=int(error) if error and error.isdigit() else None,
    )
    return Response(status_code=204)
