"""Office hours: weekdays 9 to 5 in London, England and Wales bank holidays, closed days, deadlines."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from api import office_hours as clock
from api.config import get_settings
from api.office_hours import OfficeHours

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def hours() -> OfficeHours:
    return OfficeHours(get_settings())


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-25T10:00", True),  # a Wednesday
        ("2026-11-25T08:59", False),
        ("2026-11-25T17:00", False),
        ("2026-11-28T11:00", False),  # Saturday
        ("2026-12-25T11:00", False),  # Christmas Day, a Friday
        ("2026-12-28T11:00", False),  # the Boxing Day bank holiday, moved to Monday
        ("2026-08-31T11:00", False),  # summer bank holiday
        ("2026-12-29T11:00", True),
    ],
)
def test_open_on_working_days_in_office_hours(hours, moment, open_):
    assert hours.is_open(at(moment)) is open_


def test_british_summer_time_is_counted(hours):
    assert hours.is_open(datetime(2026, 7, 1, 8, 30, tzinfo=UTC))  # 9:30 in London
    assert not hours.is_open(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))  # 8:30 in London


def test_next_opening(hours):
    assert hours.next_opening(at("2026-11-27T18:00")) == at("2026-11-30T09:00")
    assert hours.next_opening(at("2026-12-24T17:30")) == at("2026-12-29T09:00")
    assert hours.next_opening(at("2026-11-25T07:00")) == at("2026-11-25T09:00")


def test_working_hours_run_over_nights_weekends_and_bank_holidays(hours):
    assert hours.add_working_hours(at("2026-11-25T10:00"), 8) == at("2026-11-26T10:00")
    assert hours.add_working_hours(at("2026-11-27T16:00"), 8) == at("2026-11-30T16:00")
    assert hours.add_working_hours(at("2026-11-28T11:00"), 8) == at("2026-11-30T17:00")
    assert hours.add_working_hours(at("2026-12-24T16:30"), 2) == at("2026-12-29T10:30")


def test_working_days_for_a_stage_1_answer(hours):
    assert hours.add_working_days(at("2026-11-25T10:00"), 10) == at("2026-12-09T17:00")
    assert hours.add_working_days(at("2026-12-18T10:00"), 10) == at("2027-01-06T17:00")  # 3 bank holidays


def test_times_in_words(hours):
    now = at("2026-11-25T10:00")
    assert hours.describe(at("2026-11-25T11:00"), now) == "11am today"
    assert hours.describe(at("2026-11-25T12:30"), now) == "12:30pm today"
    assert hours.describe(at("2026-11-26T17:00"), now) == "5pm tomorrow"
    assert hours.describe(at("2026-11-30T10:00"), now) == "10am on Monday 30 November"
    assert hours.describe_hours() == "Monday to Friday, 9am to 5pm"


def test_days_the_council_closes_are_skipped():
    hours = OfficeHours(get_settings().model_copy(update={"closed_days": "2026-11-26, 2026-11-27"}))
    assert not hours.is_open(at("2026-11-26T10:00"))
    assert hours.add_working_hours(at("2026-11-25T16:00"), 2) == at("2026-11-30T10:00")


def test_tests_can_freeze_the_clock(monkeypatch):
    frozen = datetime(2026, 12, 25, 10, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: frozen)
    assert clock.office_hours().now() == frozen
