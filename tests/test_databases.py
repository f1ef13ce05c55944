"""The tests' own databases (tests/support/databases.py), which every "nothing was written" relies
on: each test's copy is its own, and the write counter sees every insert, update and delete in
every table, committed, and nothing else but the refusals' audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from portal import audit, create_app
from portal.extensions import db
from portal.models import AuditEvent, Unit, UnitKind

from .support.apps import test_settings
from .support.databases import CACHES, COUNTER, writes, written_since


def triggers(app) -> dict[str, set[str]]:
    """Each table's write-counting triggers: the kinds of write they fire on."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(text(
                "SELECT tbl_name, upper(substr(name, length(tbl_name) + :start)) "
                "FROM sqlite_master WHERE type = 'trigger' AND name LIKE :prefix"),
                {"start": len(COUNTER) + 3, "prefix": f"{COUNTER}%"}).all()
        else:
            rows = db.session.execute(text(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                "WHERE trigger_name LIKE :prefix"), {"prefix": f"{COUNTER}%"}).all()
        db.session.remove()
    found: dict[str, set[str]] = {}
    for table, event in rows:
        found.setdefault(table, set()).add(event)
    return found


def test_every_table_is_counted_on_insert_update_and_delete(app):
    every_kind = {"INSERT", "UPDATE", "DELETE"}
    assert triggers(app) == {table.name: every_kind for table in db.metadata.sorted_tables
                             if table.name not in CACHES}


def test_each_write_counts_once_and_a_rolled_back_one_not_at_all(app):
    counted = writes(app)
    with app.app_context():
        unit = Unit(name="Xã Thử Nghiệm", short_name="TN", kind=UnitKind.COMMUNE, position=99)
        db.session.add(unit)
        db.session.commit()
        assert written_since(app, counted) == {"units"}
        assert writes(app)["units"] == counted.get("units", 0) + 1

        unit.short_name = "XTN"
        db.session.commit()
        assert writes(app)["units"] == counted.get("units", 0) + 2

        db.session.execute(update(Unit).where(Unit.id == unit.id).values(position=98))
        db.session.rollback()
        assert writes(app)["units"] == counted.get("units", 0) + 2

        db.session.delete(db.session.get(Unit, unit.id))
        db.session.commit()
        assert written_since(app, counted) == {"units"}
        assert writes(app)["units"] == counted.get("units", 0) + 3


def test_refusals_audit_events_are_not_counted_other_events_are(app):
    counted = writes(app)
    with app.app_context():
        audit.record("access.denied", username="phuong2",
                     after={"method": "GET", "path": "/items/1", "endpoint": "", "status": 403})
        db.session.commit()
        assert written_since(app, counted) == set()
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)
                                 ) == "access.denied"
        audit.record("login", username="phuong1")
        db.session.commit()
    assert written_since(app, counted) == {"audit_events"}


def test_each_test_writes_to_a_database_of_its_own(app, databases, tmp_path):
    url = databases.copy("seeded", tmp_path / "other")
    other = create_app(test_settings(tmp_path / "other", url))
    try:
        assert url != app.config["DATABASE_URL"]
        counted, other_counted = writes(app), writes(other)
        with app.app_context():
            db.session.execute(update(Unit).where(Unit.name == "Phường 1").values(position=77))
            db.session.commit()
        assert written_since(app, counted) == {"units"}
        assert written_since(other, other_counted) == set()
        with other.app_context():
            assert db.session.scalar(select(Unit.position).where(Unit.name == "Phường 1")) != 77
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)


@pytest.mark.parametrize("run", [1, 2])
def test_no_test_sees_the_writes_of_the_one_before(app, run):
    """Run twice, in either order, on any worker: each finds the seeded city as it was."""
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.name == f"Xã Lần {3 - run}")) is None
        db.session.add(Unit(name=f"Xã Lần {run}", short_name="", kind=UnitKind.COMMUNE,
                            position=90 + run))
        db.session.commit()
