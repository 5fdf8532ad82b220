"""the council feed's order (return_version.feed_seq, from a sequence taken under the
council's lock at submit) and Idempotency-Key reservations (a row with no answer yet is a
request still in flight)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-07 16:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_seq", sa.BigInteger(), nullable=True))
    # Versions already written keep their place: their feed position is their id, so a
    # cursor handed out before this change (the last id) still means the same.
    op.execute("UPDATE return_version SET feed_seq = id")
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.alter_column("feed_seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(batch_op.f("ix_return_version_feed_seq"), ["feed_seq"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE return_version_feed_seq AS bigint")
        op.execute(
            "SELECT setval('return_version_feed_seq', "
            "(SELECT coalesce(max(id), 0) + 1 FROM return_version), false)"
        )
    with op.batch_alter_table("api_idempotency", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)


def downgrade():
    op.execute("DELETE FROM api_idempotency WHERE status IS NULL")
    with op.batch_alter_table("api_idempotency", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("status", existing_type=sa.Integer(), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS return_version_feed_seq")
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_version_feed_seq"))
        batch_op.drop_column("feed_seq")
