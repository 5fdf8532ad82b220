"""A provider's training compliance against its council area's, per mandatory category,
from the super training matrix (care staff). Used by the packs and the feedback reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from portal import shared_cache
from portal.disclosure.rule import must_hide
from portal.extensions import db
from portal.mandatory import mandatory_codes, mandatory_set
from portal.matrix import ALL_CARE_ROLES, build_matrix
from portal.models import Contract, MonthlyReturn, ReturnVersion
from portal.returns import staff_reference


@dataclass
class TrainingRow:
    code: int
    name: str
    in_scope: int
    up_to_date: int
    expiring: int
    expired: int
    missing: int
    percent: float | None  # the provider's % compliant (care staff)
    area_percent: float | None  # the whole council area's
    area_providers: int = 0  # how many providers make up the area's figure
    # Whether the disclosure rule lets a provider see the area's figure (at least 3
    # providers, none dominating, in its staff in scope and in its compliant staff).
    area_shown: bool = False

    @property
    def difference(self) -> float | None:
        if self.percent is None or self.area_percent is None:
            return None
        return round(self.percent - self.area_percent, 1)


class AreaCell(NamedTuple):
    in_scope: int
    compliant: int  # up to date + expiring within 90 days (both still valid)
    providers: int
    disclosable: bool  # staff in scope, and the disclosure rule passes for in scope and compliant


@dataclass(frozen=True)
class AreaFigures:
    cells: dict[int, AreaCell]  # per category: care staff in scope, compliant, providers
    provider_count: int  # providers with staff in the area


@dataclass(frozen=True)
class Comparison:
    rows: list[TrainingRow]
    staff_count: int  # the provider's staff in the matrix
    area_provider_count: int


_AREA_CACHE: dict[tuple, AreaFigures] = {}
_AREA_CACHE_SIZE = 32
_CACHE_NAME = "area-figures"
_CACHE_FORM = 2  # in the key: 2, cells carry whether the disclosure rule passes


def area_figures(council_id: int, as_at: date, codes: list[int]) -> AreaFigures:
    """The council area's figures per category. The area matrix reads every provider's
    snapshot and is the same for each pack or report of a council and period end: it is
    kept for as long as no return version is added (versions never change) and the
    mandatory set stays the same."""
    newest, count = db.session.execute(
        select(func.max(ReturnVersion.id), func.count(ReturnVersion.id))
        .join(MonthlyReturn, ReturnVersion.return_id == MonthlyReturn.id)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(Contract.council_id == council_id, MonthlyReturn.period <= as_at)
    ).one()
    mandatory = tuple(sorted((k, tuple(sorted(v))) for k, v in mandatory_set(council_id).items()))
    key = (_CACHE_FORM, str(db.engine.url), council_id, as_at, newest, count, mandatory)
    key += (tuple(codes),)
    if key not in _AREA_CACHE:
        if len(_AREA_CACHE) >= _AREA_CACHE_SIZE:
            _AREA_CACHE.clear()
        # Shared by every worker process (each job runs in a fresh fork): built once.
        shared = shared_cache.get(_CACHE_NAME, key)
        if shared is None:
            figures = _build_area_figures(council_id, as_at, codes)
            shared_cache.put(_CACHE_NAME, key, _as_json(figures))
        else:
            figures = _from_json(shared)
        _AREA_CACHE[key] = figures
    return _AREA_CACHE[key]


def _build_area_figures(council_id: int, as_at: date, codes: list[int]) -> AreaFigures:
    area = build_matrix(council_id, as_at)
    cells = {code: area.cell(code, ALL_CARE_ROLES) for code in codes}
    return AreaFigures(
        {
            code: AreaCell(
                c.staff_in_scope,
                c.up_to_date + c.expiring,
                len(c.providers),
                c.staff_in_scope > 0
                and not must_hide(c.providers.values())
                and not must_hide(c.contributions("up_to_date", "expiring").values()),
            )
            for code, c in cells.items()
        },
        len(area.provider_ids),
    )


def _as_json(figures: AreaFigures) -> dict:
    return {
        "cells": [[code, *cell] for code, cell in figures.cells.items()],
        "provider_count": figures.provider_count,
    }


def _from_json(value: dict) -> AreaFigures:
    cells = {row[0]: AreaCell(*row[1:]) for row in value["cells"]}
    return AreaFigures(cells, value["provider_count"])


def compliant(valid: int, in_scope: int) -> float | None:
    """As the matrix shows it (``Cell.percent_compliant``): staff whose training is still
    valid (up to date or expiring within 90 days) over staff in scope, a percentage to 1
    decimal place, None without staff."""
    return round(100 * valid / in_scope, 1) if in_scope else None


def training_comparison(council_id: int, provider_id: int, as_at: date) -> Comparison:
    codes = mandatory_codes(council_id)
    mine = build_matrix(council_id, as_at, provider_id=provider_id)
    area = area_figures(council_id, as_at, codes)
    rows = []
    for code in codes:
        cell, figures = mine.cell(code, ALL_CARE_ROLES), area.cells[code]
        rows.append(
            TrainingRow(
                code,
                staff_reference.category_name(code),
                cell.staff_in_scope,
                cell.up_to_date,
                cell.expiring,
                cell.expired,
                cell.missing,
                cell.percent_compliant,
                compliant(figures.compliant, figures.in_scope),
                figures.providers,
                figures.disclosable,
            )
        )
    return Comparison(rows, mine.staff_count, area.provider_count)


def training_rows(council_id: int, provider_id: int, as_at: date) -> list[TrainingRow]:
    return training_comparison(council_id, provider_id, as_at).rows


def overall_percent(rows: list[TrainingRow]) -> float | None:
    """Up to date and expiring over in scope, across all the mandatory categories."""
    return compliant(sum(r.up_to_date + r.expiring for r in rows), sum(r.in_scope for r in rows))


def area_overall_percent(council_id: int, as_at: date) -> float | None:
    figures = area_figures(council_id, as_at, mandatory_codes(council_id)).cells.values()
    return compliant(sum(c.compliant for c in figures), sum(c.in_scope for c in figures))
