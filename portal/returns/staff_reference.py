"""The ASC-WDS reference lists the staff rules, forms and reports name codes from: job
roles (MAINJOBROLE, with whether the role provides care, as ASC-WDS marks it), training
categories (CATEGORY, in groups) and training providers (PROVIDERNAME), read once from
``portal/reference/*.csv``; their source and date are in ``portal/reference/README.md``."""

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
class TrainingProvider:
    code: int
    name: str


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


@cache
def training_providers() -> dict[int, TrainingProvider]:
    """PROVIDERNAME codes, from ``portal/reference/training-providers.csv`` (read once)."""
    return {
        int(row["code"]): TrainingProvider(int(row["code"]), row["name"])
        for row in _read_csv("training-providers.csv")
    }


def training_provider_name(value: object) -> str:
    """A stored PROVIDERNAME: a code's name ("Skills for Care"); text kept from before the
    portal took codes is shown as it is."""
    text = "" if value is None else str(value).strip()
    found = training_providers().get(int(text)) if text.isdigit() else None
    return found.name if found else text


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
