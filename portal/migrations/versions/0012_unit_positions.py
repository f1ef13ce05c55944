"""People in a unit: users.position, a unit account's place in its unit ("head": lãnh đạo đơn vị,
"officer": cán bộ; empty for other roles). Every existing unit account becomes an officer, and the
first account of each unit (the lowest id) its head; the migration logs how many of each.
Going down drops the column alone: every account stays.

Revision ID: 0012_unit_positions
Revises: 0011_directive_changed_at
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "0012_unit_positions"
down_revision = "0011_directive_changed_at"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column(
            "position", sa.Enum("head", "officer", name="unitposition", native_enum=False,
                                length=20), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("role", sa.String()),
                     sa.column("unit_id", sa.Integer()), sa.column("position", sa.String()))
    unit_accounts = (users.c.role == "unit") & users.c.unit_id.is_not(None)
    op.execute(users.update().where(unit_accounts).values(position="officer"))
    first = sa.select(sa.func.min(users.c.id)).where(unit_accounts).group_by(users.c.unit_id)
    op.execute(users.update().where(users.c.id.in_(first)).values(position="head"))
    connection = op.get_bind()
    counted = dict(connection.execute(
        sa.select(users.c.position, sa.func.count()).where(users.c.position.is_not(None))
        .group_by(users.c.position)).all())
    log.info("Unit accounts: %d made their unit's head (lãnh đạo đơn vị), %d officers (cán bộ).",
             counted.get("head", 0), counted.get("officer", 0))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("position")
