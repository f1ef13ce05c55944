"""Index progress.status: the review queue and its count in the navigation

Revision ID: 0004_progress_status_index
Revises: 0003_review
"""
from alembic import op

revision = "0004_progress_status_index"
down_revision = "0003_review"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("progress") as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("progress") as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_status"))
