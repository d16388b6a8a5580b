"""Builds the FastAPI app: the engine, the channels and the error handling."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
from api.routes.middleware import CleanInputMiddleware, SecurityHeadersMiddleware, ServerErrorMiddleware
from api.routes.pages import alerts as alert_pages
from api.routes.pages import dashboard, inbox
from api.routes.pages.views import NoAccess, no_access_page
from api.services import demo
from api.services import themes as theme_model

log = logging.getLogger(__name__)


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

    app.add_exception_handler(NoAccess, no_access_page)
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
