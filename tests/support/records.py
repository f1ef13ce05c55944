"""What the portal under test has recorded, read back by a test: ids by name (`ids_of`), rows
detached for reading (`item_row`, `task_row`), the audit log (`last_audit_id`, `audit_since`,
`audit_actions_since`) and the files of the upload folder with their hashes (`stored_files`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Progress, Task, Unit, User


def ids_of(app):

    class Ids:
        def unit(self, name: str) -> int:
            with app.app_context():
                return db.session.scalar(select(Unit.id).where(Unit.name == name))

        def user(self, username: str) -> int:
            with app.app_context():
                return db.session.scalar(select(User.id).where(User.username == username))

        def full_name(self, username: str) -> str:
            with app.app_context():
                return db.session.scalar(select(User.full_name).where(User.username == username))

        def item(self, unit_name: str, code: str) -> int:
            with app.app_context():
                return db.session.scalar(
                    select(Progress.id)
                    .join(Task, Task.id == Progress.task_id)
                    .join(Unit, Unit.id == Progress.unit_id)
                    .where(Unit.name == unit_name, Task.code == code)
                )

        def directive(self) -> int:
            from portal.models import Directive

            with app.app_context():
                return db.session.scalar(
                    select(Directive.id).where(Directive.slug == "sa-dec-2023-cchc")
                )

    return Ids()


def item_row(app, item_id: int) -> Progress:
    """The item as the database holds it now, detached for reading."""
    with app.app_context():
        item = db.session.get(Progress, item_id)
        db.session.expunge(item)
        return item


def task_row(app, directive_id: int, code: str) -> Task | None:
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.directive_id == directive_id,
                                                    Task.code == code))
        if task is not None:
            db.session.expunge(task)
        return task


def stored_files(app) -> dict[str, str]:
    """Every file under UPLOAD_DIR (temporary ones too) with the SHA-256 of its content."""
    root = Path(app.config["UPLOAD_DIR"])
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(app, audit_id: int) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > audit_id).order_by(AuditEvent.id)
        ).all()
        for event in events:
            db.session.expunge(event)
        return events


def audit_actions_since(app, audit_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.id > audit_id).order_by(AuditEvent.id)
        ))
