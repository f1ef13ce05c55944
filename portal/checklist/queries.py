"""Every query the checklist pages need, each in a fixed number of statements (one item's own
queries are in `portal.items.queries`)."""

from __future__ import annotations

from typing import NamedTuple

from flask import abort
from sqlalchemy import select

from ..deadlines import last_day
from ..directives.lifecycle import changes_for, describe_change
from ..extensions import db
from ..items.queries import shown_items
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    User,
)
from ..permissions import heads_unit, works_in_a_unit

STATUS_ORDER = [DirectiveStatus.OPEN, DirectiveStatus.CLOSED, DirectiveStatus.ARCHIVED]


def directives_for(user: User) -> list[Directive]:
    """The published directives a user may open, open ones first, then the newest: for unit
    staff, those with a task for their unit."""
    query = select(Directive).where(Directive.status != DirectiveStatus.DRAFT)
    if works_in_a_unit(user):
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


def checklist(directive_id: int, unit_id: int) -> list[Progress]:
    """One unit's items of a directive, in the letter's order."""
    query = (
        shown_items()
        .join(Progress.task)
        .where(Task.directive_id == directive_id, Progress.unit_id == unit_id)
        .order_by(Task.position)
    )
    return list(db.session.scalars(query))


class MyWork(NamedTuple):
    """Việc của tôi: the open items handed to a unit's person; for its head also the items that
    wait for their sign-off and every open item of the unit."""

    mine: list[Progress]
    awaiting_me: list[Progress]
    unit_items: list[Progress]
    heads: bool


def _due(item: Progress) -> tuple:
    """Soonest first: the earlier of the head's internal due date and the item's last day;
    items without either last, then in the letter's order."""
    days = [day for day in (
        item.assignment.due_on if item.assignment else None,
        last_day(item.deadline, item.task.directive.deadline_day_counts) if item.deadline
        else None,
    ) if day is not None]
    return (not days, min(days) if days else None, item.task.directive_id, item.task.position)


def my_work(user: User) -> MyWork:
    """The unit's open items (in open directives, not yet approved, not hidden) in a fixed
    number of statements, sorted soonest due first and shared out as `MyWork` says."""
    items = sorted(db.session.scalars(
        shown_items()
        .join(Progress.task)
        .join(Task.directive)
        .where(Progress.unit_id == user.unit_id, Directive.status == DirectiveStatus.OPEN,
               Progress.status != ProgressStatus.APPROVED)
    ), key=_due)
    heads = heads_unit(user, user.unit_id)
    mine = [item for item in items
            if item.assignment and any(u.id == user.id for u in item.assignment.officers)]
    return MyWork(
        mine=mine,
        awaiting_me=[item for item in items if item.awaiting_head] if heads else [],
        unit_items=items if heads else [],
        heads=heads,
    )


def changes(directive: Directive, unit_id: int) -> list[tuple[AuditEvent, str]]:
    """What changed for the unit since the directive was published, newest first, each with the
    sentence the unit reads."""
    return [(event, describe_change(event)) for event in changes_for(directive, unit_id)]
