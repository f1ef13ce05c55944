"""Rendered matrix fragments shared by every server, one render per revision
(matrix_fragments: the newest fragment of each directive, day and filters, and its render's
lease).

Revision ID: 0019_matrix_fragments
Revises: 0018_carry_findings
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_matrix_fragments"
down_revision = "0018_carry_findings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "matrix_fragments",
        sa.Column("slot", sa.String(length=80), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("made_by", sa.String(length=32), nullable=True),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_matrix_fragments")),
    )
    op.create_index(op.f("ix_matrix_fragments_directive_id"), "matrix_fragments",
                    ["directive_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_matrix_fragments_directive_id"), table_name="matrix_fragments")
    op.drop_table("matrix_fragments")
