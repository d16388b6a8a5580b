"""Safeguarding alerts for admins (the duty team's view until staff pages exist)."""

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlmodel import select

from api.deps import AdminOnly, SessionDep
from api.models import SafeguardingAlert

router = APIRouter(prefix="/api/alerts", tags=["safeguarding"])


class AlertOut(BaseModel):
    """An alert as the duty team sees it."""

    id: int
    created_at: str
    channel: str
    kind: str
    conversation_id: str
    text: str
    status: str


class AlertUpdate(BaseModel):
    """What the duty team did about it."""

    status: Literal["acknowledged", "closed"]


def _out(alert: SafeguardingAlert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        created_at=alert.created_at.isoformat(timespec="seconds"),
        channel=alert.channel,
        kind=alert.kind,
        conversation_id=alert.conversation_id,
        text=alert.text,
        status=alert.status,
    )


@router.get("", response_model=list[AlertOut])
def list_alerts(staff: AdminOnly, session: SessionDep, status: str = "new") -> list[AlertOut]:
    """Alerts with this status (default: new), oldest first: the longest waiting at the top."""
    query = select(SafeguardingAlert).where(SafeguardingAlert.status == status).order_by(SafeguardingAlert.created_at)
    return [_out(alert) for alert in session.exec(query)]


@router.patch("/{alert_id}", response_model=AlertOut)
def update_alert(alert_id: int, body: AlertUpdate, staff: AdminOnly, session: SessionDep) -> AlertOut:
    """Mark an alert acknowledged or closed."""
    alert = session.get(SafeguardingAlert, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert")
    alert.status = body.status
    session.add(alert)
    session.commit()
    return _out(alert)
