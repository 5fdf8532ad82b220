"""The import at ``COPY`` speed on PostgreSQL: the checked rows are copied into temporary
staging tables, and the plan (``import_plan``'s rules, unchanged) is worked out and applied
with set-based SQL, a handful of statements whatever the number of rows:

- staff: each staged row gets its outcome (new, updated, leaving, unchanged) from one join
  with the provider's staff; then one ``INSERT ... SELECT`` adds the new, one
  ``UPDATE ... FROM`` changes the updated and one marks the leavers;
- training: a staff member's records are compared with the file's as sets of values (the
  expiry a VALIDITY gives standing in for a blank one), by a full join of both sides'
  records grouped by worker and value; a worker whose sets differ has their records
  deleted and the file's inserted by one ``DELETE ... USING`` and one ``INSERT ... SELECT``.
  Only workers who already have records are compared at all: the rest's rows (all of a
  first import) are every one new, and are copied straight into ``training_record`` after
  the staff, with no staging table.

The counts are the same as the plain path's (``plan_import``); the returned ``Plan`` carries
only them (no per-worker lists). The staging tables are dropped at commit or rollback.
``tests/integration/test_set_based_import_postgres.py`` checks both paths store the same.
"""

# Table and column names in the SQL below are this module's constants and import_plan's
# field tuples, never input; values go as bound parameters or through COPY.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pandas as pd
from sqlalchemy import text

from portal.extensions import db
from portal.uploads import bulk_copy
from portal.uploads.asc_wds_results import ImportBatch
from portal.uploads.import_plan import STAFF_VALUE_FIELDS, TRAINING_VALUE_FIELDS, Plan

STAFF_STAGE, TRAINING_STAGE = "import_staff", "import_training"
WORKERS, OLD, NEW = "import_training_workers", "import_training_old", "import_training_new"


def _sql(statement: str, **params) -> list:
    result = db.session.execute(text(statement), params)
    return result.all() if result.returns_rows else []


def _stage(name: str, source: str, extra: str, columns: tuple[str, ...]) -> None:
    """A temporary table with ``columns`` typed as in ``source``, plus ``extra`` ones."""
    _sql(f"DROP TABLE IF EXISTS {name}")
    _sql(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {extra}, {', '.join(columns)} "
        f"FROM {source} WITH NO DATA"
    )


def import_set_based(provider_id: int, batch: ImportBatch, today: date) -> Plan:
    """Work out and apply the import of ``batch`` for the provider, in the session's
    transaction (the caller commits); the plan's counts say what it did."""
    plan = Plan()
    # Room to sort and hash the staged rows in memory (until the transaction ends).
    _sql("SET LOCAL work_mem = '64MB'")
    compared = fresh = None
    if batch.training is not None and len(batch.training):
        compared, fresh = _split_training(provider_id, batch.training)
    with ThreadPoolExecutor(max_workers=1) as helper:
        # The fresh records' cells are made while PostgreSQL works on the rest.
        cells = None
        if fresh is not None and len(fresh):
            cells = helper.submit(bulk_copy.cells_of, fresh[list(TRAINING_VALUE_FIELDS)])
        _apply_compared(plan, provider_id, batch, today, compared)
        if cells is not None:
            _copy_fresh_training(plan, provider_id, fresh, cells.result())
    return plan


def _apply_compared(
    plan: Plan, provider_id: int, batch: ImportBatch, today: date, compared: pd.DataFrame | None
) -> None:
    """The staff, and the training of workers who have records already."""
    changed = False
    if compared is not None and len(compared):
        _stage_training(provider_id, compared)
        _compare_training(plan)
        changed = plan.counts["training_staff_changed"] > 0
    if changed:
        _delete_changed_training()
    if batch.staff is not None and len(batch.staff):
        _apply_staff(plan, provider_id, batch, today)
    if changed:
        _insert_changed_training(provider_id)


# --- staff -------------------------------------------------------------------------------


