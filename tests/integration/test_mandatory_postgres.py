"""A council's mandatory training set on PostgreSQL: commissioners saving at the same time
take turns, so every save succeeds and the set left is one whole save, never a mixture."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from portal import mandatory
from portal.extensions import db
from tests.factories import make_council

CARE_WORKER, SAFEGUARDING = 8, 20
SAVES = 12


def test_parallel_saves_each_succeed_and_leave_one_whole_set(committed_app):
    app = committed_app
    with app.app_context():
        council_id = make_council().id
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(SAVES)
    # Every save shares one row (so without the lock two inserts collide on the unique
    # key) and has one of its own (so a mixture of two saves would show).
    sets = [{(SAFEGUARDING, CARE_WORKER), (n + 1, CARE_WORKER)} for n in range(SAVES)]

    def save(pairs: set[tuple[int, int]]) -> None:
        barrier.wait()
        with app.app_context():
            mandatory.replace_set(council_id, pairs)
            db.session.remove()

    with ThreadPoolExecutor(max_workers=SAVES) as pool:
        list(pool.map(save, sets))  # re-raises any save's error
    with app.app_context():
        left = {
            (category, role)
            for role, categories in mandatory.mandatory_set(council_id).items()
            for category in categories
        }
    assert left in sets
