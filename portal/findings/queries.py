"""What the findings pages read: every finding of a directive across its units, filtered by
field, state and unit, in one statement."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    Directive,
    Finding,
    FindingAnswer,
    FindingField,
    FindingReview,
    Progress,
    Task,
    Unit,
    UnitKind,
)
from ..query_string import number
from ..vietnamese import sort_key

# A finding's state as the list filters it: not answered, fixed, not fixed, returned, approved.
STATES = {
    "open": "Chưa trả lời",
    "fixed": FindingAnswer.FIXED.label,
    "not_fixed": FindingAnswer.NOT_FIXED.label,
    "returned": FindingReview.RETURNED.label,
    "approved": "Đã duyệt «Đạt»",
}


@dataclass(frozen=True)
class Filters:
    field: int | None = None
    state: str = ""
    unit: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        state = args.get("state", "")
        return cls(field=number(args, "field"), state=state if state in STATES else "",
                   unit=number(args, "unit"))


def get_directive(directive_id: int) -> Directive:
    directive = db.session.get(Directive, directive_id)
    if directive is None or directive.is_draft:
        abort(404)
    return directive


def findings_of(directive_id: int, filters: Filters) -> list[Finding]:
    """The directive's findings (not withdrawn, on shown items) with their unit and task, in
    unit order (kind, then Vietnamese alphabetical), then task and finding order."""
    query = (
        select(Finding)
        .join(Progress, Progress.id == Finding.progress_id)
        .join(Task, Task.id == Progress.task_id)
        .join(Unit, Unit.id == Progress.unit_id)
        .options(contains_eager(Finding.item).contains_eager(Progress.unit),
                 contains_eager(Finding.item).contains_eager(Progress.task),
                 selectinload(Finding.field))
        .where(Task.directive_id == directive_id, Finding.withdrawn.is_(False),
               Progress.hidden.is_(False))
    )
    if filters.field:
        query = query.where(Finding.field_id == filters.field)
    if filters.unit:
        query = query.where(Progress.unit_id == filters.unit)
    if filters.state == "open":
        query = query.where(Finding.answer.is_(None))
    elif filters.state in ("fixed", "not_fixed"):
        query = query.where(Finding.answer == FindingAnswer(filters.state))
    elif filters.state in ("returned", "approved"):
        query = query.where(Finding.review == FindingReview(filters.state))
    kinds = list(UnitKind)
    found = db.session.scalars(query).unique().all()
    return sorted(found, key=lambda f: (kinds.index(f.item.unit.kind), sort_key(f.item.unit.name),
                                        f.item.task.position, f.position, f.id))


@dataclass(frozen=True)
class FieldCount:
    name: str
    total: int
    fixed: int

    @property
    def percent(self) -> int:
        return round(100 * self.fixed / self.total) if self.total else 0


def by_field(directive_id: int) -> list[FieldCount]:
    """The directive's findings and how many were fixed, per field in its order (those with no
    field last), in one statement."""
    rows = db.session.execute(
        select(FindingField.name, func.count(Finding.id),
               func.count(Finding.id).filter(Finding.answer == FindingAnswer.FIXED))
        .select_from(Finding)
        .join(Progress, Progress.id == Finding.progress_id)
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(FindingField, FindingField.id == Finding.field_id)
        .where(Task.directive_id == directive_id, Finding.withdrawn.is_(False),
               Progress.hidden.is_(False))
        .group_by(FindingField.id, FindingField.name, FindingField.position)
        .order_by(FindingField.position.is_(None), FindingField.position)
    )
    return [FieldCount(name or "Chưa xếp lĩnh vực", total, fixed) for name, total, fixed in rows]


def fields() -> list[FindingField]:
    return list(db.session.scalars(select(FindingField).order_by(FindingField.position,
                                                                  FindingField.id)))


def units_with_findings(directive_id: int) -> list[Unit]:
    """The units a directive's findings concern, for the unit filter."""
    found = db.session.scalars(
        select(Unit).where(Unit.id.in_(
            select(Progress.unit_id).join(Finding, Finding.progress_id == Progress.id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive_id, Finding.withdrawn.is_(False))))
    ).all()
    return sorted(found, key=lambda u: sort_key(u.name))
