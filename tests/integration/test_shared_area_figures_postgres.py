"""The area's training figures a pack or feedback report needs are built once per council
and period end, and every worker process reuses them through Redis (RQ runs each job in a
fresh fork, so a cache in a process's memory helps no other job)."""

from __future__ import annotations

from datetime import date

from redis import Redis
from sqlalchemy import event

from portal import training_compliance
from portal.extensions import db
from portal.mandatory import mandatory_codes
from tests.factories import make_contracted, make_staff

AS_AT = date(2026, 10, 31)


def _figures_and_statements(council_id: int, codes: list[int]):
    """The figures as a fresh worker process gets them, and how many SQL statements ran."""
    training_compliance._AREA_CACHE.clear()
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        figures = training_compliance.area_figures(council_id, AS_AT, codes)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return figures, len(statements)


def test_a_second_process_reuses_the_area_figures_from_redis(app, redis_db):
    world = make_contracted()
    for n in range(3):
        make_staff(world.provider, worker_id=f"S{n}", training=[{"category": 20}])
    codes = mandatory_codes(world.council.id)

    app.config["REDIS_URL"] = None
    alone, built_alone = _figures_and_statements(world.council.id, codes)
    again_alone, rebuilt_alone = _figures_and_statements(world.council.id, codes)
    assert rebuilt_alone == built_alone  # no Redis: every new process builds the matrix

    app.config["REDIS_URL"] = redis_db
    first, built = _figures_and_statements(world.council.id, codes)
    second, reused = _figures_and_statements(world.council.id, codes)
    assert first == second == alone == again_alone
    assert built == built_alone
    assert reused < built  # only the key is read; the matrix is not built again
    assert len(Redis.from_url(redis_db).keys("portal:area-figures:*")) == 1


def test_the_figures_are_built_again_when_a_redis_is_not_answering(app):
    world = make_contracted()
    codes = mandatory_codes(world.council.id)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    figures = training_compliance.area_figures(world.council.id, AS_AT, codes)
    assert figures.provider_count == 0 and set(figures.cells) == set(codes)
