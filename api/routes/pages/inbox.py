"""Staff pages: sign in, the advisor inbox, one request with its conversation, replies and status changes.

Server-rendered HTML (api/templates/staff/), no JavaScript needed. Every form posts a CSRF token;
a wrong or missing one is refused with 403 and nothing changes.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.contract import REQUEST_KIND_TITLES
from api.deps import RowId, SessionDep, WriteSessionDep, client_address, within
from api.models import Staff
from api.routes.pages.session import (
    end_session,
    keep_login_csrf,
    login_csrf,
    login_csrf_ok,
    signed_in,
    start_session,
)
from api.routes.pages.views import CsrfChecked, page_role, render, templates
from api.routes.requests import out
from api.services.requests import STATUSES, CannotReply, send_reply, set_status, visible_request, visible_requests
from api.services.safeguarding import alert_summary, open_alerts_for_worker
from api.services.staff import sign_in, sign_in_limit

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

STATUS_NAMES = {
    "open": "Open",
    "contacted": "Contacted",
    "closed": "Closed",
    "sent": "Sent to provider",
    "accepted": "Advocate working with them",
    "stage1": "Stage 1",
    "stage1_answered": "Stage 1 answered",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
}
DETAIL_NAMES = {
    "topic": "What it is about",
    "urgency": "How soon",
    "advisor_away": "Their worker (away)",
    "about": "Help wanted with",
    "meeting": "Meeting",
    "what_happened": "What happened",
    "wanted": "What they want to happen",
}


templates.env.globals.update(kind_names=REQUEST_KIND_TITLES, status_names=STATUS_NAMES, detail_names=DETAIL_NAMES)

# The inbox: advisors (their own) and admins (everything).
PageStaff = Annotated[Staff, Depends(page_role("advisor", "admin"))]


@router.get("", include_in_schema=False)
def home(request: Request, session: SessionDep) -> RedirectResponse:
    """The staff home page: the inbox; the dashboard for the participation team; alerts for the duty team."""
    staff = signed_in(session, request)
    if staff is None:
        return RedirectResponse("/staff/login", status.HTTP_303_SEE_OTHER)
    start = {"participation": "/staff/dashboard", "duty": "/staff/alerts"}.get(staff.role, "/staff/inbox")
    return RedirectResponse(start, status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return _render_login(request, None)


def _render_login(request: Request, error: str | None, code: int = 200) -> HTMLResponse:
    token = login_csrf(request)
    page = render(request, "staff/login.html", {"error": error, "csrf": token}, code)
    keep_login_csrf(page, token)
    return page


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in: five wrong passwords lock the account for 15 minutes (and say no more than a wrong one)."""
    if not login_csrf_ok(request, csrf):
        return _render_login(request, "The form had expired. Please try again.", status.HTTP_403_FORBIDDEN)
    if not await run_in_threadpool(within, request, sign_in_limit(), client_address(request)):
        busy = "Too many sign-ins from this network. Please try again in 15 minutes."
        return _render_login(request, busy, status.HTTP_429_TOO_MANY_REQUESTS)
    token = await run_in_threadpool(sign_in, username, password)
    if token is None:
        refused = "Wrong email or password. After 5 wrong tries, an account waits 15 minutes."
        return _render_login(request, refused, status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse("/staff", status.HTTP_303_SEE_OTHER)
    start_session(response, token)
    return response


@router.post("/logout")
def logout(request: Request, session: WriteSessionDep, _: CsrfChecked = None) -> Response:
    """Sign out (this browser's session ends on the server too)."""
    response = RedirectResponse("/staff/login", status.HTTP_303_SEE_OTHER)
    end_session(session, request, response)
    session.commit()
    return response


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, staff: PageStaff, session: SessionDep) -> HTMLResponse:
    """Open requests this member of staff may see, oldest first, with how long each has waited."""
    found = visible_requests(session=session, staff=staff, status="open")
    alerts = open_alerts_for_worker(session, staff.worker_id)
    context = {
        "staff": staff,
        "requests": [out(session, r, staff) for r in found],
        "alerts": [{**alert_summary(a, full=False), "young_person": a.young_person_reference} for a in alerts],
    }
    return render(request, "staff/inbox.html", context)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: RowId, staff: PageStaff, session: SessionDep) -> HTMLResponse:
    """One request: what they asked, the conversation so far, reply by text, mark contacted or closed."""
    found = visible_request(session=session, staff=staff, request_id=request_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request")
    context = {
        "staff": staff,
        "item": out(session, found, staff, detail=True),
        "statuses": STATUSES[found.kind],
        "done": request.query_params.get("done"),
    }
    return render(request, "staff/request.html", context)


@router.post("/requests/{request_id}/status")
def change_status(
    request: Request,
    request_id: RowId,
    staff: PageStaff,
    session: WriteSessionDep,
    new_status: Annotated[str, Form(alias="status", max_length=24)],
    note: Annotated[str, Form(max_length=2000)] = "",
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Move the request on, with a note in its history."""
    found = visible_request(session=session, staff=staff, request_id=request_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request")
    try:
        set_status(session=session, request=found, status=new_status, note=note, by=staff.email)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/requests/{request_id}?done=status", status.HTTP_303_SEE_OTHER)


@router.post("/requests/{request_id}/reply")
async def reply(
    request: Request,
    request_id: RowId,
    staff: PageStaff,
    text: Annotated[str, Form(min_length=1, max_length=1000)],
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Text the young person from the service number."""
    try:
        record = await run_in_threadpool(send_reply, staff=staff, request_id=request_id, text=text)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request") from exc
    except CannotReply:
        return RedirectResponse(f"/staff/requests/{request_id}?done=no-number", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/staff/requests/{request_id}?done=reply-{record.status}", status.HTTP_303_SEE_OTHER)
