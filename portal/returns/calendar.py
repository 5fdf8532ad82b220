"""Return deadlines: a return opens on the 1st of the next month, is due on its Nth
working day (bank holidays in England) and locks a number of days later; and which
months a contract's returns are expected for."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars

from portal.returns.staff_rules import add_months

# Bank holidays in England, from the maintained ``holidays`` package: it works out any
# year on demand, so deadlines never run past the end of a hand-kept list.
ENGLAND_BANK_HOLIDAYS: Container[date] = holiday_calendars.country_holidays("GB", subdiv="ENG")

DEFAULT_DUE_WORKING_DAY = 10
DEFAULT_LOCK_DAYS = 20


def is_working_day(day: date, holidays: Container[date] = ENGLAND_BANK_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def first_of_next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def nth_working_day(month_start: date, n: int, holidays: Container[date]) -> date:
    day, count = month_start, 0
    while True:
        if is_working_day(day, holidays):
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Deadlines:
    period: date  # the first day of the month the return covers
    opens_on: date
    due_on: date
    locks_on: date  # the first day on which the return can no longer be changed


def deadlines_for(
    period: date,
    due_working_day: int = DEFAULT_DUE_WORKING_DAY,
    lock_days: int = DEFAULT_LOCK_DAYS,
    holidays: Container[date] = ENGLAND_BANK_HOLIDAYS,
) -> Deadlines:
    if holidays is ENGLAND_BANK_HOLIDAYS:
        return _england_deadlines(period.replace(day=1), due_working_day, lock_days)
    return _deadlines(period.replace(day=1), due_working_day, lock_days, holidays)


@lru_cache(maxsize=4096)
def _england_deadlines(period: date, due_working_day: int, lock_days: int) -> Deadlines:
    """Worked out once per process: a list of returns asks for the same few months'
    deadlines hundreds of times (the returns grid: every cell, several times)."""
    return _deadlines(period, due_working_day, lock_days, ENGLAND_BANK_HOLIDAYS)


def _deadlines(
    period: date, due_working_day: int, lock_days: int, holidays: Container[date]
) -> Deadlines:
    opens = first_of_next_month(period)
    due = nth_working_day(opens, due_working_day, holidays)
    return Deadlines(period, opens, due, due + timedelta(days=lock_days))


def last_day_of(period: date) -> date:
    return first_of_next_month(period) - timedelta(days=1)


def due_label(today: date, due_on: date) -> str:
    """'Due today', 'Due in 3 days', 'Overdue by 2 days' (GOV.UK style, no abbreviations)."""
    days = (due_on - today).days
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    if days > 0:
        return f"Due in {days} day{'s' if days != 1 else ''}"
    return f"Overdue by {-days} day{'s' if days != -1 else ''}"


# --- quarters (calendar quarters: 2026-Q3 is July to September 2026) -----------------

QUARTER_PATTERN = r"^(\d{4})-Q([1-4])$"


def parse_quarter(text: str) -> date | None:
    """The first day of the quarter named ``YYYY-Qn``, or None when it is not one."""
    import re

    match = re.match(QUARTER_PATTERN, (text or "").strip().upper())
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        return None
    return date(year, 3 * number - 2, 1)


def quarter_name(first_month: date) -> str:
    return f"{first_month.year}-Q{(first_month.month - 1) // 3 + 1}"


def quarter_label(first_month: date) -> str:
    """ "July to September 2026"."""
    last = quarter_months(first_month)[-1]
    return f"{first_month:%B} to {last:%B %Y}"


def quarter_months(first_month: date) -> list[date]:
    return [first_month.replace(month=first_month.month + i) for i in range(3)]


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def latest_complete_quarter(today: date) -> date:
    """The last quarter that has ended before ``today``'s quarter began."""
    start = quarter_of(today)
    return quarter_of(start - timedelta(days=1))


def previous_quarter(first_month: date) -> date:
    return quarter_of(first_month - timedelta(days=1))


TREND_MONTHS = 6  # feedback reports and packs show trends over this many months


def months_to(last: date, count: int = TREND_MONTHS) -> list[date]:
    """The ``count`` months ending with ``last``'s month, oldest first."""
    return [add_months(last.replace(day=1), -back) for back in range(count - 1, -1, -1)]


# --- which months a contract's returns are expected for --------------------------------


def month_of(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


def in_window(period: date, starts: list[date | None], ends: list[date | None]) -> bool:
    """Whether ``period``'s month lies within every given start and end (blank: open)."""
    month = period.replace(day=1)
    return all(month >= month_of(s) for s in starts if s) and all(month <= e for e in ends if e)


def months_opened(first: date, on: date) -> list[date]:
    """The months from ``first`` whose return has opened by ``on``, oldest first."""
    months, month = [], first.replace(day=1)
    while first_of_next_month(month) <= on:
        months.append(month)
        month = first_of_next_month(month)
    return months
