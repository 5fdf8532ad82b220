"""api v1: council and forum keys, key expiry, the audit of API calls (also the rate
limit's count) and stored Idempotency-Key answers

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=20), server_default="provider", nullable=False)
        )
        batch_op.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("provider_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_api_key_council_id"), ["council_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_key_council_id_council"), "council", ["council_id"], ["id"]
        )
    op.create_table(
        "api_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("key_name", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_key.id"], name=op.f("fk_api_call_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_call")),
    )
    with op.batch_alter_table("api_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_call_key_id"), ["key_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_call_called_at"), ["called_at"], unique=False)
    op.create_table(
        "api_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_key.id"], name=op.f("fk_api_idempotency_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency")),
        sa.UniqueConstraint(
            "key_id", "idempotency_key", name=op.f("uq_api_idempotency_key_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("api_idempotency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_idempotency_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_api_idempotency_created_at"), ["created_at"], unique=False
        )


def downgrade():
    op.drop_table("api_idempotency")
    op.drop_table("api_call")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_key_council_id_council"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_key_council_id"))
        batch_op.alter_column("provider_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("expires_at")
        batch_op.drop_column("council_id")
        batch_op.drop_column("scope")
