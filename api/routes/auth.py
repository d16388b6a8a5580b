"""Staff sign-in: OAuth2's password flow at POST /api/auth/token."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from api.db import unit_of_work
from api.services.staff import LockedOut, authenticate, issue_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _sign_in(email: str, password: str) -> str | None:
    with unit_of_work() as session:
        staff = authenticate(session=session, email=email, password=password)
        return issue_token(session=session, staff=staff) if staff else None


@router.post("/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """A bearer token for a staff member's email and password."""
    try:
        access_token = await run_in_threadpool(_sign_in, form.username, form.password)
    except LockedOut as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many failed sign-ins: try again in 15 minutes"
        ) from exc
    if access_token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password", {"WWW-Authenticate": "Bearer"})
    return {"access_token": access_token, "token_type": "bearer"}
