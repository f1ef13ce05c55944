"""What the importer found worth checking in a letter (directives.import_warnings) and the
passages it read as no task (directives.set_aside), kept with the draft for its editor: before,
they were shown once after a pasted letter and never after a file read in the background.

Revision ID: 0024_directive_import_remarks
Revises: 0023_task_import_notes
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_directive_import_remarks"
down_revision = "0023_task_import_notes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("directives") as batch:
        batch.add_column(sa.Column("import_warnings", sa.JSON(), server_default="[]",
                                   nullable=False))
        batch.add_column(sa.Column("set_aside", sa.JSON(), server_default="[]", nullable=False))


def downgrade():
    with op.batch_alter_table("directives") as batch:
        batch.drop_column("set_aside")
        batch.drop_column("import_warnings")
