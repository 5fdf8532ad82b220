"""The ASC-WDS reference lists the staff rules, forms and reports name codes from: job
roles (MAINJOBROLE, with whether the role provides care) and training categories
(CATEGORY, in groups), read once from ``portal/reference/*.csv``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


@dataclass(frozen=True)
class JobRole:
    code: int
    name: str
    provides_care: bool


@dataclass(frozen=True)
class TrainingCategory:
    code: int
    name: str
    group: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def job_roles() -> dict[int, JobRole]:
    """MAINJOBROLE codes, from ``portal/reference/job-roles.csv`` (read once)."""
    return {
        int(row["code"]): JobRole(
            int(row["code"]), row["name"], row["provides_care"].strip().lower() == "yes"
        )
        for row in _read_csv("job-roles.csv")
    }


@cache
def training_categories() -> dict[int, TrainingCategory]:
    """CATEGORY codes, from ``portal/reference/training-categories.csv`` (read once)."""
    return {
        int(row["code"]): TrainingCategory(
            int(row["code"]), row["name"], row["group"].strip() or "Other"
        )
        for row in _read_csv("training-categories.csv")
    }


def category_groups() -> list[tuple[str, list[TrainingCategory]]]:
    """Categories by group, groups in file order, "Other" last; names sorted in a group."""
    groups: dict[str, list[TrainingCategory]] = {}
    for category in training_categories().values():
        groups.setdefault(category.group, []).append(category)
    ordered = sorted(groups.items(), key=lambda item: item[0] == "Other")
    return [(name, sorted(items, key=lambda c: c.name)) for name, items in ordered]


def category_name(code: int | None) -> str:
    found = training_categories().get(code) if code is not None else None
    return found.name if found else f"Category {code}"


def job_role_name(code: int | None) -> str:
    found = job_roles().get(code) if code is not None else None
    return found.name if found else f"Job role {code}"


def provides_care(code: int | None) -> bool:
    found = job_roles().get(code) if code is not None else None
    return bool(found and found.provides_care)
