"""The audit log read in the portal: one index per filter of its page (a person, a unit, a kind
of event, a target), each with the id so that a page is read newest first from the index alone

Revision ID: 0010_audit_indexes
Revises: 0009_office_ready
"""
from alembic import op

revision = "0010_audit_indexes"
down_revision = "0009_office_ready"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_audit_events_username_id": ["username", "id"],
    "ix_audit_events_unit_id_id": ["unit_id", "id"],
    "ix_audit_events_action_id": ["action", "id"],
    "ix_audit_events_target": ["target_type", "target_id", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "audit_events", columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="audit_events")
