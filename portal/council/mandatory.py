"""A council's mandatory training set, for its commissioners: which training categories
each job role must have. The training matrix and providers' returns show staff without a
record of a mandatory category as "missing"."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for

from portal import mandatory
from portal.access import requires
from portal.queries import organisations
from portal.returns import staff_reference
from portal.vocabulary import Role

bp = Blueprint("mandatory_training", __name__)

NOTHING_TICKED = "Select at least one training category for at least one job role"
NOT_IN_TABLE = "Select training categories and job roles from the table"
SAVED = "Your mandatory training has been saved"
RESET = "Your mandatory training is back to the default"


@dataclass(frozen=True)
class Grid:
    """What the page offers: categories by group, and job roles (care-providing first)."""

    groups: list[tuple[str, list[staff_reference.TrainingCategory]]]
    roles: list[staff_reference.JobRole]

    @property
    def first_box(self) -> str:
        return box_id(self.groups[0][1][0].code, self.roles[0].code)

    def boxes(self) -> set[tuple[int, int]]:
        """The (category, job role) pairs the page has a box for."""
        return {(c.code, r.code) for _, items in self.groups for c in items for r in self.roles}


def box_id(category: int, role: int) -> str:
    return f"mandatory-{category}-{role}"


def grid() -> Grid:
    roles = sorted(staff_reference.job_roles().values(), key=lambda r: not r.provides_care)
    return Grid(staff_reference.category_groups(), roles)


def _parse(values: list[str]) -> set[tuple[int, int]] | None:
    """The ticked (category, job role) pairs, or None if any value is not in the table."""
    boxes = grid().boxes()
    ticked: set[tuple[int, int]] = set()
    for value in values:
        category, _, role = value.partition("-")
        if not (category.isdigit() and role.isdigit()):
            return None
        pair = (int(category), int(role))
        if pair not in boxes:
            return None
        ticked.add(pair)
    return ticked


def _current(council_id: int) -> set[tuple[int, int]]:
    return {
        (category, role)
        for role, categories in mandatory.mandatory_set(council_id).items()
        for category in categories
    }


def _page(council_id: int, ticked: set[tuple[int, int]], error: str | None = None):
    layout = grid()
    return render_template(
        "council/mandatory_training.html",
        council=organisations.get_council(council_id),
        grid=layout,
        ticked=ticked,
        box_id=box_id,
        uses_default=mandatory.uses_default(council_id),
        default_count=len(mandatory.DEFAULT_MANDATORY_CATEGORIES),
        error=error,
        error_list=[{"text": error, "href": "#" + layout.first_box}] if error else None,
    )


@bp.route("/council/<int:council_id>/training-matrix/mandatory", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, org="council")
def mandatory_training(council_id: int):
    if request.method == "GET":
        return _page(council_id, _current(council_id))
    ticked = _parse(request.form.getlist("mandatory"))
    if ticked is None:
        return _page(council_id, set(), NOT_IN_TABLE), 400
    if not ticked:
        return _page(council_id, ticked, NOTHING_TICKED), 400
    mandatory.replace_set(council_id, ticked)
    flash(SAVED, "success")
    return redirect(url_for(".mandatory_training", council_id=council_id))


@bp.route("/council/<int:council_id>/training-matrix/mandatory/reset", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def reset(council_id: int):
    mandatory.reset_to_default(council_id)
    flash(RESET, "success")
    return redirect(url_for(".mandatory_training", council_id=council_id))
