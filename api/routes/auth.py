"""Staff sign-in: OAuth2's password flow at POST /api/auth/token; signing out; ending someone's sessions."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from api.db import unit_of_work
from api.deps import CurrentStaff, RowId, bearer_token, client_address, require_role, within
from api.models import Staff
from api.services.staff import end_sessions, revoke_token, sees, sign_in, sign_in_limit

router = APIRouter(prefix="/api/auth", tags=["auth"])
# One answer for a wrong password, an unknown email and a locked account (services/staff.py sign_in).
REFUSED = "wrong email or password, or too many tries: after 5 wrong tries, wait 15 minutes"


@router.post(
    "/token",
    responses={401: {"description": REFUSED}, 429: {"description": "too many sign-ins from this address"}},
)
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """A bearer token for a staff member's email and password."""
    if not await run_in_threadpool(within, request, sign_in_limit(), client_address(request)):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many sign-ins from this address: try later")
    access_token = await run_in_threadpool(sign_in, form.username, form.password)
    if access_token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, REFUSED, {"WWW-Authenticate": "Bearer"})
    return {"access_token": access_token, "token_type": "bearer"}


@router.delete("/token", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(staff: CurrentStaff, token: Annotated[str | None, Depends(bearer_token)]) -> Response:
    """End the session of the token in use (signing out)."""
    with unit_of_work() as session:
        revoke_token(session=session, token=token or "")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions/{staff_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_staff_sessions(staff_id: RowId, admin: Annotated[Staff, Depends(require_role("admin"))]) -> Response:
    """An admin ends every session of one member of staff (a lost laptop, someone who left)."""
    with unit_of_work() as session:
        person = session.get(Staff, staff_id)
        if person is None or not sees(admin, person.council) or (admin.council and person.council is None):
            # Another council's staff (or a deployment-wide account) are not an admin of one council's to touch.
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no staff member {staff_id}")
        end_sessions(session, person)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
