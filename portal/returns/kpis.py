"""KPI counts, the rules between them, and the percentages and RAG ratings they give.

The counts (what the provider enters) are fixed by the return; the definitions built on
them (numerator, denominator, target, direction, amber band) are data per framework,
versioned in ``KpiTarget``. ``REFERENCE_KPIS`` holds the reference targets from English
homecare contracts, seeded for every framework.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import bindparam, func, select

from forms import messages
from portal.extensions import db
from portal.models import KpiTarget


@dataclass(frozen=True)
class Count:
    name: str
    label: str
    hint: str = ""
    decimal: bool = False  # hours may have decimals; everything else is a whole number


COUNTS: list[Count] = [
    Count("planned_visits", "Planned visits"),
    Count("delivered_visits", "Visits delivered"),
    Count("missed_visits", "Missed visits", "Visits missed through the provider's fault"),
    Count("on_time_visits", "Visits started on time", "Within 30 minutes of the planned time"),
    Count("ecm_visits", "Visits logged by electronic call monitoring"),
    Count("commissioned_hours", "Commissioned hours", "For example, 1520.5", decimal=True),
    Count("delivered_hours", "Delivered hours", "For example, 1498.25", decimal=True),
    Count("referrals_offered", "New referrals offered to you"),
    Count("referrals_accepted", "Referrals you accepted"),
    Count("packages_started_on_time", "Packages started on the planned date"),
    Count("complaints", "Complaints"),
    Count("compliments", "Compliments"),
    Count("safeguarding_concerns", "Safeguarding concerns raised"),
    Count("users_reviewed", "Service users reviewed"),
    Count("outcomes_met", "Reviewed service users who said their outcomes were met"),
]
COUNT_NAMES = [c.name for c in COUNTS]
LABELS = {c.name: c.label for c in COUNTS}

# (smaller, larger): the first may not be more than the second.
CROSS_FIELD_RULES: list[tuple[str, str]] = [
    ("delivered_visits", "planned_visits"),
    ("missed_visits", "planned_visits"),
    ("on_time_visits", "delivered_visits"),
    ("ecm_visits", "delivered_visits"),
    ("referrals_accepted", "referrals_offered"),
    ("outcomes_met", "users_reviewed"),
]

MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    name: str
    numerator: str
    denominator: str
    target: Decimal
    direction: str  # "higher" is better, or "lower" is better
    amber_band: Decimal  # percentage points past the target that are still amber


REFERENCE_KPIS: list[KpiDefinition] = [
    KpiDefinition(
        "missed_visits", "Missed visits", "missed_visits", "planned_visits",
        Decimal("2"), "lower", Decimal("3"),
    ),
    KpiDefinition(
        "punctuality", "Visits started on time", "on_time_visits", "delivered_visits",
        Decimal("90"), "higher", Decimal("15"),
    ),
    KpiDefinition(
        "ecm_compliance", "Visits logged by call monitoring", "ecm_visits", "delivered_visits",
        Decimal("85"), "higher", Decimal("15"),
    ),
    KpiDefinition(
        "packages_on_time", "Packages started on the planned date",
        "packages_started_on_time", "referrals_accepted", Decimal("90"), "higher", Decimal("15"),
    ),
    KpiDefinition(
        "outcomes_met", "Outcomes met", "outcomes_met", "users_reviewed",
        Decimal("80"), "higher", Decimal("15"),
    ),
]  # fmt: skip

# Shown as figures, without a target.
INFORMATION_KPIS: list[tuple[str, str, str]] = [
    ("hours_delivered", "Commissioned hours delivered", "delivered_hours/commissioned_hours"),
    ("referrals_accepted", "Referrals accepted", "referrals_accepted/referrals_offered"),
]


@dataclass(frozen=True)
class KpiResult:
    code: str
    name: str
    percent: Decimal | None  # None when the denominator is 0 or missing
    target: Decimal | None
    direction: str | None
    rag: str | None  # "green", "amber", "red", or None without a target or a figure

    @property
    def rag_label(self) -> str:
        return {"green": "Green", "amber": "Amber", "red": "Red"}.get(self.rag or "", "No rating")

    @property
    def target_label(self) -> str:
        if self.target is None:
            return "No target"
        sign = "at most" if self.direction == "lower" else "at least"
        return f"{sign} {self.target.normalize():f}%"

    @property
    def percent_label(self) -> str:
        return "Not applicable" if self.percent is None else f"{self.percent:.1f}%"


def _definitions_statement():
    in_force = (
        select(func.max(KpiTarget.version))
        .where(
            KpiTarget.framework_id == bindparam("framework_id"),
            KpiTarget.effective_from <= bindparam("period"),
        )
        .scalar_subquery()
    )
    return (
        select(
            KpiTarget.code,
            KpiTarget.name,
            KpiTarget.numerator,
            KpiTarget.denominator,
            KpiTarget.target,
            KpiTarget.direction,
            KpiTarget.amber_band,
        )
        .where(KpiTarget.framework_id == bindparam("framework_id"), KpiTarget.version == in_force)
        .order_by(KpiTarget.id)
    )


# The version in force and its rows in one round trip, as plain values, with the statement
# built once: every KPI page and the review page ask.
_DEFINITIONS = _definitions_statement()


def definitions_for(framework_id: int | None, period: date) -> list[KpiDefinition]:
    """The framework's definitions in force for ``period``; the reference set otherwise."""
    if framework_id is None:
        return REFERENCE_KPIS
    values = {"framework_id": framework_id, "period": period}
    rows = db.session.execute(_DEFINITIONS, values).all()
    if not rows:
        return REFERENCE_KPIS
    return [KpiDefinition(*row) for row in rows]


