"""A directive copied to the next cycle may carry the findings its units had not fixed: the
directive they come from (directives.carry_findings_from_id), read when the copy is published.

Revision ID: 0018_carry_findings
Revises: 0017_findings
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_carry_findings"
down_revision = "0017_findings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.add_column(sa.Column("carry_findings_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_directives_carry_findings_from_id_directives",
                                    "directives", ["carry_findings_from_id"], ["id"])


def downgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.drop_constraint("fk_directives_carry_findings_from_id_directives",
                                 type_="foreignkey")
        batch_op.drop_column("carry_findings_from_id")
