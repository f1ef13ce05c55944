"""Office-ready: who signs the official report (one row an administrator sets), how a directive
reads "trước ngày …" (the deadline day counts unless set strict), and failed logins counted per
account and address together

Revision ID: 0009_office_ready
Revises: 0008_notifications
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_office_ready"
down_revision = "0008_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("directives") as batch_op:
        batch_op.add_column(sa.Column("deadline_day_counts", sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
    op.create_index("ix_login_failures_username_ip_at", "login_failures",
                    ["username", "ip", "at"])
    op.create_table(
        "report_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office", sa.String(200), nullable=False),
        sa.Column("number_symbol", sa.String(40), nullable=False),
        sa.Column("authority_line", sa.String(200), nullable=False),
        sa.Column("signer_title", sa.String(200), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime()),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id")),
    )


def downgrade():
    op.drop_table("report_settings")
    op.drop_index("ix_login_failures_username_ip_at", table_name="login_failures")
    with op.batch_alter_table("directives") as batch_op:
        batch_op.drop_column("deadline_day_counts")