def _apply_staff(plan: Plan, provider_id: int, batch: ImportBatch, today: date) -> None:
    columns = ("worker_id", *STAFF_VALUE_FIELDS)
    _stage(STAFF_STAGE, "staff_member", "0 AS file_row, ''::text AS action", columns)
    frame = batch.staff.reindex(columns=["row", "action", *columns]).astype({"row": "int64"})
    bulk_copy.copy_frame(STAFF_STAGE, ["file_row", "action", *columns], frame)
    _sql(f"ALTER TABLE {STAFF_STAGE} ADD staff_id integer, ADD left_before boolean, "
         "ADD differs boolean, ADD outcome text")  # fmt: skip
    fields = [name for name in STAFF_VALUE_FIELDS if name in batch.staff_fields]
    differs = " OR ".join(f"i.{name} IS DISTINCT FROM s.{name}" for name in fields) or "false"
    _sql(
        f"UPDATE {STAFF_STAGE} i SET staff_id = s.id, left_before = s.left_on IS NOT NULL, "
        f"differs = ({differs}) FROM staff_member s "
        "WHERE s.provider_id = :provider AND s.worker_id = i.worker_id",
        provider=provider_id,
    )
    # As import_plan._plan_staff: the check's action, and whether the worker exists.
    _sql(
        f"""UPDATE {STAFF_STAGE} SET outcome = CASE
            WHEN action = 'add' OR (staff_id IS NULL AND action <> 'leave') THEN 'staff_new'
            WHEN action = 'leave' AND staff_id IS NOT NULL AND NOT left_before
                THEN 'staff_leaving'
            WHEN action = 'update' AND differs THEN 'staff_updated'
            ELSE 'staff_unchanged' END"""
    )
    for outcome, count in _sql(f"SELECT outcome, count(*) FROM {STAFF_STAGE} GROUP BY outcome"):
        plan.counts[outcome] += count
    _sql(
        f"UPDATE staff_member s SET left_on = :today FROM {STAFF_STAGE} i "
        "WHERE i.staff_id = s.id AND i.outcome = 'staff_leaving'",
        today=today,
    )
    if fields:
        assignments = ", ".join(f"{name} = i.{name}" for name in fields)
        _sql(
            f"UPDATE staff_member s SET {assignments} FROM {STAFF_STAGE} i "
            "WHERE i.staff_id = s.id AND i.outcome = 'staff_updated'"
        )
    _sql(
        f"INSERT INTO staff_member (provider_id, {', '.join(columns)}) "
        f"SELECT :provider, {', '.join(columns)} FROM {STAFF_STAGE} "
        "WHERE outcome = 'staff_new' ORDER BY file_row",
        provider=provider_id,
    )


# --- training ----------------------------------------------------------------------------


def _values(alias: str) -> str:
    """A record's values (``import_plan.training_key``), for comparing with ``EXCEPT``: a
    blank expiry stands for the one DATECOMPLETED + VALIDITY months - 1 day gives (months
    clamped to the month's end, as ``add_months``)."""
    a = alias
    derived = (
        f"CASE WHEN {a}.date_completed IS NOT NULL AND {a}.validity NOT IN ('', 'none') "
        f"THEN ({a}.date_completed + make_interval(months => {a}.validity::integer))::date - 1 "
        "END"
    )
    return ", ".join(
        f"COALESCE({a}.expiry_date, {derived}) AS expiry_date"
        if name == "expiry_date"
        else f"{a}.{name}"
        for name in TRAINING_VALUE_FIELDS
    )


