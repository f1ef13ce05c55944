"""What Phòng Nội vụ's review queue reads: the items waiting for a decision, and their count in
the navigation."""

from __future__ import annotations

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


def waiting_count() -> int:
    return db.session.scalar(select(func.count(Progress.id)).where(_waiting())) or 0


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
