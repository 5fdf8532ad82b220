"""Hand-made cases: the issue's worked examples, rebuilt from made-up staff, found by the
auditor when the tables are suppressed one at a time, and protected by joint suppression;
single figures hidden inside a cell whose other figures are shown, and the in-cell
relations (staff in scope, % compliant) the auditor reads from what is published."""

from portal.disclosure.auditor import audit
from portal.disclosure.forum_check import care_role_names
from portal.disclosure.rule import HIDDEN
from portal.matrix import ALL_CARE_ROLES, EXPORT_HEADER
from portal.training_matrix_suppression import PRIMARY, SECONDARY, Shown, ShownCell, forum_view
from tests.unit.disclosure.councils import (
    ELEARN,
    EXPIRED,
    EXPIRING,
    F2F,
    MISSING,
    UNKNOWN,
    UP,
    Person,
    audit_view,
    matrix_of,
)

MOVING = 15  # Assisting and moving people
# The managers are first-line managers: a role outside "All care roles" (ASC-WDS counts
# registered managers as providing care).
MANAGER, SENIOR_CARE_WORKER, CARE_WORKER, OTHER = 3, 7, 8, 27


def _moving_people() -> list[Person]:
    """Demand for moving people 57 = "All care roles" 52 + first-line managers 3 + the 2
    staff in "Other (not directly involved in providing care)", all at provider 1."""
    people = []
    for provider in range(1, 7):
        people += [Person(provider, CARE_WORKER, {MOVING: (UP, F2F)}) for _ in range(5)]
    for provider in range(1, 6):
        people += [Person(provider, CARE_WORKER, {MOVING: (EXPIRED, F2F)}) for _ in range(4)]
        people += [Person(provider, CARE_WORKER, {MOVING: (EXPIRING, ELEARN)}) for _ in range(4)]
    for provider in range(2, 6):
        people += [Person(provider, SENIOR_CARE_WORKER, {MOVING: (MISSING, UNKNOWN)})] * 3
    people += [Person(p, MANAGER, {MOVING: (EXPIRED, F2F)}) for p in (1, 2, 3)]
    people += [Person(p, MANAGER, {MOVING: (UP, F2F)}) for p in (4, 5, 6)]
    people += [Person(1, OTHER, {MOVING: (EXPIRED, F2F)}) for _ in range(2)]
    return people


def _primary_only(matrix):
    """The tables as they were published before: only cells the rule hides are hidden
    (each table's own secondary suppression hid nothing more here)."""
    view = forum_view(matrix)
    for key, shown in view.cells.items():
        reasons = {k: r if r == PRIMARY else None for k, r in shown.reasons.items()}
        if reasons["staff_in_scope"]:  # a % compliant is hidden with its staff in scope
            reasons["percent_compliant"] = reasons["percent_compliant"] or SECONDARY
        view.cells[key] = ShownCell(shown.cell, reasons)
    for key, shown in view.demand.items():
        view.demand[key] = Shown(shown.cell, PRIMARY if shown.reason == PRIMARY else None)
    return view


def test_the_worked_example_is_found_and_then_protected():
    matrix = matrix_of(_moving_people())
    assert (
        matrix.cell(MOVING, ALL_CARE_ROLES).expired
        + matrix.cell(MOVING, ALL_CARE_ROLES).expiring
        + matrix.cell(MOVING, ALL_CARE_ROLES).missing
        == 52
    )
    assert sum(d.staff for d in matrix.demand.values()) == 57
    before = _primary_only(matrix)
    assert [k for k, s in before.cells.items() if s.hidden] == [(MOVING, OTHER)]
    _, findings = audit_view(matrix, before)
    worked_out = [f for f in findings if "Other" in f.figure and "expired" in f.figure]
    assert len(worked_out) == 1
    assert (worked_out[0].value, worked_out[0].lower, worked_out[0].upper) == (2, 2, 2)

    view, findings = audit_view(matrix)
    assert findings == []
    assert view.cell(MOVING, OTHER).reason == PRIMARY
    # Something more than the small cell had to go, in one table or the other.
    assert (
        sum(s.hidden for s in view.cells.values()) + sum(s.hidden for s in view.demand.values()) > 1
    )


