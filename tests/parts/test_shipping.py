"""The ship date: next business day with the federal state's public holidays and the 16:00 cut-off in Berlin.
A pure function: no database."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from parts.shipping import ShipDate, add_business_days, is_business_day, next_business_day, ship_date

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
CUTOFF = datetime.time(16, 0)


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def ships(submitted_at, *, state="BY", **kwargs) -> ShipDate:
    return ship_date(submitted_at=submitted_at, country="DE", subdivision=state, cutoff=CUTOFF, **kwargs)


# --- Easter in Bavaria --------------------------------------------------------------------------------------------


def test_thursday_before_good_friday_in_bavaria_before_the_cutoff_ships_on_the_tuesday_after_easter():
    result = ships(berlin(2026, 4, 2, 15, 59))
    assert result == ShipDate(datetime.date(2026, 4, 7), estimated=False, reason="")


@pytest.mark.parametrize("hour, minute", [(16, 0), (17, 30)])
def test_thursday_before_good_friday_at_or_after_the_cutoff_ships_on_the_wednesday(hour, minute):
    result = ships(berlin(2026, 4, 2, hour, minute))
    assert result.date == datetime.date(2026, 4, 8)
    assert not result.estimated and result.reason == ""


def test_good_friday_and_easter_monday_are_no_business_days():
    assert not is_business_day(datetime.date(2026, 4, 3), country="DE", subdivision="BY")
    assert not is_business_day(datetime.date(2026, 4, 6), country="DE", subdivision="BY")
    assert is_business_day(datetime.date(2026, 4, 7), country="DE", subdivision="BY")
    assert next_business_day(datetime.date(2026, 4, 2), country="DE", subdivision="BY") == datetime.date(2026, 4, 7)


# --- The cut-off is Berlin's, in winter and in summer -------------------------------------------------------------


@pytest.mark.parametrize(
    "utc, expected",
    [
        # winter (CET, UTC+1): 14:59 UTC is 15:59 in Berlin, 15:00 UTC is 16:00
        (datetime.datetime(2026, 1, 15, 14, 59, tzinfo=UTC), datetime.date(2026, 1, 16)),
        (datetime.datetime(2026, 1, 15, 15, 0, tzinfo=UTC), datetime.date(2026, 1, 19)),
        # summer (CEST, UTC+2): 13:59 UTC is 15:59 in Berlin, 14:00 UTC is already 16:00
        (datetime.datetime(2026, 7, 16, 13, 59, tzinfo=UTC), datetime.date(2026, 7, 17)),
        (datetime.datetime(2026, 7, 16, 14, 0, tzinfo=UTC), datetime.date(2026, 7, 20)),
        (datetime.datetime(2026, 7, 16, 14, 59, tzinfo=UTC), datetime.date(2026, 7, 20)),
    ],
)
def test_the_cutoff_is_computed_in_berlin_time_across_daylight_saving(utc, expected):
    assert ships(utc).date == expected


def test_the_day_is_berlins_too_late_evening_utc_is_already_the_next_day_in_berlin():
    # 23:30 UTC on Thursday 15 January is 00:30 on Friday in Berlin: handled Friday, ships Monday
    assert ships(datetime.datetime(2026, 1, 15, 23, 30, tzinfo=UTC)).date == datetime.date(2026, 1, 19)


# --- Weekends -----------------------------------------------------------------------------------------------------


def test_friday_before_the_cutoff_ships_on_monday():
    assert ships(berlin(2026, 1, 16, 10, 0)).date == datetime.date(2026, 1, 19)


def test_friday_after_the_cutoff_ships_on_tuesday():
    assert ships(berlin(2026, 1, 16, 16, 30)).date == datetime.date(2026, 1, 20)


@pytest.mark.parametrize("day", [17, 18])
def test_an_order_on_the_weekend_is_handled_on_monday_and_ships_on_tuesday(day):
    assert ships(berlin(2026, 1, day, 9, 0)).date == datetime.date(2026, 1, 20)


# --- Holidays of one federal state only ---------------------------------------------------------------------------


def test_reformation_day_is_a_holiday_in_saxony_but_not_in_bavaria():
    thursday = berlin(2025, 10, 30, 10, 0)  # Friday 31 October 2025 is Reformation Day
    assert ships(thursday, state="SN").date == datetime.date(2025, 11, 3)
    assert ships(thursday, state="BY").date == datetime.date(2025, 10, 31)


def test_corpus_christi_is_a_holiday_in_bavaria_but_not_in_berlin():
    wednesday = berlin(2026, 6, 3, 10, 0)  # Thursday 4 June 2026 is Corpus Christi
    assert ships(wednesday, state="BY").date == datetime.date(2026, 6, 5)
    assert ships(wednesday, state="BE").date == datetime.date(2026, 6, 4)


def test_an_order_on_a_state_holiday_is_handled_the_next_business_day():
    # Corpus Christi in Bavaria: handled Friday 5 June, ships Monday 8 June; in Berlin it is a normal Thursday
    assert ships(berlin(2026, 6, 4, 9, 0), state="BY").date == datetime.date(2026, 6, 8)
    assert ships(berlin(2026, 6, 4, 9, 0), state="BE").date == datetime.date(2026, 6, 5)


def test_without_a_federal_state_only_nationwide_holidays_count():
    assert ships(berlin(2026, 6, 3, 10, 0), state="").date == datetime.date(2026, 6, 4)
    assert ships(berlin(2026, 4, 2, 10, 0), state="").date == datetime.date(2026, 4, 7)


# --- Estimates ----------------------------------------------------------------------------------------------------


def test_unavailable_parts_give_an_estimate_of_the_ship_date_plus_the_backorder_business_days():
    result = ships(berlin(2026, 4, 2, 10, 0), all_available=False, backorder_days=5)
    # Tuesday 7 April plus five business days: 8, 9, 10, 13, 14 April
    assert result == ShipDate(datetime.date(2026, 4, 14), estimated=True, reason="unavailable")
    assert result.date == add_business_days(datetime.date(2026, 4, 7), 5, country="DE", subdivision="BY")


def test_backorder_days_skip_holidays_of_the_state():
    # Wednesday 3 June in Bavaria ships Friday 5 June; two business days later is Tuesday 9 June
    result = ships(berlin(2026, 6, 3, 10, 0), all_available=False, backorder_days=2)
    assert result.date == datetime.date(2026, 6, 9)
    result = ships(berlin(2026, 6, 3, 10, 0), state="BE", all_available=False, backorder_days=2)
    assert result.date == datetime.date(2026, 6, 8)  # Thursday 4 June, then Friday 5 and Monday 8


def test_an_account_not_in_good_standing_gets_an_estimate_with_the_reason_on_hold():
    result = ships(berlin(2026, 4, 2, 10, 0), in_good_standing=False)
    assert result == ShipDate(datetime.date(2026, 4, 7), estimated=True, reason="on_hold")


def test_on_hold_is_the_reason_given_even_when_parts_are_also_unavailable():
    result = ships(berlin(2026, 4, 2, 10, 0), in_good_standing=False, all_available=False)
    assert result.reason == "on_hold" and result.estimated


def test_a_country_the_holidays_package_does_not_know_counts_weekends_only():
    result = ship_date(
        submitted_at=berlin(2026, 12, 24, 10, 0), country="XX", subdivision="", cutoff=CUTOFF, timezone="Europe/Berlin"
    )
    assert result.date == datetime.date(2026, 12, 25)
