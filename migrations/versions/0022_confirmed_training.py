"""confirmed training: each return version keeps its confirmed training snapshot again as
binary JSON (jsonb on PostgreSQL), so the super training matrix is counted in SQL without
parsing whole versions (docs/adr/0018-matrix-in-sql.md)

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-07 16:30:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

BATCH = 500


def _confirmed_training(data):
    """As ``portal.models.returns.confirmed_training`` (a migration keeps its own copy)."""
    data = data or {}
    training = (data.get("sections") or {}).get("training") or {}
    if data.get("nil_return") or not training.get("confirmed"):
        return None
    return training


def upgrade():
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "confirmed_training",
                sa.JSON().with_variant(JSONB(), "postgresql"),
                nullable=True,
            )
        )
    bind = op.get_bind()
    versions = sa.table(
        "return_version",
        sa.column("id", sa.Integer),
        sa.column("data", sa.JSON),
        sa.column("confirmed_training", sa.JSON().with_variant(JSONB(), "postgresql")),
    )
    last = 0
    while True:  # in batches of ids: a large table is never all in memory
        rows = bind.execute(
            sa.select(versions.c.id, versions.c.data)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for version_id, data in rows:
            if isinstance(data, str):
                data = json.loads(data)
            training = _confirmed_training(data)
            if training is not None:
                bind.execute(
                    versions.update()
                    .where(versions.c.id == version_id)
                    .values(confirmed_training=training)
                )
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.drop_column("confirmed_training")
