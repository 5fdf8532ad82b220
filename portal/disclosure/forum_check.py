"""The auditor run on the forum's training gaps: the published CSVs, the care roles the
page names, and the true values (from the unsuppressed matrix) to compare ranges with.
Every hidden figure is checked, whichever reason hid it."""

from __future__ import annotations

from portal.disclosure.auditor import Finding, audit
from portal.matrix import ALL_CARE_ROLES, DELIVERY_MODES, Matrix
from portal.returns import staff_reference

_STATUS = {
    "staff_in_scope": "staff_in_scope",
    "up_to_date": "up_to_date",
    "expiring_90_days": "expiring",
    "expired": "expired",
    "missing": "missing",
}
_MODES = dict(
    zip(("face_to_face", "e_learning", "not_known"), [m for m, _ in DELIVERY_MODES], strict=True)
)


def care_role_names() -> set[str]:
    return {role.name for code, role in staff_reference.job_roles().items() if role.provides_care}


def truth_of(matrix: Matrix):
    """The true value of a published figure, by the auditor's name for it."""
    columns = {column.name: column.key for column in matrix.columns}

    def demand(code: int | None, column: str) -> int:
        modes = list(_MODES.values()) if column == "total" else [_MODES[column]]
        return sum(
            cell.staff
            for (category, mode), cell in matrix.demand.items()
            if mode in modes and (code is None or category == code)
        )

    def truth(name: tuple) -> int:
        if name[0] == "m":
            _, code, role, column = name
            key = ALL_CARE_ROLES if role == "All care roles" else columns[role]
            return getattr(matrix.cell(int(code), key), _STATUS[column])
        _, code, column = name
        return demand(int(code) if code else None, column)

    return truth


def check_forum(matrix: Matrix, matrix_csv: str, demand_csv: str) -> list[Finding]:
    """Every hidden figure (hidden by the rule or to protect another) that what is
    published narrows too far."""
    return audit(matrix_csv, demand_csv, care_role_names(), truth_of(matrix))
