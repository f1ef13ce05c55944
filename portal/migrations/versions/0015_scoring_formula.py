"""The formula Phòng Nội vụ scores units by for the yearly evaluation (scoring_formulas: one
row, the weights of four shares of a unit's assigned items)

Revision ID: 0015_scoring_formula
Revises: 0014_assignments_sign_off
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_scoring_formula"
down_revision = "0014_assignments_sign_off"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scoring_formulas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("on_time", sa.Numeric(6, 2), nullable=False),
        sa.Column("late", sa.Numeric(6, 2), nullable=False),
        sa.Column("overdue", sa.Numeric(6, 2), nullable=False),
        sa.Column("returned", sa.Numeric(6, 2), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )


def downgrade():
    op.drop_table("scoring_formulas")
