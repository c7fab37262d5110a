"""Working days of Ukraine: weekends, public holidays and the martial-law rule.

* Public holidays and non-working days: the Labour Code (КЗпП), art. 73, in
  its wording since 2023 (Christmas on 25 December, 8 May, Statehood Day on
  15 July, Defenders' Day on 1 October): 1 January, 8 March, 1 May, 8 May, 28 June,
  15 July, 24 August, 1 October, 25 December, and the Sundays of Orthodox
  Easter and Trinity. A holiday falling on a day off moves the day off to
  the next working day (art. 67, part 3).
* Martial law (Law «Про організацію трудових відносин в умовах воєнного
  стану», No. 2136-IX of 15.03.2022, art. 6, part 6): art. 73 and art. 67,
  parts 3-5, are not applied, so the holidays are ordinary working days and
  nothing is moved. ``CASE_MARTIAL_LAW`` (config, default True) chooses
  the rule; the portal counts weekends only while it is set.

``add_working_days(start, n)`` is the deadline «протягом N робочих днів з дня
одержання заяви» (Law «Про соціальні послуги», art. 20): the N-th working day
after the day of the application.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import current_app, has_app_context

#: (month, day) of the fixed public holidays (КЗпП art. 73, as in force since 2023).
FIXED_HOLIDAYS = ((1, 1), (3, 8), (5, 1), (5, 8), (6, 28), (7, 15), (8, 24), (10, 1), (12, 25))


def orthodox_easter(year: int) -> dt.date:
    """Orthodox Easter Sunday (Julian computus, in the Gregorian calendar; 1900-2099)."""
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    return dt.date(year, month, day + 1) + dt.timedelta(days=13)


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[dt.date]:
    """Public holidays and religious non-working days of ``year`` (art. 73)."""
    easter = orthodox_easter(year)
    days = {dt.date(year, m, d) for m, d in FIXED_HOLIDAYS}
    days |= {easter, easter + dt.timedelta(days=49)}  # Easter and Trinity (Sundays)
    return frozenset(days)


@lru_cache(maxsize=64)
def days_off(year: int) -> frozenset[dt.date]:
    """Holidays on weekdays, plus the next working day for one on a weekend (art. 67)."""
    off = set()
    for day in sorted(holidays(year)):
        if day.weekday() < 5:
            off.add(day)
            continue
        moved = day + dt.timedelta(days=1)
        while moved.weekday() >= 5 or moved in off or moved in holidays(moved.year):
            moved += dt.timedelta(days=1)
        off.add(moved)
    return frozenset(off)


def martial_law() -> bool:
    if has_app_context():
        return bool(current_app.config.get("CASE_MARTIAL_LAW", True))
    return True


def is_working_day(day: dt.date, under_martial_law: bool | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    if under_martial_law is None:
        under_martial_law = martial_law()
    return under_martial_law or day not in days_off(day.year)


def add_working_days(start: dt.date, n: int, under_martial_law: bool | None = None) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day, under_martial_law):
            counted += 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months (the last day of a shorter month when needed)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