def targets_in_force(framework_id: int | None, period: date) -> str:
    """Which targets judge ``period``'s returns, in words: "version 2 of the framework's
    targets (from October 2026)", or "the reference targets"."""
    if framework_id is None:
        return "the reference targets"
    found = db.session.execute(
        select(KpiTarget.version, KpiTarget.effective_from)
        .where(KpiTarget.framework_id == framework_id, KpiTarget.effective_from <= period)
        .order_by(KpiTarget.version.desc())
        .limit(1)
    ).first()
    if found is None:
        return "the reference targets"
    return f"version {found.version} of the framework's targets (from {found.effective_from:%B %Y})"


def seed_reference_targets(framework_id: int, effective_from: date) -> int:
    """Give a framework the reference targets as version 1, once. Returns rows added."""
    exists = db.session.scalar(
        select(func.count(KpiTarget.id)).where(KpiTarget.framework_id == framework_id)
    )
    if exists:
        return 0
    for d in REFERENCE_KPIS:
        db.session.add(
            KpiTarget(
                framework_id=framework_id,
                version=1,
                effective_from=effective_from,
                code=d.code,
                name=d.name,
                numerator=d.numerator,
                denominator=d.denominator,
                target=d.target,
                direction=d.direction,
                amber_band=d.amber_band,
            )
        )
    return len(REFERENCE_KPIS)


def parse_counts(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Check each count and the rules between them.

    Returns (values, errors): values as canonical strings (blank stays blank), errors by
    field name in GOV.UK wording. Used by the form, the live preview and the API.
    """
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for count in COUNTS:
        value, error = _parse_count(count, raw.get(count.name))
        if error:
            errors[count.name] = error
        else:
            values[count.name] = value
    _cross_field(values, errors)
    return values, errors


def _parse_count(count: Count, raw) -> tuple[str | None, str | None]:
    """(the count as canonical text, or the error message with it)."""
    text = str(raw or "").strip().replace(",", "")
    if text == "":
        return None, messages.kpi_required(count.label)
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        return None, messages.kpi_not_number(count.label, count.decimal)
    if number < 0:
        return None, messages.kpi_negative(count.label)
    if not count.decimal and number != number.to_integral_value():
        return None, messages.kpi_whole_number(count.label)
    if count.decimal and number.as_tuple().exponent < -2:
        return None, messages.kpi_two_decimals(count.label)
    if number > MAX_COUNT:
        return None, messages.kpi_too_big(count.label, MAX_COUNT)
    if count.decimal:
        return format(number.quantize(Decimal("0.01")), "f").rstrip("0").rstrip("."), None
    return str(int(number)), None


def _cross_field(values: dict[str, str], errors: dict[str, str]) -> None:
    """A count no more than the one it is part of (missed visits no more than planned...)."""
    for smaller, larger in CROSS_FIELD_RULES:
        if smaller in values and larger in values and smaller not in errors:
            if Decimal(values[smaller]) > Decimal(values[larger]):
                errors[smaller] = messages.kpi_more_than(LABELS[smaller], LABELS[larger])


def _percent(numerator: str | None, denominator: str | None) -> Decimal | None:
    try:
        top, bottom = Decimal(numerator), Decimal(denominator)
    except (InvalidOperation, TypeError):
        return None
    if bottom <= 0:
        return None
    return (top * 100 / bottom).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rag(percent: Decimal | None, definition: KpiDefinition) -> str | None:
    if percent is None:
        return None
    if definition.direction == "lower":
        if percent <= definition.target:
            return "green"
        return "amber" if percent <= definition.target + definition.amber_band else "red"
    if percent >= definition.target:
        return "green"
    return "amber" if percent >= definition.target - definition.amber_band else "red"


def compute(values: dict[str, str], definitions: list[KpiDefinition]) -> list[KpiResult]:
    """Percentages and RAG for whatever counts are valid so far (blank ones give None)."""
    results = []
    for d in definitions:
        percent = _percent(values.get(d.numerator), values.get(d.denominator))
        results.append(KpiResult(d.code, d.name, percent, d.target, d.direction, rag(percent, d)))
    for code, name, ratio in INFORMATION_KPIS:
        top, bottom = ratio.split("/")
        results.append(
            KpiResult(code, name, _percent(values.get(top), values.get(bottom)), None, None, None)
        )
    return results


def summed_counts(many: Iterable[dict]) -> dict[str, str]:
    """Each KPI count added up over several returns (blank or bad values left out)."""
    totals: dict[str, Decimal] = {}
    for counts in many:
        for name in COUNT_NAMES:
            try:
                value = Decimal(str(counts.get(name)))
            except InvalidOperation:
                continue
            if value.is_finite():
                totals[name] = totals.get(name, Decimal(0)) + value
    return {name: format(value, "f") for name, value in totals.items()}
