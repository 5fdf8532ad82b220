"""The figures of a feedback report: one council x provider x period (a month ``2026-10``
or a calendar quarter ``2026-Q3``). Plain dataclasses, so the page and the PDF show the
same thing and tests can check the numbers without HTML.

- KPIs and trends: per framework, against the targets and the other providers on it
  (``kpi_comparison``).
- Training and expiring staff: against the council area, from the super training matrix
  (``training_feedback``).
- Queries: what the council asked about the period's returns, with the replies
  (``council_queries``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal import coverage
from portal.extensions import db
from portal.feedback.council_queries import Query, council_queries
from portal.feedback.kpi_comparison import FrameworkFeedback, framework_feedback
from portal.feedback.review_state import ReviewLine, review_lines
from portal.feedback.summary import summary
from portal.feedback.training_feedback import (
    ExpiringStaff,
    TrainingLine,
    expiring_staff,
    training_lines,
)
from portal.models import Contract, Council, Provider
from portal.queries.organisations import contracts_between
from portal.returns import training_status_rules
from portal.returns.calendar import last_day_of, parse_quarter, quarter_label, quarter_months

EXPIRING_DAYS = training_status_rules.EXPIRING_WITHIN_DAYS
NOT_ENOUGH = "Not enough providers to compare"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# --- the period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    name: str  # "2026-10" or "2026-Q3"
    months: tuple[date, ...]  # first days of the months covered

    @property
    def is_quarter(self) -> bool:
        return len(self.months) > 1

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:
        return last_day_of(self.months[-1])

    @property
    def label(self) -> str:
        return quarter_label(self.start) if self.is_quarter else f"{self.start:%B %Y}"


def parse_period(text: str | None) -> Period | None:
    """A month ``YYYY-MM`` or a quarter ``YYYY-Qn``; None for anything else."""
    text = (text or "").strip().upper()
    quarter = parse_quarter(text)
    if quarter is not None:
        return Period(text, tuple(quarter_months(quarter)))
    match = _MONTH.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        return None
    return Period(text, (date(int(match.group(1)), int(match.group(2)), 1),))


@dataclass
class Feedback:
    council_id: int
    council_name: str
    provider_id: int
    provider_name: str
    period: Period
    frameworks: list[FrameworkFeedback]
    training: list[TrainingLine]
    expiring: list[ExpiringStaff]
    queries: list[Query]
    training_staff: int = 0
    area_providers: int = 0
    reviews: list[ReviewLine] = field(default_factory=list)  # each return's review state

    @property
    def as_at(self) -> date:
        return self.period.end

    @property
    def expiring_until(self) -> date:
        return self.period.end + timedelta(days=EXPIRING_DAYS)

    @property
    def summary(self) -> str:
        """The report in one paragraph (``portal.feedback.summary``)."""
        return summary(self)


# --- the parts of the report ------------------------------------------------------------------


def _framework_name(contract: Contract) -> str:
    return contract.framework.name if contract.framework else "Contracts outside a framework"


# --- the report -----------------------------------------------------------------------------


def feedback_for(council_id: int, provider_id: int, period: str | Period) -> Feedback:
    """The whole report. Raises ValueError for a period that is not a month or quarter
    or a provider without a contract with the council."""
    parsed = period if isinstance(period, Period) else parse_period(period)
    if parsed is None:
        raise ValueError(f"not a month or quarter: {period!r}")
    contracts = contracts_between(council_id, provider_id)
    if not contracts:
        raise ValueError("the provider has no contract with the council")
    frameworks: dict[int | None, str] = {}
    for contract in contracts:
        frameworks.setdefault(contract.framework_id, _framework_name(contract))
    ordered = sorted(frameworks.items(), key=lambda item: (item[0] is None, item[1]))
    training, staff, area_providers = training_lines(council_id, provider_id, parsed.end)
    return Feedback(
        council_id=council_id,
        council_name=db.session.get(Council, council_id).name,
        provider_id=provider_id,
        provider_name=db.session.get(Provider, provider_id).name,
        period=parsed,
        frameworks=[
            framework_feedback(council_id, provider_id, fid, name, parsed) for fid, name in ordered
        ],
        training=training,
        expiring=expiring_staff(
            provider_id, parsed.end, coverage.covered_branch_ids(council_id, provider_id)
        ),
        queries=council_queries(council_id, provider_id, parsed),
        training_staff=staff,
        area_providers=area_providers,
        reviews=review_lines(council_id, provider_id, parsed.months),
    )