def test_a_dominated_cell_is_hidden_though_three_providers_are_in_it():
    people = [Person(1, CARE_WORKER, {MOVING: (UP, F2F)}) for _ in range(20)]
    people += [Person(p, CARE_WORKER, {MOVING: (UP, F2F)}) for p in (2, 3)]
    people += [Person(p, SENIOR_CARE_WORKER, {MOVING: (UP, F2F)}) for p in (1, 2, 3)] * 4
    matrix = matrix_of(people)
    view, findings = audit_view(matrix)
    assert len(matrix.cell(MOVING, CARE_WORKER).providers) == 3
    assert view.cell(MOVING, CARE_WORKER).reason == PRIMARY
    assert not view.cell(MOVING, SENIOR_CARE_WORKER).reason == PRIMARY
    assert findings == []


HEADER = ",".join(EXPORT_HEADER)
DUTY_OF_CARE_MATRIX = f"""{HEADER}
34,Duty of care,Care worker,30,5,10,10,5,50.0
34,Duty of care,All care roles,30,5,10,10,5,50.0
"""
DUTY_OF_CARE_DEMAND = f"""category_code,category,face_to_face,e_learning,not_known,total
34,Duty of care,{HIDDEN},20,0,{HIDDEN}
,All categories,{HIDDEN},20,0,{HIDDEN}
"""


def test_the_auditor_finds_a_demand_cell_given_away_by_the_matrix():
    """Face-to-face duty of care (5, from two providers) hidden with its totals, as the
    demand table alone would suppress it, is still 25 needing training - 20 - 0."""
    truth = {("d", "34", "face_to_face"): 5, ("d", "34", "total"): 25}
    truth |= {("d", "", "face_to_face"): 5, ("d", "", "total"): 25}
    findings = audit(DUTY_OF_CARE_MATRIX, DUTY_OF_CARE_DEMAND, care_role_names(), truth.get)
    assert {(f.figure, f.lower, f.upper) for f in findings} == {
        ("demand Duty of care: face_to_face", 5, 5),
        ("demand Duty of care: total", 25, 25),
        ("demand All categories: face_to_face", 5, 5),
        ("demand All categories: total", 25, 25),
    }
    # With the care workers' cell hidden too, nothing can be worked out.
    matrix = DUTY_OF_CARE_MATRIX.replace(
        "Care worker,30,5,10,10,5,50.0", "Care worker," + ",".join([HIDDEN] * 6)
    ).replace("All care roles,30,5,10,10,5,50.0", "All care roles," + ",".join([HIDDEN] * 6))
    cells = {"staff_in_scope": 30, "up_to_date": 5, "expiring_90_days": 10, "expired": 10}
    for role in ("Care worker", "All care roles"):
        truth |= {("m", "34", role, k): v for k, v in cells.items()}
        truth[("m", "34", role, "missing")] = 5
    assert audit(matrix, DUTY_OF_CARE_DEMAND, care_role_names(), truth.get) == []


def test_a_cell_hidden_to_protect_another_is_protected_too():
    """The worked example needs cells hidden to protect "Other": each of them must have a
    wide range too (hidden so as to protect "Other" alone, one could be worked out)."""
    view, findings = audit_view(matrix_of(_moving_people()))
    secondary = [k for k, s in [*view.cells.items(), *view.demand.items()] if s.reason == SECONDARY]
    assert secondary
    assert findings == []


def test_every_status_count_is_under_the_rule():
    """Staff in scope from 5 providers, but the expired staff all at one provider: the
    expired count is hidden, though the staff in scope passes."""
    people = [Person(p, CARE_WORKER, {MOVING: (UP, F2F)}) for p in range(1, 6)] * 4
    people += [Person(1, CARE_WORKER, {MOVING: (EXPIRED, F2F)}) for _ in range(2)]
    people += [Person(p, SENIOR_CARE_WORKER, {MOVING: (UP, F2F)}) for p in range(1, 6)] * 4
    matrix = matrix_of(people)
    assert len(matrix.cell(MOVING, CARE_WORKER).providers) == 5
    view, findings = audit_view(matrix)
    assert view.cell(MOVING, CARE_WORKER).reasons["expired"] == PRIMARY
    assert view.cell(MOVING, CARE_WORKER).reasons["staff_in_scope"] != PRIMARY
    assert view.cell(MOVING, SENIOR_CARE_WORKER).reason != PRIMARY
    assert findings == []


