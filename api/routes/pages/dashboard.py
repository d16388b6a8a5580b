"""The participation team's dashboard: themes over time, redacted feedback, corrections, You said
we did, CSV export and the Corporate Parenting Panel summary. Participation and admin only; who
said what is never shown."""

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.config import get_settings
from api.content import council_named, councils, get_pack
from api.contract import THEMES
from api.deps import RowId, SessionDep, WriteSessionDep
from api.models import Staff
from api.routes.feedback import Filters, FiltersDep, _items, csv_response, filtered, visible_feedback
from api.routes.pages.charts import weekly_chart
from api.routes.pages.views import CsrfChecked, page_role, render
from api.services.feedback import (
    change_since,
    correct_themes,
    corrections_by_theme,
    find_feedback,
    monday,
    recurring_phrases,
    save_you_said_we_did,
    summarise,
    you_said_we_did,
)
from api.services.languages import language_counts
from api.services.office_hours import office_hours
from api.services.trends import learning_summary, theme_trends

router = APIRouter(prefix="/staff/dashboard", tags=["pages"], include_in_schema=False)
Reader = Annotated[Staff, Depends(page_role("participation", "admin"))]
RECENT = 50  # feedback items listed on the page (the CSV has them all)


def period_of(f: Filters, days: int | None = None) -> Filters:
    """The filters with a period: the dates chosen, else this month so far (or, given `days`, the last
    `days` days)."""
    today = office_hours().local(office_hours().now()).date()
    end = f.end or today
    if f.start:
        start = f.start
    elif days:
        start = end - timedelta(days=days - 1)
    else:
        start = end.replace(day=1) if not f.end else end - timedelta(days=29)
    if start > end:
        raise HTTPException(422, "'from' is after 'to'")
    return replace(f, start=start, end=end)


def _figures(session: Session, f: Filters) -> dict[str, Any]:
    """What the dashboard and the Panel summary show for a period (the filters after `period_of`)."""
    if f.start is None or f.end is None:
        raise ValueError("the filters have no period: pass them through period_of first")
    start, end, council = f.start, f.end, f.council
    items = find_feedback(
        session=session, start=start, end=end, channel=f.channel, sentiment=f.sentiment, council=council
    )
    chart_items = find_feedback(
        session=session, start=end - timedelta(weeks=12), end=end, channel=f.channel, council=council
    )
    summary = summarise(items)
    served = councils(get_settings().content_dir)
    # Staff of every council, looking at all of them: each council's figures side by side.
    compare = (
        {c: summarise([i for i in items if i.council == c])["totals"] for c in served}
        if council is None and len(served) > 1
        else {}
    )
    return {
        "summary": summary,
        "change": change_since(session=session, start=start, end=end, council=council),
        "trends": theme_trends(session=session, week=monday(end), council=council),
        "trends_week": monday(end),
        "corrections": corrections_by_theme(items),
        "reviewed": sum(1 for item in items if item.reviewed),
        "chart": weekly_chart(summarise(chart_items)["weekly"], end),
        "phrases": recurring_phrases(items),
        "languages": language_counts(session=session, start=start, end=end, council=council),
        "entries": you_said_we_did(session=session, council=council or get_settings().council),
        "period_days": (end - start).days + 1,
        "compare": {get_pack(c).council_name: totals for c, totals in compare.items()},
        "councils": [(c, get_pack(c).council_name) for c in served],
        "council_name": get_pack(council).council_name if council else "every council",
    }


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, staff: Reader, session: SessionDep, f: FiltersDep) -> HTMLResponse:
    """Which priorities young people talk about, how that is changing, and what they said (redacted)."""
    f = period_of(f.seen_by(staff))
    recent = filtered(session, f)
    context = {
        "staff": staff,
        "f": f,
        "themes": THEMES,
        "recent": recent[:RECENT],
        "matching": len(recent),
        "export": "/staff/dashboard/export.csv?" + f.query(),
        "panel": "/staff/dashboard/panel?" + replace(f, theme=None, sentiment=None, reviewed=None).query(),
        "done": request.query_params.get("done"),
        **_figures(session, f),
    }
    return render(request, "staff/dashboard.html", context)


@router.get("/panel", response_class=HTMLResponse)
def panel(request: Request, staff: Reader, session: SessionDep, f: FiltersDep) -> HTMLResponse:
    """A printable A4 summary for the Corporate Parenting Panel."""
    f = period_of(f.seen_by(staff))
    examples = {
        theme: find_feedback(session=session, theme=theme, start=f.start, end=f.end, council=f.council)[:2]
        for theme in THEMES
    }
    start, end = f.dates()
    context = {
        "staff": staff,
        "f": f,
        "themes": THEMES,
        "examples": examples,
        **learning_summary(session=session, council=f.council, start=start, end=end),
        **_figures(session, f),
    }
    return render(request, "staff/panel.html", context)


@router.get("/export.csv")
def export(staff: Reader, session: SessionDep, f: FiltersDep) -> Response:
    """What the dashboard's filters show, as CSV (redacted text only)."""
    return csv_response(_items(session, f.seen_by(staff)))


@router.post("/feedback/{item_id}/themes")
def correct(
    request: Request,
    item_id: RowId,
    staff: Reader,
    session: WriteSessionDep,
    themes: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI reads the form; none ticked is [])
    back: Annotated[str, Form(max_length=500)] = "",
    _: CsrfChecked = None,
) -> RedirectResponse:
    """A reviewer's themes for one piece of feedback (stored, shown as reviewed, used to retrain)."""
    item = visible_feedback(session, staff, item_id)
    try:
        correct_themes(session=session, item=item, themes=themes, by=staff.email)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return RedirectResponse(_back(back, "reviewed") + f"#feedback-{item_id}", status.HTTP_303_SEE_OTHER)


@router.post("/you-said-we-did")
def you_said(
    request: Request,
    staff: Reader,
    session: WriteSessionDep,
    theme: Annotated[str, Form(max_length=16)],
    you_said: Annotated[str, Form(max_length=1000)] = "",
    we_did: Annotated[str, Form(max_length=1000)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
    council: Annotated[str, Form(max_length=64)] = "",
    _: CsrfChecked = None,
) -> RedirectResponse:
    """Write what the council did about a theme (their own council's; staff of every council choose); the bot
    tells that council's young people who ask."""
    try:
        whose = staff.council or council_named(council or None)
        save_you_said_we_did(
            session=session, council=whose, theme=theme, you_said=you_said, we_did=we_did, by=staff.email
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return RedirectResponse(_back(back, "saved") + "#you-said-we-did", status.HTTP_303_SEE_OTHER)


def _back(back: str, done: str) -> str:
    """Back to the dashboard with its filters (only ever a dashboard address: no open redirect)."""
    query = back.split("?", 1)[1] if back.startswith("/staff/dashboard?") else ""
    kept = "&".join(part for part in query.split("&") if part and not part.startswith("done="))
    return f"/staff/dashboard?{kept + '&' if kept else ''}done={done}"
