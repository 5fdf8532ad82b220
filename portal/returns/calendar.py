"""Return deadlines: a return opens on the 1st of the next month, is due on its Nth
working day (England and Wales bank holidays) and locks a number of days later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.returns.staff_rules import add_months

# England and Wales bank holidays (GOV.UK list), covering the frameworks on the service.
ENGLAND_AND_WALES_BANK_HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 "
        "2024-12-26 2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 "
        "2025-12-25 2025-12-26 2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 "
        "2026-08-31 2026-12-25 2026-12-28 2027-01-01 2027-03-26 2027-03-29 2027-05-03 "
        "2027-05-31 2027-08-30 2027-12-27 2027-12-28 2028-01-03 2028-04-14 2028-04-17 "
        "2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26"
    ).split()
)

DEFAULT_DUE_WORKING_DAY = 10
DEFAULT_LOCK_DAYS = 20


def is_working_day(day: date, holidays: frozenset[date] = ENGLAND_AND_WALES_BANK_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def first_of_next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def nth_working_day(month_start: date, n: int, holidays: frozenset[date]) -> date:
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
    holidays: frozenset[date] = ENGLAND_AND_WALES_BANK_HOLIDAYS,
) -> Deadlines:
    period = period.replace(day=1)
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