def test_a_single_count_is_hidden_and_the_cells_other_figures_shown():
    """Care workers' expired staff at one provider only: that count is hidden; the
    cell's up to date and missing stay shown (a cell is no longer hidden whole), and the
    auditor proves the hidden count safe."""
    people = [Person(p, CARE_WORKER, {MOVING: (UP, F2F)}) for p in range(1, 7)] * 5
    people += [Person(p, CARE_WORKER, {MOVING: (EXPIRING, ELEARN)}) for p in range(1, 7)]
    people += [Person(1, CARE_WORKER, {MOVING: (EXPIRED, F2F)}) for _ in range(2)]
    people += [
        Person(p, SENIOR_CARE_WORKER, {MOVING: (status, F2F)})
        for p in range(1, 6)
        for status in (UP, UP, EXPIRED, EXPIRING)
    ]
    view, findings = audit_view(matrix_of(people))
    care_workers = view.cell(MOVING, CARE_WORKER)
    assert care_workers.reasons["expired"] == PRIMARY
    assert care_workers.figures()[1] == 30  # up to date
    assert care_workers.figures()[4] == 0  # missing
    assert findings == []


# One care-worker cell and a demand table with every figure hidden: only the cell's own
# relations (staff in scope = its four counts; % compliant of staff in scope) tie its
# hidden counts to what is shown. True values: 30 = 20 up to date + 4 expiring + 3
# expired + 3 missing, 80.0% compliant; 10 need training.
ONE_CELL_DEMAND = f"""category_code,category,face_to_face,e_learning,not_known,total
34,Duty of care,{",".join([HIDDEN] * 4)}
,All categories,{",".join([HIDDEN] * 4)}
"""
ONE_CELL_TRUTH = {
    ("m", "34", "Care worker", "staff_in_scope"): 30,
    ("m", "34", "Care worker", "up_to_date"): 20,
    ("m", "34", "Care worker", "expiring_90_days"): 4,
    ("m", "34", "Care worker", "expired"): 3,
    ("m", "34", "Care worker", "missing"): 3,
    **{("d", code, m): v for code in ("34", "") for m, v in (("face_to_face", 6),
       ("e_learning", 4), ("not_known", 0), ("total", 10))},
}  # fmt: skip


def _one_cell(figures: str) -> set:
    """The cell's figures the auditor finds narrowed too far, with their ranges (the
    demand table's totals, which the cell's needing training can give away, left out)."""
    matrix = f"{HEADER}\n34,Duty of care,Care worker,{figures}\n"
    found = audit(matrix, ONE_CELL_DEMAND, care_role_names(), ONE_CELL_TRUTH.get)
    return {(f.figure, f.lower, f.upper) for f in found if "Care worker" in f.figure}


def test_the_auditor_reads_the_staff_in_scope_relation_from_the_page():
    """One count hidden in a cell whose other figures are shown is worked out exactly
    (30 - 20 - 4 - 3 = 3): nothing else here ties it, so the auditor has the relation
    from what is published, not from the suppressor."""
    assert _one_cell(f"30,20,4,{HIDDEN},3,80.0") == {("Duty of care / Care worker: expired", 3, 3)}
    # Two counts hidden and the staff in scope shown: expired + missing = 6, each free
    # from 0 to 6 (3 +/- 3): safe.
    assert _one_cell(f"30,20,4,{HIDDEN},{HIDDEN},80.0") == set()


def test_a_shown_percentage_is_a_relation_the_auditor_uses():
    """Up to date and expired hidden with staff in scope 30 and 80.0% compliant shown:
    up to date + expiring = 24, so up to date = 20 exactly, though the staff in scope
    alone leaves up to date + expired = 23 wide. With the percentage hidden too, safe;
    and with the staff in scope hidden the percentage still pins it."""
    assert ("Duty of care / Care worker: up_to_date", 20, 20) in _one_cell(
        f"30,{HIDDEN},4,{HIDDEN},3,80.0"
    )
    assert _one_cell(f"30,{HIDDEN},4,{HIDDEN},3,{HIDDEN}") == set()
    # The percentage with the staff in scope hidden still bounds it: 100 x 24 is within
    # 0.05 x N of 80 x N, so N = 30 exactly.
    found = _one_cell(f"{HIDDEN},20,4,{HIDDEN},3,80.0")
    assert ("Duty of care / Care worker: staff_in_scope", 30, 30) in found
