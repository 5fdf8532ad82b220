"""ASC-WDS as it is: councils' mandatory sets cover the care roles ASC-WDS added, and a
training record may have no completion date (ASC-WDS accepts a blank DATECOMPLETED)

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000

The job-role list (portal/reference/job-roles.csv) now holds all 37 ASC-WDS roles and
takes "provides care" from ASC-WDS. Roles that became care-providing (registered manager 4,
community support and outreach work 9, team leader 45, support worker 52) have no rows in
a council's own mandatory set; each gets the categories the council already requires of
every care role it kept (supervisor 5, senior care worker 7, care worker 8, other directly
involved in providing care 23), so "every care role needs safeguarding" stays true. Roles
no longer counted as care-providing keep whatever rows the council gave them. Councils on
the default set follow the new list without a change here.

PROVIDERNAME is now a code from ASC-WDS's list of training providers
(portal/reference/training-providers.csv), kept only when WHODELIVERED is 2. A provider
name typed before becomes its code when it is a name on the list; any other name is kept
in the record's notes ("Training provider: ...") and the code becomes 999 (another
provider) when an external provider delivered it, else none.
"""

import csv
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

REFERENCE = Path(__file__).resolve().parents[2] / "portal" / "reference"
OTHER_PROVIDER = "999"
NOTES_MAX = 1000
KEPT_CARE_ROLES = (5, 7, 8, 23)
NEW_CARE_ROLES = (4, 9, 45, 52)


def _extend_mandatory_sets():
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT council_id, job_role_code, category_code FROM mandatory_training "
            "ORDER BY council_id, job_role_code, category_code"
        )
    ).all()
    sets: dict[int, dict[int, set[int]]] = {}
    for council_id, role, category in rows:
        sets.setdefault(council_id, {}).setdefault(role, set()).add(category)
    new_rows = []
    for council_id, roles in sorted(sets.items()):
        kept = [roles[role] for role in KEPT_CARE_ROLES if role in roles]
        if not kept:
            continue
        common = set.intersection(*kept)
        for role in NEW_CARE_ROLES:
            if role in roles:
                continue
            new_rows += [
                {"council_id": council_id, "job_role_code": role, "category_code": category}
                for category in sorted(common)
            ]
    if new_rows:
        bind.execute(
            sa.text(
                "INSERT INTO mandatory_training (council_id, job_role_code, category_code) "
                "VALUES (:council_id, :job_role_code, :category_code)"
            ),
            new_rows,
        )


def _provider_codes() -> dict[str, str]:
    with (REFERENCE / "training-providers.csv").open(newline="", encoding="utf-8") as handle:
        return {row["name"].strip().lower(): row["code"] for row in csv.DictReader(handle)}


def _provider_names_to_codes():
    bind = op.get_bind()
    codes = _provider_codes()
    known = set(codes.values())
    rows = bind.execute(
        sa.text(
            "SELECT id, who_delivered, provider_name, notes FROM training_record "
            "WHERE provider_name IS NOT NULL ORDER BY id"
        )
    ).all()
    updates = []
    for record_id, who_delivered, name, notes in rows:
        text = name.strip()
        code = text if text in known else codes.get(text.lower())
        if code is None and text:
            kept = f"Training provider: {text}"
            notes = f"{kept}\n{notes}" if notes else kept
            code = OTHER_PROVIDER
        code = code if who_delivered == 2 else None
        if code == name:
            continue
        updates.append(
            {"id": record_id, "code": code, "notes": notes[:NOTES_MAX] if notes else notes}
        )
    if updates:
        bind.execute(
            sa.text("UPDATE training_record SET provider_name = :code, notes = :notes WHERE id = :id"),
            updates,
        )


def upgrade():
    _extend_mandatory_sets()
    _provider_names_to_codes()
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.alter_column("date_completed", existing_type=sa.Date(), nullable=True)


def downgrade():
    # Fails while a training record has no completion date: the operator decides what to
    # do with those (nothing here deletes a provider's records).
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.alter_column("date_completed", existing_type=sa.Date(), nullable=False)
    # The mandatory rows added for the new care roles cannot be told from ones a
    # commissioner added since: they stay.
