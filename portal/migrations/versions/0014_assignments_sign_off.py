"""People at work inside a unit: users.title (chức vụ), the item's assignment to officers
(assignments, assignment_officers), the sign-off by the unit's head (progress.awaiting_head_since,
prepared_by_id, signed_off_by_id, head_comment) and whether a directive asks for it
(directives.sign_off_required, on for every directive). Nothing existing changes meaning: items
already submitted keep their submitter; none waits for a head.

Revision ID: 0014_assignments_sign_off
Revises: 0013_item_messages
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_assignments_sign_off"
down_revision = "0013_item_messages"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(120), nullable=False, server_default=""))
    with op.batch_alter_table("directives") as batch_op:
        batch_op.add_column(sa.Column("sign_off_required", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table("progress") as batch_op:
        batch_op.add_column(sa.Column("awaiting_head_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("prepared_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("head_comment", sa.Text(), nullable=False,
                                      server_default=""))
        batch_op.create_foreign_key("fk_progress_prepared_by_id_users", "users",
                                    ["prepared_by_id"], ["id"])
        batch_op.create_foreign_key("fk_progress_signed_off_by_id_users", "users",
                                    ["signed_off_by_id"], ["id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_table(
        "assignment_officers",
        sa.Column("assignment_id", sa.Integer(),
                  sa.ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
    )
    op.create_index("ix_assignment_officers_user_id", "assignment_officers", ["user_id"])


def downgrade():
    op.drop_index("ix_assignment_officers_user_id", "assignment_officers")
    op.drop_table("assignment_officers")
    op.drop_table("assignments")
    with op.batch_alter_table("progress") as batch_op:
        batch_op.drop_constraint("fk_progress_signed_off_by_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_progress_prepared_by_id_users", type_="foreignkey")
        batch_op.drop_column("head_comment")
        batch_op.drop_column("signed_off_by_id")
        batch_op.drop_column("prepared_by_id")
        batch_op.drop_column("awaiting_head_since")
    with op.batch_alter_table("directives") as batch_op:
        batch_op.drop_column("sign_off_required")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("title")
