"""A council admin's frameworks: their lots or areas, and their KPI targets and RAG bands,
versioned from a month onwards (returns are judged against the version for their month:
``portal.returns.kpis.definitions_for``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from forms import messages
from portal.extensions import db
from portal.models import Area, Council, Framework, KpiTarget, User
from portal.queries.setup import target_versions
from portal.returns import kpis
from portal.setup.audit import record_change, snapshot
from portal.vocabulary import AreaKind, ServiceType

FRAMEWORK_FIELDS = ("name", "service_type", "start_date", "end_date")


@dataclass(frozen=True)
class FrameworkDetails:
    name: str
    service_type: ServiceType
    start_date: date
    end_date: date
    lots: tuple[str, ...]
    lot_kind: AreaKind = AreaKind.LOT


def lot_names(text: str) -> tuple[str, ...]:
    """One lot or area a line; blank lines and repeats dropped, order kept."""
    seen: dict[str, str] = {}
    for line in (text or "").splitlines():
        name = " ".join(line.split())[:200]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return tuple(seen.values())


def add_framework(
    council: Council, details: FrameworkDetails, actor: User
) -> tuple[Framework | None, dict[str, str]]:
    """Add a framework with its lots, and the reference KPI targets as version 1 from its
    start month. Returns (the framework, {}) or (None, errors by field), changing nothing."""
    errors: dict[str, str] = {}
    if details.end_date < details.start_date:
        errors["end_date"] = messages.FRAMEWORK_END_BEFORE_START
    taken = db.session.scalar(
        select(func.count(Framework.id)).where(
            Framework.council_id == council.id,
            func.lower(Framework.name) == details.name.strip().lower(),
        )
    )
    if taken:
        errors["name"] = messages.FRAMEWORK_NAME_TAKEN
    if errors:
        return None, errors
    framework = Framework(
        council_id=council.id,
        name=details.name.strip(),
        service_type=details.service_type,
        start_date=details.start_date,
        end_date=details.end_date,
    )
    db.session.add(framework)
    db.session.flush()
    for name in details.lots:
        db.session.add(Area(framework_id=framework.id, name=name, kind=details.lot_kind))
    kpis.seed_reference_targets(framework.id, details.start_date.replace(day=1))
    after = snapshot(framework, FRAMEWORK_FIELDS) | {"lots": list(details.lots)}
    record_change(
        actor, "framework", framework.id, "added",
        f"Added framework {framework.name} with {len(details.lots)} lots or areas",
        after=after, council_id=council.id,
    )  # fmt: skip
    db.session.commit()
    return framework, {}


def add_lot(framework: Framework, name: str, kind: AreaKind, actor: User) -> str | None:
    """Add a lot or area to a framework; returns why not instead."""
    name = " ".join(name.split())
    if any(area.name.lower() == name.lower() for area in framework.areas):
        return messages.LOT_NAME_TAKEN
    area = Area(framework_id=framework.id, name=name, kind=kind)
    db.session.add(area)
    db.session.flush()
    record_change(
        actor, "framework", framework.id, "lot added",
        f"Added {kind.label.lower()} {name} to {framework.name}",
        after={"lot": name}, council_id=framework.council_id,
    )  # fmt: skip
    db.session.commit()
    return None


def set_targets(
    framework: Framework,
    effective_from: date,
    targets: dict[str, tuple[Decimal, Decimal]],
    actor: User,
) -> tuple[int | None, str | None]:
    """A new version of the framework's targets and amber bands (by KPI code), applying to
    returns from ``effective_from``'s month on; earlier months keep the version they had.
    Returns (the version number, None) or (None, why not)."""
    month = effective_from.replace(day=1)
    versions = target_versions(framework.id)
    current = versions[-1] if versions else None
    if current is not None and month <= current.effective_from:
        when = f"{current.effective_from:%B %Y}"
        return None, messages.TARGETS_MONTH_NOT_AFTER.format(month=when)
    base = current.definitions if current else kpis.REFERENCE_KPIS
    number = (current.version + 1) if current else 1
    new = [
        replace(d, target=targets[d.code][0], amber_band=targets[d.code][1])
        if d.code in targets
        else d
        for d in base
    ]
    for d in new:
        db.session.add(
            KpiTarget(
                framework_id=framework.id, version=number, effective_from=month, code=d.code,
                name=d.name, numerator=d.numerator, denominator=d.denominator, target=d.target,
                direction=d.direction, amber_band=d.amber_band,
            )
        )  # fmt: skip
    record_change(
        actor, "kpi_target", framework.id, "new version",
        f"KPI targets for {framework.name}: version {number} from {month:%B %Y}",
        before=_targets_dict(current.definitions) if current else None,
        after={"version": number, "effective_from": month.isoformat()} | _targets_dict(new),
        council_id=framework.council_id,
    )  # fmt: skip
    db.session.commit()
    return number, None


def _targets_dict(definitions: list[kpis.KpiDefinition]) -> dict[str, str]:
    return {
        d.name: f"{'at most' if d.direction == 'lower' else 'at least'} "
        f"{d.target.normalize():f}%, amber within {d.amber_band.normalize():f} points"
        for d in definitions
    }
