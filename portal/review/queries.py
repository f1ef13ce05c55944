"""What Phòng Nội vụ's review queue reads: the items waiting for a decision, and their count in
the navigation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Directive,
    DirectiveStatus,
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    Task,
)


def _waiting():
    """Submitted items a reviewer can still decide on: shown, in an open directive."""
    open_tasks = select(Task.id).join(Directive, Directive.id == Task.directive_id).where(
        Directive.status == DirectiveStatus.OPEN)
    return (Progress.status == ProgressStatus.SUBMITTED) & Progress.hidden.is_(False) & (
        Progress.task_id.in_(open_tasks))


def open_directives_key():
    """A scalar subquery naming the open directives and their revisions ("3:17,5:2"): it
    changes whenever an item of an open directive changes or a directive opens or closes."""
    ordered = (select((sa.cast(Directive.id, sa.String) + ":"
                       + sa.cast(Directive.revision, sa.String)).label("part"))
               .where(Directive.status == DirectiveStatus.OPEN).order_by(Directive.id)
               .subquery())
    # From a sorted subquery: the order the aggregate sees (PostgreSQL's documented way).
    return select(func.coalesce(func.aggregate_strings(ordered.c.part, ","), "")) \
        .scalar_subquery()


def waiting_count(key: str | None = None) -> int:
    """The items waiting for review. A reviewer's every page and every matrix poll shows it, and
    counting them reads every submitted item (10 ms at 1000 units × 50 tasks), so the count is
    kept per process and counted again only when the open directives or their revisions changed:
    every change to an item moves its directive's revision in the same transaction
    (`models._count_directive_changes`), and opening or closing one changes the set. `key`: the
    open directives' key (`open_directives_key`) when the caller has read it already."""
    if key is None:
        key = db.session.scalar(select(open_directives_key()))
    kept = current_app.extensions.get("waiting_count")
    if kept is not None and kept[0] == key:
        return kept[1]
    count = db.session.scalar(select(func.count(Progress.id)).where(_waiting())) or 0
    current_app.extensions["waiting_count"] = (key, count)  # one assignment: safe across threads
    return count


def review_queue() -> list[Progress]:
    """Items waiting for review, oldest submission first."""
    return list(db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.task).selectinload(Task.directive),
                 selectinload(Progress.unit), selectinload(Progress.evidence),
                 selectinload(Progress.extension))
        .where(_waiting())
        .order_by(Progress.submitted_at, Progress.id)
    ))


def pending_extensions_count() -> int:
    return db.session.scalar(
        select(func.count(Extension.id)).where(Extension.status == ExtensionStatus.PENDING)
    ) or 0
