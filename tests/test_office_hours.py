"""Office hours: weekdays 9 to 5 in London, England and Wales bank holidays, closed days, deadlines in words."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.config import get_settings
from api.services import office_hours as clock
from api.services.office_hours import OfficeHours

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """A moment in London time: at("2026-11-25T10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def hours() -> OfficeHours:
    return OfficeHours(get_settings())


def test_the_defaults_are_the_ones_tested_here():
    settings = get_settings()
    assert (settings.timezone, settings.office_opens, settings.office_closes) == ("Europe/London", time(9), time(17))
    assert settings.closed_days == ""


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-25T10:00", True),  # a Wednesday
        ("2026-11-25T09:00", True),  # opening time is open
        ("2026-11-25T16:59", True),
        ("2026-11-25T08:59", False),
        ("2026-11-25T17:00", False),  # closing time is closed
        ("2026-11-28T11:00", False),  # Saturday
        ("2026-11-29T11:00", False),  # Sunday
        ("2026-12-24T11:00", True),  # Christmas Eve is a working day
        ("2026-12-25T11:00", False),  # Christmas Day, a Friday
        ("2026-12-28T11:00", False),  # Boxing Day falls on a Saturday: the bank holiday is Monday 28th
        ("2026-12-29T11:00", True),
        ("2026-08-31T11:00", False),  # summer bank holiday
        ("2026-04-03T11:00", False),  # Good Friday
        ("2026-04-06T11:00", False),  # Easter Monday (England and Wales, not Scotland)
        ("2026-08-03T11:00", True),  # Scotland's summer bank holiday is not ours
    ],
)
def test_open_on_working_days_in_office_hours(hours, moment, open_):
    assert hours.is_open(at(moment)) is open_


def test_british_summer_time_is_counted(hours):
    assert hours.is_open(datetime(2026, 7, 1, 8, 30, tzinfo=UTC))  # 09:30 in London
    assert not hours.is_open(datetime(2026, 7, 1, 16, 30, tzinfo=UTC))  # 17:30 in London
    assert not hours.is_open(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))  # 08:30 in London (GMT)
    assert hours.is_open(datetime(2026, 12, 1, 16, 30, tzinfo=UTC))
    assert hours.is_open(datetime(2026, 7, 1, 8, 30))  # a naive time (as SQLite returns) is UTC


def test_next_opening(hours):
    assert hours.next_opening(at("2026-11-27T18:00")) == at("2026-11-30T09:00")  # Friday evening: Monday
    assert hours.next_opening(at("2026-12-24T17:30")) == at("2026-12-29T09:00")  # over Christmas
    assert hours.next_opening(at("2026-11-25T07:00")) == at("2026-11-25T09:00")  # early: the same morning
    assert hours.next_opening(at("2026-11-25T17:00")) == at("2026-11-26T09:00")
    assert hours.next_opening(at("2026-11-25T10:15")) == at("2026-11-25T10:15")  # open: now
    assert hours.next_opening(datetime(2026, 7, 1, 5, 0, tzinfo=UTC)) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_working_hours_run_over_nights_weekends_and_bank_holidays(hours):
    assert hours.add_working_hours(at("2026-11-25T10:00"), 8) == at("2026-11-26T10:00")
    # Friday 16:00-17:00 is one hour; the other seven are Monday 9:00-16:00
    assert hours.add_working_hours(at("2026-11-27T16:00"), 8) == at("2026-11-30T16:00")
    assert hours.add_working_hours(at("2026-11-28T11:00"), 8) == at("2026-11-30T17:00")  # from Saturday
    assert hours.add_working_hours(at("2026-12-24T16:30"), 2) == at("2026-12-29T10:30")
    assert hours.add_working_hours(at("2026-11-25T10:00"), 2) == at("2026-11-25T12:00")
    assert hours.add_working_hours(at("2026-11-25T20:00"), 0.5) == at("2026-11-26T09:30")


def test_working_hours_over_the_weekend_the_clocks_change(hours):
    # Clocks go back on Sunday 25 October 2026 and forward on Sunday 29 March 2026.
    assert hours.add_working_hours(at("2026-10-23T16:00"), 8) == datetime(2026, 10, 26, 16, tzinfo=UTC)
    assert hours.add_working_hours(at("2026-03-27T16:00"), 8) == datetime(2026, 3, 30, 15, tzinfo=UTC)


