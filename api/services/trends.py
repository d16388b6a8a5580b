"""Trends for the participation team: a theme rising beyond its usual range this week, on the dashboard
and in a weekly email (with the top unanswered questions and whether answers helped), sent once a week
by the outbox worker to the council's participation inbox (CARING_PARTICIPATION_INBOX).

A theme's usual range is the mean of its weekly counts over the USUAL_WEEKS weeks before, plus two
standard deviations (and at least RISE_MIN more than the mean, so 0 -> 2 is not a trend). A week
above it, with at least FLAG_MIN items, is flagged as rising.
"""

import logging
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.config import get_settings
from api.content import councils, get_pack
from api.contract import THEMES
from api.db import get_engine, unit_of_work
from api.models import TrendEmail
from api.services import gaps
from api.services.feedback import find_feedback, monday, summarise
from api.services.notify import notify
from api.services.office_hours import office_hours
from api.services.ratings import helpfulness

log = logging.getLogger(__name__)

USUAL_WEEKS = 8
RISE_MIN = 2.0  # a rise smaller than this over the mean is never a trend
FLAG_MIN = 3  # nor a week with fewer items than this
SEND_FROM_HOUR = 8  # the weekly email goes on Monday from this hour (local), or as soon after as a server runs
TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Trend:
    """One theme's count in a week against its usual range."""

    theme: str
    count: int
    usual: float  # the mean of the weeks before
    high: float  # the top of the usual range

    @property
    def rising(self) -> bool:
        return self.count > self.high and self.count >= FLAG_MIN


def theme_trends(*, session: Session, week: date, council: str | None) -> list[Trend]:
    """Each theme's count in the week beginning `week` (a Monday) against the USUAL_WEEKS before it."""
    first = week - timedelta(weeks=USUAL_WEEKS)
    items = find_feedback(session=session, start=first, end=week + timedelta(days=6), council=council)
    weekly = {row["week"]: row for row in summarise(items)["weekly"]}
    weeks = [(first + timedelta(weeks=i)).isoformat() for i in range(USUAL_WEEKS + 1)]
    trends = []
    for theme in THEMES:
        *before, now = (weekly.get(w, {}).get(theme, 0) for w in weeks)
        usual = statistics.fmean(before)
        high = max(usual + 2 * statistics.pstdev(before), usual + RISE_MIN)
        trends.append(Trend(theme, now, round(usual, 1), round(high, 1)))
    return trends


def learning_summary(*, session: Session, council: str | None, start: date, end: date) -> dict:
    """For the Panel summary and the weekly email: the commonest questions not answered in the period, and
    whether answers helped (a council's, or every council's)."""
    unanswered = gaps.find_unanswered(session=session, council=council, start=start, end=end)
    rated = helpfulness(session=session, pack=get_pack(council), council=council, start=start, end=end)
    yes, total = sum(r.yes for r in rated), sum(r.rated for r in rated)
    return {
        "questions": gaps.clusters(unanswered)[:TOP_QUESTIONS],
        "unanswered": len(unanswered),
        "rated": total,
        "helped": round(100 * yes / total) if total else None,
        "least_helpful": [r for r in rated if r.no][:3],
    }


def weekly_report(*, session: Session, week: date, council: str) -> dict:
    """What the weekly email says for a council and the week beginning `week`: the themes against their
    usual range, the commonest questions not answered, and whether answers helped."""
    end = week + timedelta(days=6)
    return {
        "council_name": get_pack(council).council_name,
        "week": week,
        "end": end,
        "trends": theme_trends(session=session, week=week, council=council),
        "feedback": len(find_feedback(session=session, start=week, end=end, council=council)),
        "public_url": (get_settings().public_url or "").rstrip("/"),
        **learning_summary(session=session, council=council, start=week, end=end),
    }


def send_weekly_trends(now: datetime | None = None) -> int:
    """Queue last week's email for each council with a participation inbox, once (from Monday morning);
    how many were queued."""
    settings = get_settings()
    local = office_hours().local(now or office_hours().now())
    if local.weekday() == 0 and local.hour < SEND_FROM_HOUR:
        return 0
    week = monday(local.date()) - timedelta(weeks=1)
    waiting = [(c, to) for c in councils(settings.content_dir) if (to := settings.inbox("participation_inbox", c))]
    if waiting:  # every outbox round asks: a read, not SQLite's writer lock, unless an email is due
        with Session(get_engine()) as session:
            waiting = [(c, to) for c, to in waiting if session.get(TrendEmail, (c, week.isoformat())) is None]
    queued = 0
    for council, to in waiting:
        try:
            with unit_of_work() as session:
                if session.get(TrendEmail, (council, week.isoformat())) is not None:
                    continue
                report = weekly_report(session=session, week=week, council=council)
                notify(session, "weekly_trends_email", report, to=to)
                session.add(TrendEmail(council=council, week=week.isoformat()))
        except IntegrityError:  # another server process queued it a moment ago
            continue
        queued += 1
    if queued:
        log.info("weekly themes email queued", extra={"councils": queued, "week": week.isoformat()})
    return queued
