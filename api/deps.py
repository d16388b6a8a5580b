"""Annotated shortcuts for route dependencies."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.config import Settings, get_settings
from api.db import get_session, get_write_session
from api.engine.core import Engine
from api.models import Staff
from api.services.ratelimit import Limit
from api.services.staff import SAFEGUARDING_ROLES, staff_for_token

_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def client_address(request: Request) -> str:
    """Who is calling: the connection's address (uvicorn puts the client's there only for trusted proxies)."""
    return request.client.host if request.client else "unknown"


def exempt(request: Request) -> bool:
    """Whether the caller is never rate limited (CARING_RATE_LIMIT_EXEMPT: this machine by default)."""
    return client_address(request) in {a.strip() for a in get_settings().rate_limit_exempt.split(",") if a.strip()}


def within(request: Request, limit: Limit, who: str) -> bool:
    """Count a call against a limit; True when it may go on (always, for an exempt caller)."""
    return exempt(request) or limit.allow(who)


def held_back(request: Request, engine: Engine, text: str, checks: list[tuple[Limit, str]]) -> bool:
    """Whether a message is over a rate limit (each check counts it). A message at risk is never held
    back: it is answered whatever the rate."""
    if exempt(request) or all(limit.allow(who) for limit, who in checks):
        return False
    return not engine.understand(text).safety.at_risk


async def get_conversation_engine(request: Request) -> Engine:
    """The engine loaded at start-up (async: read on the event loop, without a hop to the thread pool)."""
    return request.app.state.engine


SessionDep = Annotated[Session, Depends(get_session)]
# Every route that writes takes this one (api/db.py get_write_session): one write path for all.
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_conversation_engine)]


def bearer_token(token: Annotated[str | None, Depends(_bearer)]) -> str | None:
    """The bearer token of the request, if any."""
    return token


def current_staff(session: SessionDep, token: Annotated[str | None, Depends(_bearer)]) -> Staff:
    """The signed-in staff member; 401 without a valid token."""
    staff = staff_for_token(session=session, token=token) if token else None
    if staff is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first", {"WWW-Authenticate": "Bearer"})
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def require_role(*roles: str) -> Callable[[Staff], Staff]:
    """A dependency that lets in only these roles (403 for any other signed-in staff)."""

    def check(staff: CurrentStaff) -> Staff:
        if staff.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role cannot see this")
        return staff

    return check


# The participation team and admins: themes and redacted feedback, never identities.
ThemesReader = Annotated[Staff, Depends(require_role("participation", "admin"))]
# The duty team and admins: safeguarding alerts (they hold what a young person wrote, unredacted).
DutyTeam = Annotated[Staff, Depends(require_role(*SAFEGUARDING_ROLES))]

# A row id in a path: a positive integer that the id columns hold (32-bit on PostgreSQL, whose SERIAL ids
# stop at 2^31 - 1): a bigger one is a 422 with the reason, never a database error.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
