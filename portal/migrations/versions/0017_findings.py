"""Each unit's own findings (hạn chế, khuyết điểm) of the inspection, under the item that orders
them fixed: findings, their fields (finding_fields, with the usual list of an administrative-reform
inspection) and the evidence of one finding (evidence.finding_id).

Revision ID: 0017_findings
Revises: 0016_password_resets
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_findings"
down_revision = "0016_password_resets"
branch_labels = None
depends_on = None

FIELDS = [
    "Công tác chỉ đạo, điều hành",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng, phát triển chính quyền điện tử, chính quyền số",
]


def upgrade():
    fields = op.create_table(
        "finding_fields",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.bulk_insert(fields, [{"id": n, "name": name, "position": n}
                            for n, name in enumerate(FIELDS, start=1)])
    answers = sa.Enum("fixed", "not_fixed", name="findinganswer", native_enum=False, length=20)
    reviews = sa.Enum("approved", "returned", name="findingreview", native_enum=False, length=20)
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("progress_id", sa.Integer(), sa.ForeignKey("progress.id"), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("field_id", sa.Integer(), sa.ForeignKey("finding_fields.id"), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("answer", answers, nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("review", reviews, nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_findings_progress_id", "findings", ["progress_id"])
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.add_column(sa.Column("finding_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_evidence_finding_id_findings", "findings",
                                    ["finding_id"], ["id"])
        batch_op.create_index("ix_evidence_finding_id", ["finding_id"])


def downgrade():
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.drop_index("ix_evidence_finding_id")
        batch_op.drop_constraint("fk_evidence_finding_id_findings", type_="foreignkey")
        batch_op.drop_column("finding_id")
    op.drop_index("ix_findings_progress_id", "findings")
    op.drop_table("findings")
    op.drop_table("finding_fields")
