"""Trao đổi: each item's conversation between its unit and Phòng Nội vụ (messages, with an
optional file), and how far each user has read it (message_reads)

Revision ID: 0013_item_messages
Revises: 0012_unit_positions
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_item_messages"
down_revision = "0012_unit_positions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(100), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_messages_progress_id", "messages", ["progress_id"])
    op.create_table(
        "message_reads",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("message_reads")
    op.drop_index("ix_messages_progress_id", table_name="messages")
    op.drop_table("messages")
