"""The leaving care team's office hours: open now or not, the next working morning, deadlines in working time.

Working days are Monday to Friday except bank holidays in England and Wales (the `holidays`
package) and any days the council closes (`CARING_CLOSED_DAYS`). Times are the council's own
(Europe/London); they are stored in UTC.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from api.config import Settings, get_settings

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def now() -> datetime:
    """The current moment (UTC). Tests replace this to freeze time."""
    return datetime.now(UTC)


def _clock(moment: time) -> str:
    """9am, 5pm, 12:30pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


class OfficeHours:
    """One council's working calendar."""

    def __init__(self, settings: Settings) -> None:
        self.zone = ZoneInfo(settings.timezone)
        self.opens = settings.office_opens
        self.closes = settings.office_closes
        # England and Wales share their bank holidays; "ENG" is that calendar.
        self.bank_holidays = holidays.country_holidays("GB", subdiv="ENG")
        self.closed = {date.fromisoformat(d.strip()) for d in settings.closed_days.split(",") if d.strip()}

    @staticmethod
    def now() -> datetime:
        """The current moment (through the module's `now`, which tests freeze)."""
        return now()

    def local(self, moment: datetime) -> datetime:
        """A moment in council time (naive datetimes are taken as UTC, as SQLite returns them)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday, not a day the council is closed."""
        return day.weekday() < 5 and day not in self.bank_holidays and day not in self.closed

    def is_open(self, moment: datetime) -> bool:
        """Whether the office is open at this moment."""
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """When the office next opens after this moment (the moment itself when it is open)."""
        local = self.local(moment)
        if self.is_open(local):
            return local
        day = local.date()
        if local.time() >= self.opens:
            day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.opens, tzinfo=self.zone)

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` of office time after this one (counting from the next opening when closed)."""
        start = self.next_opening(moment)
        remaining = timedelta(hours=hours)
        while True:
            end_of_day = datetime.combine(start.date(), self.closes, tzinfo=self.zone)
            if remaining <= end_of_day - start:
                return start + remaining
            remaining -= end_of_day - start
            start = self.next_opening(end_of_day)

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """Closing time on the `days`-th working day after this moment's day (a Stage 1 complaint: 10)."""
        day = self.local(moment).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, self.closes, tzinfo=self.zone)

    def describe(self, due: datetime, moment: datetime | None = None) -> str:
        """When, in words read at a glance: '11am today', '5pm tomorrow', '10am on Monday 30 November'."""
        due, today = self.local(due), self.local(moment or now()).date()
        if due.date() == today:
            return f"{_clock(due.time())} today"
        if due.date() == today + timedelta(days=1):
            return f"{_clock(due.time())} tomorrow"
        return f"{_clock(due.time())} on {self.describe_day(due)}"

    def describe_day(self, moment: datetime) -> str:
        """'Monday 30 November'."""
        local = self.local(moment)
        return f"{DAY_NAMES[local.weekday()]} {local.day} {local.strftime('%B')}"

    def describe_hours(self) -> str:
        """'Monday to Friday, 9am to 5pm'."""
        return f"Monday to Friday, {_clock(self.opens)} to {_clock(self.closes)}"


_current: tuple[Settings, OfficeHours] | None = None


def office_hours() -> OfficeHours:
    """The configured council's calendar (made again when the settings change)."""
    global _current
    settings = get_settings()
    if _current is None or _current[0] is not settings:
        _current = (settings, OfficeHours(settings))
    return _current[1]
