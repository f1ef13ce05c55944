"""The revision at which each unit's items of a directive last changed (matrix_unit_changes), so
that a new revision of a matrix reads and renders again only the rows that changed.

Revision ID: 0022_matrix_unit_changes
Revises: 0021_letter_reads
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_matrix_unit_changes"
down_revision = "0021_letter_reads"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "matrix_unit_changes",
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("directive_id", "unit_id", name=op.f("pk_matrix_unit_changes")),
    )


def downgrade():
    op.drop_table("matrix_unit_changes")