def test_working_days_for_a_stage_1_answer(hours):
    assert hours.add_working_days(at("2026-11-25T10:00"), 10) == at("2026-12-09T17:00")
    # three bank holidays: Christmas Day, Boxing Day (on 28th) and New Year's Day 2027
    assert hours.add_working_days(at("2026-12-18T10:00"), 10) == at("2027-01-06T17:00")
    assert hours.add_working_days(at("2026-11-28T11:00"), 1) == at("2026-11-30T17:00")  # from Saturday


def test_times_in_words(hours):
    now = at("2026-11-25T10:00")  # a Wednesday
    assert hours.describe(at("2026-11-25T11:00"), now) == "11am today"
    assert hours.describe(at("2026-11-25T12:30"), now) == "12:30pm today"
    assert hours.describe(at("2026-11-25T12:00"), now) == "12pm today"
    assert hours.describe(at("2026-11-26T17:00"), now) == "5pm tomorrow"
    assert hours.describe(at("2026-11-26T09:05"), now) == "9:05am tomorrow"
    assert hours.describe(at("2026-11-30T10:00"), now) == "10am on Monday 30 November"
    assert hours.describe(at("2026-12-29T10:30"), now) == "10:30am on Tuesday 29 December"
    assert hours.describe_day(at("2026-11-30T10:00")) == "Monday 30 November"


def test_times_in_words_are_in_london_time(hours):
    now = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert hours.describe(datetime(2026, 7, 1, 10, 0, tzinfo=UTC), now) == "11am today"
    # 23:30 UTC is 00:30 the next day in London
    assert hours.describe(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), now) == "12:30am tomorrow"


def test_office_hours_in_words(hours):
    assert hours.describe_hours() == "Monday to Friday, 9am to 5pm"
    other = OfficeHours(get_settings().model_copy(update={"office_opens": time(8, 30), "office_closes": time(16, 30)}))
    assert other.describe_hours() == "Monday to Friday, 8:30am to 4:30pm"
    assert other.is_open(at("2026-11-25T08:30")) and not other.is_open(at("2026-11-25T16:30"))


def test_days_the_council_closes_are_skipped(hours):
    closed = OfficeHours(get_settings().model_copy(update={"closed_days": "2026-11-26"}))
    assert not closed.is_open(at("2026-11-26T10:00"))  # the Thursday
    assert hours.is_open(at("2026-11-26T10:00"))  # only where it is set
    assert closed.is_open(at("2026-11-25T10:00")) and closed.is_open(at("2026-11-27T10:00"))
    assert closed.add_working_hours(at("2026-11-25T10:00"), 8) == at("2026-11-27T10:00")
    assert closed.next_opening(at("2026-11-25T17:30")) == at("2026-11-27T09:00")
    assert closed.add_working_days(at("2026-11-25T10:00"), 10) == at("2026-12-10T17:00")


def test_several_closed_days_with_spaces():
    closed = OfficeHours(get_settings().model_copy(update={"closed_days": " 2026-11-26, 2026-11-27 ,"}))
    assert not closed.is_open(at("2026-11-26T10:00")) and not closed.is_open(at("2026-11-27T10:00"))
    assert closed.add_working_hours(at("2026-11-25T16:00"), 2) == at("2026-11-30T10:00")


def test_tests_can_freeze_the_clock(monkeypatch):
    frozen = datetime(2026, 12, 25, 10, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: frozen)
    calendar = clock.office_hours()
    assert calendar.now() == frozen
    assert not calendar.is_open(calendar.now())  # Christmas Day
    # describe() without a moment counts "today" from the frozen clock
    assert calendar.describe(at("2026-12-25T15:00")) == "3pm today"
    assert calendar.describe(at("2026-12-26T15:00")) == "3pm tomorrow"


def test_the_calendar_follows_the_settings(monkeypatch):
    first = clock.office_hours()
    assert clock.office_hours() is first  # made once for the same settings
    changed = get_settings().model_copy(update={"closed_days": "2026-11-26"})
    monkeypatch.setattr(clock, "get_settings", lambda: changed)
    assert not clock.office_hours().is_open(at("2026-11-26T10:00"))
    monkeypatch.undo()
    assert clock.office_hours().is_open(at("2026-11-26T10:00"))
