"""Screens: when a directive's items last changed (directives.changed_at, stamped with each move
of its revision), for the matrix's and the dashboard's "Cập nhật lúc 09:41"; existing directives
start from their publication (or creation)

Revision ID: 0011_directive_changed_at
Revises: 0010_audit_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_directive_changed_at"
down_revision = "0010_audit_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.add_column(sa.Column("changed_at", sa.DateTime()))
    directives = sa.table("directives", sa.column("changed_at", sa.DateTime()),
                          sa.column("published_at", sa.DateTime()),
                          sa.column("created_at", sa.DateTime()))
    op.execute(directives.update().values(
        changed_at=sa.func.coalesce(directives.c.published_at, directives.c.created_at)))


def downgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.drop_column("changed_at")
