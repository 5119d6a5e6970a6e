"""The ship date: the next business day, as the programme promises, with the organisation's public holidays.

A business day is a weekday that is no public holiday in the organisation's federal state. An order submitted on
a business day before the cut-off is handled that day and ships the next business day; one submitted after the
cut-off, or on a weekend or holiday, is handled the next business day and ships the business day after that. The
Thursday before Good Friday in Bavaria, before the cut-off, ships on the Tuesday after Easter Monday.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str, year: int) -> frozenset[datetime.date]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()
    return frozenset(calendar)


def is_business_day(day: datetime.date, *, country: str = "DE", subdivision: str = "") -> bool:
    return day.weekday() < 5 and day not in _holidays(country, subdivision, day.year)


def next_business_day(day: datetime.date, *, country: str = "DE", subdivision: str = "") -> datetime.date:
    """The first business day after ``day``."""
    day += datetime.timedelta(days=1)
    while not is_business_day(day, country=country, subdivision=subdivision):
        day += datetime.timedelta(days=1)
    return day


def add_business_days(day: datetime.date, count: int, *, country: str = "DE", subdivision: str = "") -> datetime.date:
    for _ in range(count):
        day = next_business_day(day, country=country, subdivision=subdivision)
    return day


@dataclass(frozen=True)
class ShipDate:
    date: datetime.date
    estimated: bool  # True when the promise cannot be kept as it stands; ``reason`` says why
    reason: str = ""  # "", "unavailable", "on_hold"


def ship_date(
    *,
    submitted_at: datetime.datetime,
    country: str,
    subdivision: str,
    cutoff: datetime.time,
    timezone: str = "Europe/Berlin",
    all_available: bool = True,
    in_good_standing: bool = True,
    backorder_days: int = 5,
) -> ShipDate:
    """When an order submitted at ``submitted_at`` ships: the next business day, or an honest estimate."""
    local = submitted_at.astimezone(ZoneInfo(timezone))
    handled = local.date()
    if not is_business_day(handled, country=country, subdivision=subdivision) or local.time() >= cutoff:
        handled = next_business_day(handled, country=country, subdivision=subdivision)
    ships = next_business_day(handled, country=country, subdivision=subdivision)
    if not in_good_standing:
        return ShipDate(ships, estimated=True, reason="on_hold")
    if not all_available:
        return ShipDate(
            add_business_days(ships, backorder_days, country=country, subdivision=subdivision),
            estimated=True,
            reason="unavailable",
        )
    return ShipDate(ships, estimated=False)
