"""A training record always belongs to a staff member that exists, on PostgreSQL where the
foreign key is checked once a statement by triggers (migration 0023, ADR 0024): a record
for a staff id that does not exist is refused with an IntegrityError and nothing of the
statement is stored; deleting staff deletes their training records (the ON DELETE CASCADE);
and a delete racing an insert for the same staff member never leaves a record behind."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import StaffMember, TrainingRecord
from tests.conftest import PG_URL
from tests.factories import make_provider, make_staff

MISSING = 987_654_321  # no staff member has this id


def _records_of(*staff_ids: int) -> int:
    return db.session.scalar(select(func.count()).where(TrainingRecord.staff_id.in_(staff_ids)))


def _row(staff_id: int, category: int = 1) -> dict:
    return {"staff_id": staff_id, "category": category, "training_name": "Moving and handling"}


def test_a_record_for_a_staff_id_that_does_not_exist_is_refused_and_nothing_is_stored(app):
    member = make_staff(make_provider())
    with pytest.raises(IntegrityError) as refused:
        with db.session.begin_nested():  # the statement's good rows go with the bad one
            db.session.execute(insert(TrainingRecord), [_row(member.id), _row(MISSING)])
    assert isinstance(refused.value.orig, psycopg.errors.ForeignKeyViolation)
    assert f"Key (staff_id)=({MISSING}) is not present" in str(refused.value)
    assert _records_of(member.id, MISSING) == 0


def test_moving_a_record_to_a_staff_id_that_does_not_exist_is_refused(app):
    member = make_staff(make_provider(), training=[{"category": 1}])
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(update(TrainingRecord).values(staff_id=MISSING)
                               .where(TrainingRecord.staff_id == member.id))  # fmt: skip
    assert _records_of(member.id) == 1


def test_deleting_staff_deletes_their_training_records_and_no_one_elses(app):
    provider = make_provider()
    leaving = [make_staff(provider, training=[{"category": 1}, {"category": 2}]) for _ in "ab"]
    staying = make_staff(provider, training=[{"category": 1}])
    db.session.execute(delete(StaffMember).where(StaffMember.id.in_([m.id for m in leaving])))
    assert _records_of(*(m.id for m in leaving)) == 0
    assert _records_of(staying.id) == 1


def test_a_staff_member_with_records_keeps_their_id(app):
    member = make_staff(make_provider(), training=[{"category": 1}])
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(
                update(StaffMember).values(id=MISSING).where(StaffMember.id == member.id)
            )
    assert _records_of(member.id) == 1


# --- a delete racing an insert (real commits, two connections) -----------------------------

INSERT = "INSERT INTO training_record (staff_id, category) VALUES (%s, 1)"
DELETE = "DELETE FROM staff_member WHERE id = %s"


def _committed_staff_id() -> int:
    member = make_staff(make_provider())
    return member.id


def _wait_until_blocked(pid: int) -> None:
    """Until the backend ``pid`` waits for a row lock."""
    for _ in range(200):
        with db.engine.connect() as conn:
            waiting = conn.scalar(
                text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            )
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first")


def _race(first: str, second: str, staff_id: int):
    """``first`` runs and holds its transaction open while ``second`` starts and waits for
    it; then ``first`` commits. Returns what ``second`` raised (None if nothing)."""
    with psycopg.connect(PG_URL) as one, psycopg.connect(PG_URL) as two:
        one.execute(first, (staff_id,))

        def then_second():
            try:
                two.execute(second, (staff_id,))
                two.commit()
            except psycopg.Error as error:
                two.rollback()
                return error
            return None

        with ThreadPoolExecutor(max_workers=1) as pool:
            outcome = pool.submit(then_second)
            _wait_until_blocked(two.info.backend_pid)
            one.commit()
            return outcome.result(timeout=10)


def test_a_delete_waiting_for_an_insert_takes_the_new_record_with_it(committed_app):
    staff_id = _committed_staff_id()
    assert _race(INSERT, DELETE, staff_id) is None
    assert _records_of(staff_id) == 0


def test_an_insert_waiting_for_a_delete_is_refused(committed_app):
    staff_id = _committed_staff_id()
    refused = _race(DELETE, INSERT, staff_id)
    assert isinstance(refused, psycopg.errors.ForeignKeyViolation)
    assert _records_of(staff_id) == 0


# --- the migration both ways ----------------------------------------------------------------


def _refuses_a_record_for_missing_staff(conn: psycopg.Connection) -> bool:
    try:
        with conn.transaction():
            conn.execute(INSERT, (MISSING,))
    except psycopg.errors.ForeignKeyViolation:
        return True
    return False


def _checked_by(conn: psycopg.Connection) -> tuple[int, int]:
    """(foreign keys on training_record, triggers on it and on staff_member)."""
    keys = conn.execute(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'training_record'::regclass "
        "AND contype = 'f'"
    ).fetchone()[0]
    triggers = conn.execute(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
        "('training_record'::regclass, 'staff_member'::regclass)"
    ).fetchone()[0]
    return keys, triggers


def test_the_migration_goes_back_to_the_foreign_key_and_forward_again(pg_app):
    from flask_migrate import downgrade, upgrade

    with pg_app.app_context(), psycopg.connect(PG_URL, autocommit=True) as conn:
        assert _checked_by(conn) == (0, 5)
        try:
            downgrade(revision="0022")
            assert _checked_by(conn) == (1, 0)
            assert _refuses_a_record_for_missing_staff(conn)
        finally:
            upgrade()
        assert _checked_by(conn) == (0, 5)
        assert _refuses_a_record_for_missing_staff(conn)
