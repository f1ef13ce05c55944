"""Per-user session token: logout and password change end every copy of a session

Revision ID: 0002_session_token
Revises: 188b1bf8a284
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002_session_token"
down_revision = "188b1bf8a284"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(32))
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_users_session_token"), ["session_token"])


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("uq_users_session_token"), type_="unique")
        batch_op.drop_column("session_token")