def _split_training(provider_id: int, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of workers who have training records already, rows of workers who have none):
    only the first are compared; the others are all new records, whatever they hold."""
    held = {
        worker_id
        for (worker_id,) in _sql(
            "SELECT s.worker_id FROM staff_member s WHERE s.provider_id = :provider "
            "AND EXISTS (SELECT 1 FROM training_record t WHERE t.staff_id = s.id)",
            provider=provider_id,
        )
    }
    known = rows["worker_id"].isin(held)
    return rows[known], rows[~known]


def _copy_fresh_training(
    plan: Plan, provider_id: int, rows: pd.DataFrame, cells: bulk_copy.Cells
) -> None:
    """The records of workers who had none (``cells``: their ``TRAINING_VALUE_FIELDS``),
    copied straight into ``training_record`` (after the staff, so starters have their
    ids): no staging table, nothing to compare. Counted as ``_compare_training`` counts a
    changed worker with no records."""
    staff_ids = dict(
        _sql("SELECT worker_id, id FROM staff_member WHERE provider_id = :provider",
             provider=provider_id)
    )  # fmt: skip
    ids = rows["worker_id"].map(staff_ids)
    if ids.isna().any():  # the check lets no such row through: stop rather than guess
        raise ValueError("training records for a worker with no staff record")
    # Grouped by staff member, each one's records in file order (their ids too, as
    # before): the (staff_id, category) index is written at its end rather than all over
    # it, a third of the COPY's time. Within a staff member the order costs nothing.
    order = bulk_copy.row_order(ids, rows["row"])
    cells = bulk_copy.cells_of(ids.to_frame()) + cells
    bulk_copy.copy_cells("training_record", ["staff_id", *TRAINING_VALUE_FIELDS], cells, order)
    plan.counts.update(
        Counter(training_staff_changed=rows["worker_id"].nunique(), training_added=len(rows))
    )


def _stage_training(provider_id: int, rows: pd.DataFrame) -> None:
    _stage(
        TRAINING_STAGE, "training_record", "0 AS file_row, ''::text AS worker_id",
        TRAINING_VALUE_FIELDS,
    )  # fmt: skip
    frame = rows.reindex(columns=["row", "worker_id", *TRAINING_VALUE_FIELDS])
    frame = frame.astype({"row": "int64"})
    bulk_copy.copy_frame(TRAINING_STAGE, ["file_row", "worker_id", *TRAINING_VALUE_FIELDS], frame)
    # One row per worker the file names: their staff id (None for staff still to be
    # added), whether they have records already, and (after comparing) whether they change.
    _sql(f"DROP TABLE IF EXISTS {WORKERS}")
    _sql(
        f"""CREATE TEMP TABLE {WORKERS} ON COMMIT DROP AS
        SELECT i.worker_id, s.id AS staff_id, count(*) AS file_rows,
               false AS has_old, true AS changed
        FROM {TRAINING_STAGE} i
        LEFT JOIN staff_member s ON s.provider_id = :provider AND s.worker_id = i.worker_id
        GROUP BY i.worker_id, s.id""",
        provider=provider_id,
    )
    _sql(f"ANALYZE {WORKERS}")  # a few thousand rows: so joins with it are planned as such


def _compare_training(plan: Plan) -> None:
    """Which workers' records change, and the counts, as ``import_plan._plan_training``:
    only workers with records already are compared, each side's records as a multiset."""
    held = _by_index(f"SELECT staff_id FROM {WORKERS} WHERE staff_id IS NOT NULL")
    _keys(OLD, f"{WORKERS} w JOIN training_record t ON t.staff_id = w.staff_id WHERE {held}", "t")
    _sql(f"UPDATE {WORKERS} SET has_old = true WHERE worker_id IN (SELECT worker_id FROM {OLD})")
    _keys(NEW, f"{TRAINING_STAGE} t JOIN {WORKERS} w USING (worker_id) WHERE w.has_old", "t")
    # The same SET of values on both sides (EXCEPT: distinct rows): nothing changes.
    _sql(
        f"""UPDATE {WORKERS} SET changed = false WHERE has_old AND worker_id NOT IN (
            SELECT worker_id FROM (SELECT * FROM {NEW} EXCEPT SELECT * FROM {OLD}) AS came
            UNION SELECT worker_id FROM (SELECT * FROM {OLD} EXCEPT SELECT * FROM {NEW}) AS went
        )"""
    )
    workers = _sql(
        f"""SELECT count(*) FILTER (WHERE changed), count(*) FILTER (WHERE NOT changed),
               COALESCE(sum(file_rows) FILTER (WHERE NOT changed), 0),
               COALESCE(sum(file_rows) FILTER (WHERE changed AND NOT has_old), 0),
               COALESCE(sum(file_rows) FILTER (WHERE changed AND has_old), 0)
        FROM {WORKERS}"""
    )[0]
    came = went = changed = 0
    if workers[4]:
        came, went, changed = _record_changes()
    plan.counts.update(
        Counter(
            training_staff_changed=workers[0],
            training_staff_unchanged=workers[1],
            training_unchanged=int(workers[2]) + int(workers[4]) - came,
            training_changed=changed,
            training_added=int(workers[3]) + came - changed,
            training_removed=went - changed,
        )
    )


