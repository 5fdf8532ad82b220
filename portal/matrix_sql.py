"""The super training matrix's counts worked out by PostgreSQL: one statement reads each
contract's newest confirmed training snapshot, keeps the staff the matrix counts, gives
each of them a status per category and counts them per category, job role and provider
(``count(*) FILTER`` per status), with next quarter's demand and the staff per job role.

The rules are ``portal.matrix``'s, said again in SQL (its module docstring says them in
words); ``tests/integration/test_matrix_sql_postgres.py`` checks that both give the same
figures on generated data. Python then only adds the rows up into cells: a council's
100,000 records become about 20,000 rows, not 100,000 dictionaries.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import text

from portal.extensions import db
from portal.returns import training_status_rules

UP, SOON, EXPIRED, MISSING = (
    training_status_rules.STATUS_UP_TO_DATE,
    training_status_rules.STATUS_EXPIRING,
    training_status_rules.STATUS_EXPIRED,
    training_status_rules.STATUS_MISSING,
)

# :council, :as_at, :soon (as_at + 90 days), :provider (or NULL for the whole area),
# :away_providers/:away_branches (branches no contract with the council covers, pairwise)
# and :mandatory_roles/:mandatory_categories (the council's mandatory set, pairwise).
MATRIX_SQL = text(
    """
WITH latest AS MATERIALIZED (  -- each contract's newest version the matrix counts
    SELECT c.id AS contract_id, c.provider_id, v.submitted_at,
           CAST(NULLIF(v.confirmed_training->>'as_at', '') AS date) AS snapshot_as_at,
           v.confirmed_training->'staff' AS staff
    FROM contract c
    CROSS JOIN LATERAL (
        SELECT v.submitted_at, v.confirmed_training
        FROM monthly_return r JOIN return_version v ON v.return_id = r.id
        WHERE r.contract_id = c.id AND r.period <= :as_at AND v.confirmed_training IS NOT NULL
        ORDER BY r.period DESC, v.number DESC
        LIMIT 1
    ) v
    WHERE c.council_id = :council
      AND (CAST(:provider AS integer) IS NULL OR c.provider_id = :provider)
),
listed AS (  -- staff in post on the date, at a branch a contract covers
    SELECT l.contract_id, l.provider_id, l.submitted_at, l.snapshot_as_at, s.*
    FROM latest l
    CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(
        CASE WHEN jsonb_typeof(l.staff) = 'array' THEN l.staff ELSE '[]'::jsonb END
    ) AS (worker_id text, job_role integer, branch text, left_on text, training jsonb))
    WITH ORDINALITY AS s(worker_id, job_role, branch, left_on, training, position)
    WHERE (NULLIF(s.left_on, '') IS NULL OR CAST(s.left_on AS date) >= :as_at)
      AND NOT EXISTS (
          SELECT 1 FROM unnest(CAST(:away_providers AS integer[]),
                               CAST(:away_branches AS text[])) AS away(provider_id, branch)
          WHERE away.provider_id = l.provider_id AND away.branch = s.branch)
),
staff AS MATERIALIZED (  -- each staff member once, from the newest snapshot listing them
    SELECT row_number() OVER () AS sid, once.* FROM (
        SELECT DISTINCT ON (provider_id, COALESCE(worker_id, 'None'))
               provider_id, COALESCE(worker_id, 'None') AS worker_id, job_role,
               CASE WHEN jsonb_typeof(training) = 'array'
                    THEN training ELSE '[]'::jsonb END AS training
        FROM listed
        ORDER BY provider_id, COALESCE(worker_id, 'None'), snapshot_as_at DESC NULLS LAST,
                 submitted_at DESC, contract_id, position
    ) once
),
held AS MATERIALIZED (  -- a status per category held: the latest-expiring record's
    SELECT st.sid, st.provider_id, st.job_role, per.category, per.status
    FROM staff st
    CROSS JOIN LATERAL (  -- grouped one staff member at a time: a few records each
        SELECT t.category,
               CASE WHEN bool_or(NULLIF(t.expiry_date, '') IS NULL) THEN :up
                    WHEN max(CAST(NULLIF(t.expiry_date, '') AS date)) < :as_at THEN :expired
                    WHEN max(CAST(NULLIF(t.expiry_date, '') AS date)) <= :soon THEN :expiring
                    ELSE :up END AS status
        FROM jsonb_to_recordset(st.training)
            AS t(category integer, date_completed text, expiry_date text)
        WHERE NULLIF(t.date_completed, '') IS NULL
           OR CAST(t.date_completed AS date) <= :as_at
        GROUP BY t.category
    ) per
),
statuses AS MATERIALIZED (  -- and "missing" for each mandatory category with no record
    SELECT * FROM held
    UNION ALL
    SELECT st.sid, st.provider_id, st.job_role, m.category, :missing
    FROM staff st
    JOIN unnest(CAST(:mandatory_roles AS integer[]),
                CAST(:mandatory_categories AS integer[])) AS m(job_role, category)
      ON m.job_role = st.job_role
    WHERE NOT EXISTS (
        SELECT 1 FROM held h WHERE h.sid = st.sid AND h.category = m.category)
),
members AS (  -- each counted staff member's row in the provider's records now
    SELECT st.sid, sm.id AS staff_id
    FROM staff st
    JOIN staff_member sm ON sm.provider_id = st.provider_id AND sm.worker_id = st.worker_id
),
needs AS (  -- who needs the training, and how their latest course was delivered
    SELECT s.provider_id, s.category, latest_course.mode
    FROM statuses s
    LEFT JOIN members m ON m.sid = s.sid
    LEFT JOIN LATERAL (
        SELECT CASE WHEN tr.how_delivered IN (1, 2) THEN tr.how_delivered END AS mode
        FROM training_record tr
        WHERE tr.staff_id = m.staff_id AND tr.category = s.category
          AND tr.date_completed <= :as_at
        ORDER BY tr.date_completed DESC, tr.id DESC
        LIMIT 1
    ) latest_course ON true
    WHERE s.status <> :up
)
SELECT 'cell' AS kind, category, job_role AS key, provider_id,
       count(*) FILTER (WHERE status = :up) AS up_to_date,
       count(*) FILTER (WHERE status = :expiring) AS expiring,
       count(*) FILTER (WHERE status = :expired) AS expired,
       count(*) FILTER (WHERE status = :missing) AS missing
