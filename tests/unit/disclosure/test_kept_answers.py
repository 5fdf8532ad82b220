"""The forum's suppression is solved once for the same figures and kept (the page, its
CSVs and the providers' demand page are opened again and again). A kept answer must never
be shown for figures that changed: not when a provider's return changes a count, and not
when the counts stay the same but who contributes them changes (one provider dominating)."""

from portal.training_matrix_suppression import forum_view
from tests.unit.disclosure.councils import F2F, UP, Person, audit_view, matrix_of

MOVING = 15  # Assisting and moving people
CARE_WORKER = 8


def _care_workers(staff_per_provider: dict[int, int]) -> list[Person]:
    return [
        Person(provider, CARE_WORKER, {MOVING: (UP, F2F)})
        for provider, staff in staff_per_provider.items()
        for _ in range(staff)
    ]


def _up_to_date_shown(people) -> bool:
    view, findings = audit_view(matrix_of(people))
    assert findings == []
    return not view.cell(MOVING, CARE_WORKER).reasons["up_to_date"]


def test_the_same_figures_get_the_same_answer_and_changed_figures_a_new_one():
    even = _care_workers({1: 10, 2: 10, 3: 10})
    assert _up_to_date_shown(even)
    assert _up_to_date_shown(even)  # asked again: the kept answer
    # Provider 3's return drops its staff: two providers left, the count is hidden.
    assert not _up_to_date_shown(_care_workers({1: 10, 2: 10}))
    # Same 30 staff, but one provider holds 28 of them: dominance hides it.
    assert not _up_to_date_shown(_care_workers({1: 28, 2: 1, 3: 1}))
    assert _up_to_date_shown(even)


def test_a_kept_answer_cannot_be_changed_by_the_caller():
    people = _care_workers({1: 10, 2: 10, 3: 10})
    first = forum_view(matrix_of(people))
    first.cells[(MOVING, CARE_WORKER)].reasons["up_to_date"] = "primary"
    again = forum_view(matrix_of(people))
    assert not again.cell(MOVING, CARE_WORKER).reasons["up_to_date"]
