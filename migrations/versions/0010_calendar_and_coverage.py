"""calendar and coverage: a council's go-live month, a contract's dates and branches,
a provider's CQC provider ID

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 07:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(sa.Column("go_live_month", sa.Date(), nullable=True))
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cqc_provider_id", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_provider_cqc_provider_id"), ["cqc_provider_id"])
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_contract_dates_in_order"),
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
        )
    op.create_table(
        "contract_branch",
        sa.Column(
            "contract_id",
            sa.Integer(),
            sa.ForeignKey("contract.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "branch_id",
            sa.Integer(),
            sa.ForeignKey("branch.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    # Existing contracts cover all their provider's branches (what they counted before),
    # and run for their framework's dates.
    op.execute(
        "INSERT INTO contract_branch (contract_id, branch_id) "
        "SELECT contract.id, branch.id FROM contract JOIN branch "
        "ON branch.provider_id = contract.provider_id"
    )
    op.execute(
        "UPDATE contract SET start_date = (SELECT start_date FROM framework "
        "WHERE framework.id = contract.framework_id), end_date = (SELECT end_date FROM framework "
        "WHERE framework.id = contract.framework_id) WHERE framework_id IS NOT NULL"
    )


def downgrade():
    op.drop_table("contract_branch")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contract_dates_in_order"), type_="check")
        batch_op.drop_column("end_date")
        batch_op.drop_column("start_date")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_provider_cqc_provider_id"), type_="unique")
        batch_op.drop_column("cqc_provider_id")
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("go_live_month")