FROM statuses GROUP BY category, job_role, provider_id
UNION ALL
SELECT 'demand', category, mode, provider_id, count(*), 0, 0, 0
FROM needs GROUP BY category, mode, provider_id
UNION ALL
SELECT 'staff', NULL, job_role, provider_id, count(*), 0, 0, 0
FROM staff GROUP BY job_role, provider_id
"""
)


def matrix_rows(
    council_id: int,
    as_at: date,
    provider_id: int | None,
    away: dict[int, set[str]],
    mandatory: dict[int, frozenset[int]],
) -> list[tuple]:
    """(kind, category, key, provider id, up to date, expiring, expired, missing) rows:
    kind "cell" (key: job role), "demand" (key: delivery mode; the first count is the
    staff) and "staff" (key: job role; the first count is the staff)."""
    away_pairs = sorted((pid, name) for pid, names in away.items() for name in names)
    mandatory_pairs = sorted((role, code) for role, codes in mandatory.items() for code in codes)
    # A council's snapshots sort and group in memory, not on disk (the default 4 MB spills);
    # for this transaction only.
    db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    return db.session.execute(
        MATRIX_SQL,
        {
            "council": council_id,
            "as_at": as_at,
            "soon": as_at + timedelta(days=training_status_rules.EXPIRING_WITHIN_DAYS),
            "provider": provider_id,
            "away_providers": [p for p, _ in away_pairs],
            "away_branches": [b for _, b in away_pairs],
            "mandatory_roles": [r for r, _ in mandatory_pairs],
            "mandatory_categories": [c for _, c in mandatory_pairs],
            "up": UP,
            "expiring": SOON,
            "expired": EXPIRED,
            "missing": MISSING,
        },
    ).all()


def staff_by_role(rows: list[tuple]) -> tuple[Counter, set[int]]:
    """(job role -> staff, providers with staff) from the "staff" rows."""
    roles: Counter = Counter()
    providers = set()
    for kind, _, role, provider_id, staff, *_ in rows:
        if kind == "staff":
            roles[role] += staff
            providers.add(provider_id)
    return roles, providers
