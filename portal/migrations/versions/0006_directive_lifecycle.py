"""Directives have a life (draft, open, closed, archived) and can be copied to a new cycle; tasks
can have a lead unit and be withdrawn; items no longer reached are hidden, not deleted

Revision ID: 0006_directive_lifecycle
Revises: 0005_people_admin
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_directive_lifecycle"
down_revision = "0005_people_admin"
branch_labels = None
depends_on = None

STATUSES = ("draft", "open", "closed", "archived")


def upgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.add_column(sa.Column(
            "status",
            sa.Enum(*STATUSES, name="directivestatus", native_enum=False, length=20),
            server_default="open",
            nullable=False,
        ))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_directives_copied_from_id_directives"), "directives",
            ["copied_from_id"], ["id"],
        )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.alter_column("audience", type_=sa.Text(), existing_type=sa.String(300),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("lead_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            "withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False
        ))
        batch_op.create_foreign_key(
            batch_op.f("fk_tasks_lead_unit_id_units"), "units", ["lead_unit_id"], ["id"]
        )
    with op.batch_alter_table("progress") as batch_op:
        batch_op.add_column(sa.Column(
            "hidden", sa.Boolean(), server_default=sa.false(), nullable=False
        ))
        batch_op.add_column(sa.Column(
            "supporting", sa.Boolean(), server_default=sa.false(), nullable=False
        ))
    op.execute("UPDATE directives SET published_at = created_at")


def downgrade():
    with op.batch_alter_table("progress") as batch_op:
        batch_op.drop_column("supporting")
        batch_op.drop_column("hidden")
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tasks_lead_unit_id_units"), type_="foreignkey")
        batch_op.drop_column("withdrawn")
        batch_op.drop_column("lead_unit_id")
        batch_op.alter_column("audience", type_=sa.String(300), existing_type=sa.Text(),
                              existing_nullable=False)
    with op.batch_alter_table("directives") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_directives_copied_from_id_directives"),
                                 type_="foreignkey")
        batch_op.drop_column("copied_from_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("status")
