"""Builds the FastAPI app: the engine, the channels and the error handling."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import logs, migrate
from api.config import ROOT, Settings, get_settings
from api.engine.core import Engine
from api.engine.rasa_remote import RasaEngine
from api.jobs import OutboxWorker
from api.routes import alerts, auth, chat, feedback, health, nlu, requests, rest, themes, twilio
from api.routes.middleware import (
    BodyLimitMiddleware,
    CleanInputMiddleware,
    SecurityHeadersMiddleware,
    ServerErrorMiddleware,
)
from api.routes.pages import alerts as alert_pages
from api.routes.pages import dashboard, inbox, learning
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

    docs = bool(get_settings().api_docs)  # off in production unless CARING_API_DOCS=true
    app = FastAPI(
        title="Caring Promise",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = _reasons(exc)
        status = 400 if any("not valid JSON" in r for r in reasons) else 422
        return JSONResponse({"detail": "; ".join(reasons), "errors": reasons}, status_code=status)

    app.add_exception_handler(NoAccess, no_access_page)
    app.add_middleware(ServerErrorMiddleware)
    app.add_middleware(CleanInputMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=lambda: get_settings().max_body_bytes)
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
        learning,
        alert_pages,
        chat,
    ):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# Every error this API returns: a reason in plain words (and, for a bad request, each problem).
ERROR_BODY = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "what was wrong, in plain words"},
        "errors": {"type": "array", "items": {"type": "string"}, "description": "each problem of a bad request"},
    },
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, saying what errors really look like: 400 and 422 (and 413, 429, 500) carry
    {"detail": str, "errors"?: [str]}, not FastAPI's default validation shape."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("ValidationError", None)
    components["HTTPValidationError"] = ERROR_BODY
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["400"] = {"description": "the body is not valid JSON", **error}
            if "requestBody" in operation:
                responses.setdefault("413", {"description": "the request body is too large", **error})
            responses.setdefault("500", {"description": "something went wrong on our side", **error})
            for code, response in responses.items():
                if code in {"400", "401", "403", "404", "413", "422", "429"} and "content" not in response:
                    response.update(error)
    app.openapi_schema = schema
    return schema
