"""Migration 0015 carries a council's own mandatory set over to the roles ASC-WDS counts as
care-providing, and turns typed training-provider names into ASC-WDS codes, on a real
(SQLite) database upgraded from 0010."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from portal.app import create_app
from portal.extensions import db

CARE_WORKER, SENIOR_CARE_WORKER, REGISTERED_NURSE = 8, 7, 16
NEW_CARE_ROLES = (4, 9, 45, 52)
SAFEGUARDING, FIRE, DEMENTIA = 20, 6, 2


def _rows(conn, sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in conn.execute(text(sql), params)]


def test_migration_0015_carries_mandatory_sets_and_provider_names_over(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True})
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO council (id, name, slug) VALUES (1, 'A', 'a')"))
            conn.execute(text("INSERT INTO council (id, name, slug) VALUES (2, 'B', 'b')"))
            for role, category in [
                (CARE_WORKER, SAFEGUARDING), (CARE_WORKER, FIRE), (CARE_WORKER, DEMENTIA),
                (SENIOR_CARE_WORKER, SAFEGUARDING), (SENIOR_CARE_WORKER, FIRE),
                (REGISTERED_NURSE, DEMENTIA), (45, DEMENTIA),  # team leader: already set
            ]:  # fmt: skip
                conn.execute(
                    text(
                        "INSERT INTO mandatory_training (council_id, job_role_code, "
                        "category_code) VALUES (1, :role, :category)"
                    ),
                    {"role": role, "category": category},
                )
            conn.execute(text("INSERT INTO provider (id, name, slug) VALUES (1, 'P', 'p')"))
            conn.execute(
                text(
                    "INSERT INTO branch (id, provider_id, name, cqc_rating, "
                    "registered_manager_in_post, sponsor_licence_status) "
                    "VALUES (1, 1, 'M', 'not_yet_rated', 1, 'none')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO staff_member (id, provider_id, branch_id, worker_id, "
                    "main_job_role) VALUES (1, 1, 1, 'W1', 8)"
                )
            )
            for n, (who, name, notes) in enumerate(
                [
                    (2, "skills for care", None),  # a name on the list
                    (2, "Acme Training", "Passed"),  # not on it
                    (1, "In-house", None),  # not external
                    (2, "40", None),  # already a code
                ],
                start=1,
            ):
                conn.execute(
                    text(
                        "INSERT INTO training_record (id, staff_id, category, who_delivered, "
                        "provider_name, date_completed, notes) "
                        "VALUES (:id, 1, 20, :who, :name, '2026-01-01', :notes)"
                    ),
                    {"id": n, "who": who, "name": name, "notes": notes},
                )
        upgrade()
        with db.engine.connect() as conn:
            council_a = _rows(
                conn,
                "SELECT job_role_code, category_code FROM mandatory_training "
                "WHERE council_id = 1 ORDER BY job_role_code, category_code",
            )
            assert _rows(conn, "SELECT * FROM mandatory_training WHERE council_id = 2") == []
            records = _rows(
                conn, "SELECT id, provider_name, notes FROM training_record ORDER BY id"
            )
    # Categories every kept care role had (safeguarding, fire) go to the new care roles
    # the council had not set; the team leader's own row and the nurse's stay as they were.
    expected = {(CARE_WORKER, c) for c in (SAFEGUARDING, FIRE, DEMENTIA)}
    expected |= {(SENIOR_CARE_WORKER, SAFEGUARDING), (SENIOR_CARE_WORKER, FIRE)}
    expected |= {(REGISTERED_NURSE, DEMENTIA), (45, DEMENTIA)}
    expected |= {(role, c) for role in (4, 9, 52) for c in (SAFEGUARDING, FIRE)}
    assert set(council_a) == expected and len(council_a) == len(expected)
    assert records == [
        (1, "88", None),
        (2, "999", "Training provider: Acme Training\nPassed"),
        (3, None, "Training provider: In-house"),
        (4, "40", None),
    ]
