"""Units in a hierarchy: areas (địa bàn: a province, a former district, a cluster) nested to any
depth, each with its materialized path of ids ("/3/17/") and depth, and units.area_id.

Revision ID: 0020_areas
Revises: 0019_matrix_fragments
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_areas"
down_revision = "0019_matrix_fragments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["areas.id"], name="fk_areas_parent_id_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_areas"),
    )
    op.create_index("ix_areas_parent_id", "areas", ["parent_id"])
    op.create_index("ix_areas_path", "areas", ["path"])
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_units_area_id_areas", "areas", ["area_id"], ["id"])
        batch_op.create_index("ix_units_area_id", ["area_id"])


def downgrade():
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_index("ix_units_area_id")
        batch_op.drop_constraint("fk_units_area_id_areas", type_="foreignkey")
        batch_op.drop_column("area_id")
    op.drop_index("ix_areas_path", table_name="areas")
    op.drop_index("ix_areas_parent_id", table_name="areas")
    op.drop_table("areas")
