"""Liveness (GET /health) and readiness (GET /ready) for load balancers and orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from api import migrate
from api.config import get_settings
from api.content import councils, get_pack
from api.db import get_engine

router = APIRouter(prefix="", tags=["operations"])


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """200 once the bot can answer."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    served = councils(get_settings().content_dir)
    return JSONResponse({"status": "ok", "council": get_pack().council_name, "councils": list(served)})


def _checks(request: Request) -> dict[str, bool]:
    engine = getattr(request.app.state, "engine", None)
    checks = {"engine": bool(engine and engine.ready())}
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        current, head = migrate.revisions()
        checks["database"], checks["schema"] = True, current == head
    except Exception:  # noqa: BLE001  (any failure means not ready; the reason is in the logs)
        checks["database"], checks["schema"] = False, False
    return checks


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    """200 when the database answers at the right schema and the engine can answer; else 503 and which failed."""
    checks = await run_in_threadpool(_checks, request)
    status = 200 if all(checks.values()) else 503
    return JSONResponse({"status": "ready" if status == 200 else "not ready", **checks}, status_code=status)
