"""Users whose password an administrator chose change it at their next login

Revision ID: 0005_people_admin
Revises: 0004_progress_status_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_people_admin"
down_revision = "0004_progress_status_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
        ))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