def _record_changes() -> tuple[int, int, int]:
    """Records of changed workers that came and went (EXCEPT ALL: multisets) and, of them,
    completions (category and date) both came and went: a changed record
    (``import_plan.record_changes``)."""
    changed = f"(SELECT worker_id FROM {WORKERS} WHERE changed AND has_old)"
    new = f"SELECT * FROM {NEW} WHERE worker_id IN {changed}"
    old = f"SELECT * FROM {OLD} WHERE worker_id IN {changed}"
    row = _sql(
        f"""SELECT COALESCE(sum(came), 0), COALESCE(sum(went), 0),
               COALESCE(sum(LEAST(came, went)), 0)
        FROM (SELECT sum(came) AS came, sum(went) AS went FROM (
                SELECT worker_id, category, date_completed, 1 AS came, 0 AS went
                FROM ({new} EXCEPT ALL {old}) AS c
                UNION ALL
                SELECT worker_id, category, date_completed, 0, 1
                FROM ({old} EXCEPT ALL {new}) AS g
              ) AS records GROUP BY worker_id, category, date_completed) AS completions"""
    )[0]
    return int(row[0]), int(row[1]), int(row[2])


def _keys(name: str, source: str, record: str) -> None:
    """``name``: the records of ``source``, each as its worker and values."""
    _sql(f"DROP TABLE IF EXISTS {name}")
    _sql(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
        f"SELECT w.worker_id, {_values(record)} FROM {source}"
    )


def _delete_changed_training() -> None:
    changed = _by_index(f"SELECT staff_id FROM {WORKERS} WHERE changed AND has_old")
    _sql(f"DELETE FROM training_record t WHERE {changed}")


def _by_index(staff_ids: str) -> str:
    """A condition on ``training_record t``: its staff id one of those ``staff_ids``
    selects, as an array, so PostgreSQL reads those staff members' records by index
    whatever it guesses of their number (a join with the list could be planned as a scan
    of every provider's records: 1.5 s at 3 million)."""
    return f"t.staff_id = ANY (ARRAY({staff_ids}))"


def _insert_changed_training(provider_id: int) -> None:
    """The file's records of every changed worker, staff added by this import included."""
    _sql(
        f"UPDATE {WORKERS} w SET staff_id = s.id FROM staff_member s "
        "WHERE w.staff_id IS NULL AND s.provider_id = :provider AND s.worker_id = w.worker_id",
        provider=provider_id,
    )
    columns = ", ".join(TRAINING_VALUE_FIELDS)
    values = ", ".join(f"i.{name}" for name in TRAINING_VALUE_FIELDS)
    _sql(
        f"""INSERT INTO training_record (staff_id, {columns})
        SELECT w.staff_id, {values} FROM {TRAINING_STAGE} i
        JOIN {WORKERS} w ON w.worker_id = i.worker_id AND w.changed
        ORDER BY w.staff_id, i.file_row"""
    )
