"""Safeguarding alerts for the duty team (and admins): the API beside the /staff/alerts pages."""

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.deps import DutyTeam, RowId, SessionDep, WriteSessionDep
from api.models import SafeguardingAlert, row_id
from api.services.safeguarding import STATUSES, alerts_with, set_alert_status, visible_alert

router = APIRouter(prefix="/api/alerts", tags=["safeguarding"])


class AlertOut(BaseModel):
    """An alert as the duty team sees it."""

    id: int
    created_at: str
    channel: str
    kind: str
    level: str
    language: str | None
    conversation_id: str
    young_person_reference: str | None
    text: str
    status: str
    handled_by: str | None
    handled_at: str | None


class AlertUpdate(BaseModel):
    """What the duty team did about it."""

    status: Literal["acknowledged", "closed"]


def _out(alert: SafeguardingAlert) -> AlertOut:
    return AlertOut(
        id=row_id(alert),
        created_at=alert.created_at.isoformat(timespec="seconds"),
        channel=alert.channel,
        kind=alert.kind,
        level=alert.level,
        language=alert.language,
        conversation_id=alert.conversation_id,
        young_person_reference=alert.young_person_reference,
        text=alert.text,
        status=alert.status,
        handled_by=alert.handled_by,
        handled_at=alert.handled_at.isoformat(timespec="seconds") if alert.handled_at else None,
    )


@router.get("", response_model=list[AlertOut])
def list_alerts(staff: DutyTeam, session: SessionDep, status: str = "new") -> list[AlertOut]:
    """Alerts with this status (default: new; `all` for every one), oldest first: the longest waiting at the top."""
    if status != "all" and status not in STATUSES:
        raise HTTPException(422, f"status must be all or one of {', '.join(STATUSES)}")
    return [_out(alert) for alert in alerts_with(session, STATUSES if status == "all" else (status,), staff)]


@router.patch("/{alert_id}", response_model=AlertOut)
def update_alert(alert_id: RowId, body: AlertUpdate, staff: DutyTeam, session: WriteSessionDep) -> AlertOut:
    """Mark an alert acknowledged or closed (who and when are kept)."""
    alert = visible_alert(session, staff, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert")
    set_alert_status(session=session, alert=alert, status=body.status, by=staff.email)
    session.commit()
    return _out(alert)
