"""Trust: failed logins counted in the database (per account and per address), and the audit log
chained by hashes; the events already written are chained here, in id order

Revision ID: 0007_trust
Revises: 0006_directive_lifecycle
"""
import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007_trust"
down_revision = "0006_directive_lifecycle"
branch_labels = None
depends_on = None

# A frozen copy of portal.audit.event_hash as of this revision, so that this migration chains
# the old events the same way whatever the code becomes later (tests check that they agree).
HASHED_FIELDS = ("id", "at", "user_id", "username", "action", "target_type", "target_id",
                 "unit_id", "before", "after", "ip")
AUDIT_CHAIN_LOCK = 0x6175646974
BATCH = 2000

audit_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("ip", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def event_hash(fields, prev_hash):
    document = {name: fields[name] for name in HASHED_FIELDS}
    at = document["at"]
    document["at"] = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    document["prev_hash"] = prev_hash
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain_existing_events():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # keep any running portal from adding events meanwhile
        bind.execute(sa.select(sa.func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)))
    columns = [audit_events.c[name] for name in HASHED_FIELDS]
    prev_hash, last_id = "", None
    while True:
        query = sa.select(*columns).order_by(audit_events.c.id).limit(BATCH)
        if last_id is not None:
            query = query.where(audit_events.c.id > last_id)
        rows = bind.execute(query).mappings().all()
        if not rows:
            break
        for row in rows:
            own = event_hash(row, prev_hash)
            bind.execute(sa.update(audit_events).where(audit_events.c.id == row["id"])
                         .values(prev_hash=prev_hash, hash=own))
            prev_hash, last_id = own, row["id"]


def upgrade():
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index("ix_login_failures_username_at", ["username", "at"], unique=False)
        batch_op.create_index("ix_login_failures_ip_at", ["ip", "at"], unique=False)
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    chain_existing_events()


def downgrade():
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.drop_index("ix_login_failures_ip_at")
        batch_op.drop_index("ix_login_failures_username_at")
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))
    op.drop_table("login_failures")
