"""council setup: the council-admin permission, the record of setup changes, and a
branch's postcode, and the CQC directory

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postcode", sa.String(length=10), nullable=True))
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("council_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "change_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_change_record_user_id_user_account")),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"], name=op.f("fk_change_record_council_id_council")),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_change_record_provider_id_provider")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_record")),
    )
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_record_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_record_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_record_provider_id"), ["provider_id"], unique=False)


    op.create_table(
        "cqc_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.String(length=20), nullable=False),
        sa.Column("location_name", sa.String(length=300), nullable=False),
        sa.Column("provider_id", sa.String(length=20), nullable=False),
        sa.Column("provider_name", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("service_types", sa.String(length=500), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cqc_location")),
        sa.UniqueConstraint("location_id", name=op.f("uq_cqc_location_location_id")),
    )
    with op.batch_alter_table("cqc_location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cqc_location_provider_id"), ["provider_id"], unique=False)


def downgrade():
    op.drop_table("cqc_location")
    op.drop_table("change_record")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("council_admin")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_column("postcode")
