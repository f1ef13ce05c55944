"""Notifications: what each user is told in the portal, the deadline reminders already given, the
e-mail queue, and each user's address and the kinds of e-mail they turned off

Revision ID: 0008_notifications
Revises: 0007_trust
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_notifications"
down_revision = "0007_trust"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("mail_kinds_off", sa.JSON(), server_default="[]",
                                      nullable=False))

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id", ondelete="CASCADE")),
        sa.Column("directive_id", sa.Integer(),
                  sa.ForeignKey("directives.id", ondelete="CASCADE")),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id")),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(200)),
        sa.Column("dedupe_key", sa.String(200)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime()),
        sa.UniqueConstraint("user_id", "dedupe_key"),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])
    op.create_index("ix_notifications_progress_id", "notifications", ["progress_id"])
    op.create_index("ix_notifications_created_at", "notifications", ["created_at"])

    op.create_table(
        "deadline_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("threshold", sa.String(10), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("progress_id", "threshold", "deadline"),
    )

    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("to_address", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("queued", "sent", "failed", name="mailstatus",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_mail_messages_status_next", "mail_messages",
                    ["status", "next_attempt_at"])


def downgrade():
    op.drop_table("mail_messages")
    op.drop_table("deadline_reminders")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("mail_kinds_off")
        batch_op.drop_column("email")
