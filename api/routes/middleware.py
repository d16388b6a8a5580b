"""What every request passes through: clean input, security headers, a JSON 500 that closes nothing.

Where input enters, control characters that no text needs are taken out of every request body.

A NUL byte cannot be stored in PostgreSQL (a 500, so a crisis message with one got no answer and no
alert), and no young person or member of staff means one. JSON and form bodies are decoded, every
string in them cleaned (api.risk.clean_text), and passed on re-encoded; anything that is not
valid JSON or a form passes untouched for the route to refuse with a reason. Twilio's webhooks are
signed over the exact parameters, so they are cleaned after the signature check (api/routes/twilio.py).
"""

import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi.responses import JSONResponse

from api.risk import clean_text

log = logging.getLogger(__name__)

_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_CONTROL = re.compile(rb"%(?:0[0-8bcef]|1[0-9a-f]|7f)")
# Signed bodies: cleaned by the route after checking the signature.
SIGNED_PATHS = ("/webhooks/twilio/",)
_CONTROL_ESCAPES = tuple(f"\\u{n:04x}".encode() for n in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


def clean(value: Any) -> Any:
    """Every string in a decoded JSON value, cleaned (keys too)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean(v) for k, v in value.items()}
    return value


def _has_control(body: bytes) -> bool:
    lowered = body.lower()
    return bool(_RAW_CONTROL.search(body) or _FORM_CONTROL.search(lowered)) or any(
        e in lowered for e in _CONTROL_ESCAPES
    )


def cleaned_body(content_type: str, body: bytes) -> bytes:
    """The body with control characters taken out of its strings (unchanged when it has none)."""
    if not body or not _has_control(body):
        return body
    if content_type.startswith("application/json"):
        try:
            return json.dumps(clean(json.loads(_RAW_CONTROL.sub(b"", body)))).encode()
        except (ValueError, UnicodeDecodeError):
            return body
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return body
        return urlencode([(clean_text(k), clean_text(v)) for k, v in pairs]).encode()
    return body


class CleanInputMiddleware:
    """Cleans JSON and form bodies before any route reads them (pure ASGI)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        if scope.get("path", "").startswith(SIGNED_PATHS):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if not content_type.startswith(("application/json", "application/x-www-form-urlencoded")):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = cleaned_body(content_type, b"".join(chunks))
        if len(body) != sum(len(c) for c in chunks):
            scope = dict(scope)
            scope["headers"] = [
                (k, str(len(body)).encode() if k == b"content-length" else v) for k, v in scope.get("headers") or []
            ]
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}]), send)


def _replay(messages: list[dict[str, Any]]) -> Any:
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


# Nothing from third parties, no inline script or style, no framing (every response).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every HTTP response, and `Cache-Control: no-store` to all but the static
    files: staff pages, alerts, exports and chats never stay in a shared or browser cache (pure ASGI)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if b"cache-control" not in present and not scope.get("path", "").startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class ServerErrorMiddleware:
    """An unexpected error is a 500 with a reason in JSON, logged with its request id, and the connection
    stays open: Starlette's own handler re-raises after answering, and the server then drops the
    kept-alive connection without saying so (pure ASGI)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watch = _Watched(send)
        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error", extra={"path": scope.get("path")})
            if watch.started:  # half an answer is already on its way: nothing better can be said
                raise
            detail = "something went wrong on our side; please try again, and tell us if it keeps happening"
            await JSONResponse({"detail": detail}, status_code=500)(scope, receive, send)


class _TooLarge(Exception):
    pass


class _Watched:
    """An ASGI `send` that remembers whether the answer has begun (then no other answer can be sent)."""

    def __init__(self, send: Any) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: dict[str, Any]) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class BodyLimitMiddleware:
    """A body over `limit()` bytes is refused with 413 and a reason, before it is read into memory: by its
    Content-Length at once, or as it streams in (pure ASGI)."""

    def __init__(self, app: Any, limit: Callable[[], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limit()
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen, watch = 0, _Watched(send)

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, watch)
        except _TooLarge:
            if not watch.started:
                await _too_large(limit)(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    detail = f"the request body is larger than {limit:,} bytes"
    return JSONResponse({"detail": detail, "errors": [detail]}, status_code=413, headers={"Connection": "close"})
