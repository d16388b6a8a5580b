"""Liveness: GET /health."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(prefix="/health", tags=["operations"])


@router.get("")
def health(request: Request) -> JSONResponse:
    """200 once the bot can answer."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok", "council": engine.pack.council_name})
