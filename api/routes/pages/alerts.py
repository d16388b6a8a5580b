"""The duty team's pages: safeguarding alerts waiting to be acted on, one alert with the conversation
around it and who the young person is (when the directory knows their number), acknowledge or close.
The duty team and admins only; every form carries a CSRF token."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.contract import CHANNEL_TITLES
from api.deps import RowId, SessionDep, WriteSessionDep
from api.models import SafeguardingAlert, Staff
from api.risk import get_assessor
from api.risk.kinds import KIND_TITLES, LEVEL_TITLES
from api.routes.pages.views import CsrfChecked, page_role, render, templates
from api.services.safeguarding import (
    STATUSES,
    alerts_with,
    conversation_around,
    set_alert_status,
    visible_alert,
    young_person_of,
)
from api.services.staff import SAFEGUARDING_ROLES

router = APIRouter(prefix="/staff/alerts", tags=["pages"], include_in_schema=False)
DutyTeam = Annotated[Staff, Depends(page_role(*SAFEGUARDING_ROLES))]
ALERT_STATUS_NAMES = {status: status.capitalize() for status in STATUSES}  # New, Acknowledged, Closed


def spotted_by(matched: str) -> str:
    """How the risk check recognised it, in words (matched is pattern:<id>, language:<code>...)."""
    how, _, detail = matched.partition(":")
    return {
        "pattern": f"A safeguarding pattern ({detail})",
        "language": f"A crisis phrase in {get_assessor().language_name(detail)}",
        "classifier": "The safeguarding classifier",
        "button": "They pressed the help-now button",
        "context": f"What came before ({detail})",
        "rasa": "The Rasa server's model",
    }.get(how, matched or "not recorded")


templates.env.globals.update(
    spotted_by=spotted_by,
    alert_kind_names=KIND_TITLES,
    alert_level_names=LEVEL_TITLES,
    alert_status_names=ALERT_STATUS_NAMES,
    channel_names=CHANNEL_TITLES,
)


@router.get("", response_class=HTMLResponse)
def alerts_page(request: Request, staff: DutyTeam, session: SessionDep) -> HTMLResponse:
    """Alerts not yet closed, the longest waiting first."""
    context = {
        "staff": staff,
        "alerts": alerts_with(session, ("new", "acknowledged"), staff),
    }
    return render(request, "staff/alerts.html", context)


def _alert(session: SessionDep, alert_id: RowId, staff: Staff) -> SafeguardingAlert:
    alert = visible_alert(session, staff, alert_id)
    if alert is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert")
    return alert


@router.get("/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: RowId, staff: DutyTeam, session: SessionDep) -> HTMLResponse:
    """One alert: what they wrote, when, how, who (if known), the conversation around it."""
    alert = _alert(session, alert_id, staff)
    context = {
        "staff": staff,
        "alert": alert,
        "young_person": young_person_of(session, alert),
        "thread": conversation_around(session, alert),
        "done": request.query_params.get("done") == "status",
    }
    return render(request, "staff/alert.html", context)


@router.post("/{alert_id}/status")
def change_alert_status(
    alert_id: RowId,
    staff: DutyTeam,
    session: WriteSessionDep,
    new_status: Annotated[str, Form(alias="status", max_length=16)],
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Acknowledge or close an alert (who and when are kept with it)."""
    alert = _alert(session, alert_id, staff)
    try:
        set_alert_status(session=session, alert=alert, status=new_status, by=staff.email)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/staff/alerts/{alert_id}?done=status", status.HTTP_303_SEE_OTHER)
