"""Every query the checklist pages need, each in a fixed number of statements."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Directive, Evidence, Progress, Role, Task, Unit, User
from ..permissions import require_view_unit


def directives_for(user: User) -> list[Directive]:
    """The directives a user may open: for unit staff, those with a task for their unit."""
    query = select(Directive).order_by(Directive.year.desc(), Directive.id.desc())
    if user.role is Role.UNIT:
        reaching = (
            select(Task.directive_id)
            .join(Progress, Progress.task_id == Task.id)
            .where(Progress.unit_id == user.unit_id)
        )
        query = query.where(Directive.id.in_(reaching))
    return list(db.session.scalars(query))


def get_directive(directive_id: int) -> Directive:
    return db.get_or_404(Directive, directive_id)


def get_unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


def _items():
    return select(Progress).options(
        selectinload(Progress.task).selectinload(Task.section),
        selectinload(Progress.evidence),
        selectinload(Progress.unit),
        selectinload(Progress.extension),
    )


def checklist(directive_id: int, unit_id: int) -> list[Progress]:
    """One unit's items of a directive, in the letter's order."""
    query = (
        _items()
        .join(Progress.task)
        .where(Task.directive_id == directive_id, Progress.unit_id == unit_id)
        .order_by(Task.position)
    )
    return list(db.session.scalars(query))


def get_item(progress_id: int) -> Progress:
    """The item with its task and evidence, if the current user may see its unit."""
    item = db.session.scalar(_items().where(Progress.id == progress_id))
    if item is None:
        abort(404)
    require_view_unit(item.unit_id)
    return item


def get_evidence(evidence_id: int) -> Evidence:
    """A piece of evidence, if the current user may see the unit it belongs to."""
    evidence = db.session.scalar(
        select(Evidence).options(selectinload(Evidence.progress)).where(Evidence.id == evidence_id)
    )
    if evidence is None:
        abort(404)
    require_view_unit(evidence.progress.unit_id)
    return evidence
