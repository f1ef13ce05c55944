"""A letter's file read outside the request (a PDF, a scan, a .doc): letter_reads, the job the
upload starts and its page polls, which keeps the file's format, pages and signatures for the
draft made of it.

Revision ID: 0021_letter_reads
Revises: 0020_areas
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_letter_reads"
down_revision = "0020_areas"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_reads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.Enum("queued", "reading", "done", "failed",
                                    name="letterreadstatus", native_enum=False, length=20),
                  nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("directive_id", sa.Integer(),
                  sa.ForeignKey("directives.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_letter_reads_directive_id", "letter_reads", ["directive_id"])


def downgrade():
    op.drop_index("ix_letter_reads_directive_id", table_name="letter_reads")
    op.drop_table("letter_reads")
