""""Quên mật khẩu": each request, and the hash of the single-use link sent (password_resets);
an account created at a first login that awaits its rights (users.awaiting_rights)

Revision ID: 0016_password_resets
Revises: 0015_scoring_formula
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_password_resets"
down_revision = "0015_scoring_formula"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("awaiting_rights", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index("ix_password_resets_ip_at", "password_resets", ["ip", "at"])
    op.create_index("ix_password_resets_user_id_at", "password_resets", ["user_id", "at"])


def downgrade():
    op.drop_index("ix_password_resets_user_id_at", table_name="password_resets")
    op.drop_index("ix_password_resets_ip_at", table_name="password_resets")
    op.drop_table("password_resets")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("awaiting_rights")
