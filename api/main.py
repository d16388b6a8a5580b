"""Builds the FastAPI app: the engine, the channels and the error handling."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import logs, migrate
from api.config import ROOT, Settings, get_settings
from api.engine.core import Engine
from api.engine.rasa_remote import RasaEngine
from api.jobs import OutboxWorker
from api.routes import alerts, auth, chat, feedback, health, nlu, requests, rest, themes, twilio
from api.routes.middleware import CleanInputMiddleware
from api.routes.pages import alerts as alert_pages
from api.routes.pages import dashboard, inbox
from api.services import demo
from api.services import themes as theme_model

log = logging.getLogger(__name__)

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
    """Adds SECURITY_HEADERS to every HTTP response (pure ASGI: no buffering of bodies)."""

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
        started = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error", extra={"path": scope.get("path")})
            if started:  # half an answer is already on its way: nothing better can be said
                raise
            detail = "something went wrong on our side; please try again, and tell us if it keeps happening"
            await JSONResponse({"detail": detail}, status_code=500)(scope, receive, send)


def _reasons(exc: RequestValidationError) -> list[str]:
    """Plain-words reasons for each problem of a request."""
    reasons = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        if error.get("type") == "json_invalid":
            reasons.append("the body is not valid JSON")
        elif error.get("type") == "missing":
            reasons.append(f"'{where}' is missing")
        else:
            reasons.append(f"'{where}': {error.get('msg')}")
    return reasons


def prepare_database(settings: Settings) -> None:
    """Upgrade the schema where that is the setting (the embedded default), else refuse one that is behind."""
    if settings.auto_migrate:
        migrate.upgrade()
    migrate.ensure_current()
    if settings.environment == "development":
        demo.load_demo()


def load_engine(settings: Settings) -> Engine:
    """The embedded engine (default), or the one that forwards to a Rasa server."""
    if settings.engine == "rasa":
        return RasaEngine.load(settings)
    if settings.engine != "embedded":
        raise ValueError(f"CARING_ENGINE must be 'embedded' or 'rasa', not {settings.engine!r}")
    return Engine.load(settings)


def create_app() -> FastAPI:
    """The whole product on the embedded engine."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = get_settings()
        if settings.environment != "test":
            logs.configure(settings.log_level)
        await run_in_threadpool(prepare_database, settings)
        app.state.engine = await run_in_threadpool(load_engine, settings)
        await run_in_threadpool(theme_model.get_classifier)  # trained or loaded now, not on the first feedback
        missing = [
            name
            for name in ("leaving_care_inbox", "complaints_inbox", "advocacy_inbox", "safeguarding_inbox", "smtp_host")
            if not getattr(settings, name)
        ]
        if missing and settings.environment == "production":
            unset = ", ".join(f"CARING_{name.upper()}" for name in missing)
            log.warning(f"requests will wait in the staff pages only: set {unset}")
        outbox = OutboxWorker(settings.notify_interval)
        outbox.start()
        yield
        await run_in_threadpool(outbox.stop)

    app = FastAPI(title="Caring Promise", version="0.1.0", lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = _reasons(exc)
        status = 400 if any("not valid JSON" in r for r in reasons) else 422
        return JSONResponse({"detail": "; ".join(reasons), "errors": reasons}, status_code=status)

    app.add_middleware(ServerErrorMiddleware)
    app.add_middleware(CleanInputMiddleware)
    app.add_middleware(logs.RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=ROOT / "api" / "static"), name="static")
    for module in (
        health,
        rest,
        nlu,
        twilio,
        feedback,
        auth,
        themes,
        alerts,
        requests,
        inbox,
        dashboard,
        alert_pages,
        chat,
    ):
        app.include_router(module.router)
    return app
