"""Every query the checklist pages need, each in a fixed number of statements."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directives.lifecycle import changes_for, describe_change
from ..extensions import db
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Evidence,
    Progress,
    Role,
    Task,
    Unit,
    User,
)
from ..permissions import require_view_unit

STATUS_ORDER = [DirectiveStatus.OPEN, DirectiveStatus.CLOSED, DirectiveStatus.ARCHIVED]


def directives_for(user: User) -> list[Directive]:
    """The published directives a user may open, open ones first, then the newest: for unit
    staff, those with a task for their unit."""
    query = select(Directive).where(Directive.status != DirectiveStatus.DRAFT)
    if user.role is Role.UNIT:
        reaching = (
            select(Task.directive_id)
            .join(Progress, Progress.task_id == Task.id)
            .where(Progress.unit_id == user.unit_id, Progress.hidden.is_(False))
        )
        query = query.where(Directive.id.in_(reaching))
    found = db.session.scalars(query.order_by(Directive.year.desc(), Directive.id.desc()))
    return sorted(found, key=lambda d: STATUS_ORDER.index(d.status))


def by_status(directives: list[Directive]) -> list[tuple[DirectiveStatus, list[Directive]]]:
    """The directives under their status, in `STATUS_ORDER`; a status with none is left out."""
    groups = [(status, [d for d in directives if d.status is status]) for status in STATUS_ORDER]
    return [(status, group) for status, group in groups if group]


def get_directive(directive_id: int) -> Directive:
    """A published directive (a draft is the administrators' alone, in their editor)."""
    directive = db.get_or_404(Directive, directive_id)
    if directive.is_draft:
        abort(404)
    return directive


def get_unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


def _items():
    return select(Progress).where(Progress.hidden.is_(False)).options(
        selectinload(Progress.task).options(selectinload(Task.section),
                                            selectinload(Task.directive),
                                            selectinload(Task.lead_unit)),
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


CLOSED_DIRECTIVE = ("Văn bản này đã kết thúc; kết quả được giữ để tra cứu và không thay đổi được "
                    "nữa.")


def contributions(item: Progress) -> list[Progress]:
    """What the supporting units (phối hợp) recorded on the task a lead unit's item belongs to."""
    if item.supporting or item.task.lead_unit_id is None:
        return []
    return list(db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.unit), selectinload(Progress.evidence))
        .where(Progress.task_id == item.task_id, Progress.supporting.is_(True),
               Progress.hidden.is_(False))
        .order_by(Progress.unit_id)
    ))


def contributions_by_item(items: list[Progress]) -> dict[int, list[Progress]]:
    """`contributions` for every lead unit's item of a checklist at once (item id: the supporting
    units' items), in a fixed number of statements however many items lead."""
    leading = {item.task_id: item.id for item in items
               if not item.supporting and item.task.lead_unit_id is not None}
    if not leading:
        return {}
    found: dict[int, list[Progress]] = {item_id: [] for item_id in leading.values()}
    for supporting in db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.unit), selectinload(Progress.evidence))
        .where(Progress.task_id.in_(leading), Progress.supporting.is_(True),
               Progress.hidden.is_(False))
        .order_by(Progress.task_id, Progress.unit_id)
    ):
        found[leading[supporting.task_id]].append(supporting)
    return found


def changes(directive: Directive, unit_id: int) -> list[tuple[AuditEvent, str]]:
    """What changed for the unit since the directive was published, newest first, each with the
    sentence the unit reads."""
    return [(event, describe_change(event)) for event in changes_for(directive, unit_id)]


def get_evidence(evidence_id: int) -> Evidence:
    """A piece of evidence, if the current user may see the unit it belongs to."""
    evidence = db.session.scalar(
        select(Evidence).options(selectinload(Evidence.progress)).where(Evidence.id == evidence_id)
    )
    if evidence is None:
        abort(404)
    if not _leads_task_of(evidence.progress):
        require_view_unit(evidence.progress.unit_id)
    return evidence


def _leads_task_of(item: Progress) -> bool:
    """Whether the current user's unit leads the task a supporting unit contributed to."""
    if not item.supporting or current_user.role is not Role.UNIT:
        return False
    return db.session.scalar(
        select(Task.lead_unit_id).where(Task.id == item.task_id)
    ) == current_user.unit_id
