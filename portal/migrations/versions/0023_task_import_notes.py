"""What the importer read for each task made from a letter (tasks.import_notes), for the editor
of the draft.

Revision ID: 0023_task_import_notes
Revises: 0022_matrix_unit_changes
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_task_import_notes"
down_revision = "0022_matrix_unit_changes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("import_notes", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("import_notes")
