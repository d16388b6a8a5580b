"""Theme figures for the participation team: GET /api/themes/summary."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, ThemesReader
from api.services.feedback import find_feedback, summarise

router = APIRouter(prefix="/api/themes", tags=["themes"])


@router.get("/summary")
def summary(
    staff: ThemesReader,
    session: SessionDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> dict:
    """Counts per theme by week, channel and sentiment between two dates (inclusive), for the member of staff's
    council (every council's for staff of every council)."""
    return summarise(find_feedback(session=session, start=start, end=end, council=staff.council))
