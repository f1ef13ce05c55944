"""The matrix of a directive (units × tasks), the read model every view of a directive's progress
shares: the matrix page, the dashboard, the exports, the JSON view and the reminders.

The matrix is built from Core rows in four statements whatever its size, and its figures are
computed here once for all of them; `completion_over_time` adds the days behind today's figure,
from the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort, current_app
from sqlalchemy import func, select

from ..areas import subtree_ids
from ..deadlines import DeadlineState, deadline_state, local_date
from ..extensions import db
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Evidence,
    Extension,
    ExtensionStatus,
    Finding,
    FindingAnswer,
    Progress,
    ProgressStatus,
    TargetResult,
    Task,
    Unit,
    UnitKind,
    meets_target,
)
from ..query_string import number
from ..vietnamese import fold, sort_key

ROWS_PER_PAGE = 100


@dataclass(frozen=True)
class Filters:
    """What the matrix shows: unit kind, a status or deadline state, overdue only, a search, an
    area (địa bàn) with the areas below it."""

    kind: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""
    page: int = 1
    area: int = 0

    @classmethod
    def from_args(cls, args) -> Filters:
        kind = args.get("kind", "")
        status = args.get("status", "")
        return cls(
            kind=kind if kind in UnitKind._value2member_map_ else "",
            status=status if status in STATUS_FILTERS else "",
            overdue=args.get("overdue") in ("1", "on", "true"),
            q=" ".join(args.get("q", "").split())[:100],
            page=number(args, "page") or 1,
            area=number(args, "area") or 0,
        )

    def args(self, **changes) -> dict:
        """Query arguments for a link to these filters, with `changes` applied."""
        values = {"kind": self.kind, "status": self.status, "overdue": "1" if self.overdue else "",
                  "q": self.q, "page": self.page if self.page > 1 else "",
                  "area": self.area or ""}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


# A cell filter is a progress status or a deadline state, both labelled for the select box.
STATUS_FILTERS = {
    **{s.value: s.label for s in ProgressStatus},
    # Chờ duyệt and Chưa thực hiện are the statuses of the same name.
    **{s.value: s.label for s in DeadlineState
       if s not in (DeadlineState.AWAITING_REVIEW, DeadlineState.NOT_STARTED)},
}


@dataclass
class Cell:
    item_id: int
    status: ProgressStatus
    state: DeadlineState
    evidence_count: int
    figure: float | None
    deadline: date | None
    submitted_at: datetime | None
    supporting: bool = False  # phối hợp: shown, not counted
    findings: int = 0  # the unit's findings under this item (not withdrawn)
    fixed: int = 0  # of which the unit has fixed

    def matches(self, wanted: str) -> bool:
        return wanted in (self.status.value, self.state.value)


@dataclass
class Row:
    unit_id: int
    name: str
    short_name: str
    kind: UnitKind
    cells: dict[int, Cell] = field(default_factory=dict)
    area_id: int | None = None  # địa bàn

    @property
    def counted(self) -> list[Cell]:
        """The items that count for completion: every one but a supporting unit's."""
        return [c for c in self.cells.values() if not c.supporting]

    @property
    def assigned(self) -> int:
        return len(self.counted)

    @property
    def done(self) -> int:
        return sum(c.status is ProgressStatus.APPROVED for c in self.counted)

    @property
    def overdue(self) -> int:
        return sum(c.state is DeadlineState.OVERDUE for c in self.counted)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


@dataclass
class Column:
    task_id: int
    code: str
    title: str
    deadline: date | None
    measure: str | None
    measure_unit: str
    target: float | None
    target_at_most: bool
    done: int = 0
    assigned: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def is_metric(self) -> bool:
        """A task whose units report a figure: a rate or a count."""
        return self.measure in ("percent", "count")

    def reached(self, figure: float | None) -> bool | None:
        return meets_target(figure, self.target, self.target_at_most)

    def result(self, figure: float | None) -> TargetResult | None:
        return TargetResult.of(self.reached(figure))


@dataclass
class Matrix:
    directive: Directive
    revision: int
    on: date
    columns: list[Column]
    rows: list[Row]  # every unit the directive reaches, in kind then Vietnamese order

    @property
    def cells(self):
        return [cell for row in self.rows for cell in row.counted]

    def totals(self, rows: list[Row] | None = None) -> dict:
        rows = self.rows if rows is None else rows
        cells = [cell for row in rows for cell in row.counted]
        assigned = len(cells)
        done = sum(c.status is ProgressStatus.APPROVED for c in cells)
        by_state = {state: 0 for state in DeadlineState}
        for cell in cells:
            by_state[cell.state] += 1
        return {
            "units": len(rows),
            "assigned": assigned,
            "done": done,
            "percent": round(100 * done / assigned) if assigned else 0,
            "overdue": by_state[DeadlineState.OVERDUE],
            "by_state": by_state,
        }

    def by_kind(self) -> list[tuple[UnitKind, list[Row]]]:
        groups: dict[UnitKind, list[Row]] = defaultdict(list)
        for row in self.rows:
            groups[row.kind].append(row)
        return [(kind, groups[kind]) for kind in UnitKind if groups.get(kind)]

    def by_state(self, rows: list[Row] | None = None) -> list[tuple[DeadlineState, int, int]]:
        """Each deadline state with its count of items and its share of them (%)."""
        totals = self.totals(rows)
        assigned = totals["assigned"]
        return [(state, count, round(100 * count / assigned) if assigned else 0)
                for state, count in totals["by_state"].items()]

    @property
    def metric_columns(self) -> list[Column]:
        return [column for column in self.columns if column.is_metric]

    def figures(self, column: Column) -> list[tuple[Row, Cell]]:
        """Every unit the task reaches with its item, in matrix order (its figure may be None)."""
        return [(row, row.cells[column.task_id]) for row in self.rows
                if column.task_id in row.cells and not row.cells[column.task_id].supporting]

    def overdue_items(self) -> list[tuple[Row, Column, Cell]]:
        """Items past their deadline and not done: earliest deadline first, then matrix order."""
        found = [(row, column, row.cells[column.task_id])
                 for row in self.rows for column in self.columns
                 if column.task_id in row.cells
                 and not row.cells[column.task_id].supporting
                 and row.cells[column.task_id].state is DeadlineState.OVERDUE]
        return sorted(found, key=lambda found: found[2].deadline or date.max)

    def furthest_behind(self, count: int = 10) -> list[Row]:
        """Units not yet done with everything: lowest completion first, then most overdue."""
        behind = [row for row in self.rows if row.done < row.assigned]
        return sorted(behind, key=lambda row: (row.percent, -row.overdue))[:count]

    def filtered(self, filters: Filters) -> list[Row]:
        rows = self.rows
        if filters.kind:
            rows = [r for r in rows if r.kind.value == filters.kind]
        if filters.q:
            wanted = fold(filters.q)
            rows = [r for r in rows if wanted in fold(r.name) or wanted in fold(r.short_name)]
        if filters.overdue:
            rows = [r for r in rows if r.overdue]
        if filters.status:
            rows = [r for r in rows if any(c.matches(filters.status) for c in r.cells.values())]
        if filters.area:
            wanted = set(db.session.scalars(subtree_ids(filters.area)))
            rows = [r for r in rows if r.area_id in wanted]
        return rows


def directive_revision(directive_id: int) -> int:
    """The change counter alone: what an unchanged poll costs."""
    found = db.session.execute(select(Directive.revision, Directive.status)
                               .where(Directive.id == directive_id)).first()
    if found is None or found.status is DirectiveStatus.DRAFT:  # a draft is the editor's alone
        abort(404)
    return found.revision


def matrix(directive_id: int, on: date) -> Matrix:
    directive = db.session.get(Directive, directive_id)
    if directive is None or directive.is_draft:
        abort(404)
    due_soon = current_app.config["DUE_SOON_DAYS"]
    day_counts = directive.deadline_day_counts

    columns = {
        row.id: Column(row.id, row.code, row.title, row.deadline,
                       row.measure.value if row.measure else None, row.measure_unit,
                       float(row.target) if row.target is not None else None, row.target_at_most)
        for row in db.session.execute(
            select(Task.id, Task.code, Task.title, Task.deadline, Task.measure, Task.measure_unit,
                   Task.target, Task.target_at_most)
            .where(Task.directive_id == directive_id, Task.withdrawn.is_(False))
            .order_by(Task.position)
        )
    }
    shown = (Task.directive_id == directive_id) & Progress.hidden.is_(False)
    in_directive = select(Progress.id).join(Task, Task.id == Progress.task_id).where(shown)
    evidence_counts = (
        select(Evidence.progress_id, func.count(Evidence.id).label("n"))
        .where(Evidence.progress_id.in_(in_directive))
        .group_by(Evidence.progress_id).subquery()
    )
    # Each item's findings and how many are fixed, grouped in the same statement as the cells.
    finding_counts = (
        select(Finding.progress_id, func.count(Finding.id).label("n"),
               func.count(Finding.id).filter(Finding.answer == FindingAnswer.FIXED)
               .label("fixed"))
        .where(Finding.progress_id.in_(in_directive), Finding.withdrawn.is_(False))
        .group_by(Finding.progress_id).subquery()
    )
    # Core rows unpacked by position: a 1000 × 50 matrix is 50,000 of them.
    cells = db.session.connection().execute(
        select(Progress.id, Progress.unit_id, Progress.task_id, Progress.status,
               Progress.submitted_at, Progress.numerator, Progress.denominator, Progress.quantity,
               Extension.status, Extension.granted_deadline,
               func.coalesce(evidence_counts.c.n, 0), Progress.supporting,
               func.coalesce(finding_counts.c.n, 0), func.coalesce(finding_counts.c.fixed, 0))
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .outerjoin(evidence_counts, evidence_counts.c.progress_id == Progress.id)
        .outerjoin(finding_counts, finding_counts.c.progress_id == Progress.id)
        .where(shown)
    ).all()
    units = {
        u.id: Row(u.id, u.name, u.short_name, u.kind, area_id=u.area_id)
        for u in db.session.execute(
            select(Unit.id, Unit.name, Unit.short_name, Unit.kind, Unit.area_id).where(
                Unit.id.in_(select(Progress.unit_id).join(Task, Task.id == Progress.task_id)
                            .where(shown))
            )
        )
    }
    approved, granted = ProgressStatus.APPROVED, ExtensionStatus.GRANTED
    for (item_id, unit_id, task_id, status, submitted_at, numerator, denominator, quantity,
         extension_status, granted_deadline, evidence_count, supporting, findings,
         fixed) in cells:
        column = columns[task_id]
        deadline = granted_deadline if extension_status is granted else column.deadline
        if column.measure == "percent":
            figure = round(100 * numerator / denominator, 1) if denominator and (
                numerator is not None) else None
        else:
            figure = quantity if column.measure == "count" else None
        units[unit_id].cells[task_id] = Cell(
            item_id, status,
            deadline_state(deadline, status, submitted_at, on, due_soon, day_counts),
            evidence_count, figure, deadline, submitted_at, supporting, findings, fixed,
        )
        if not supporting:
            column.assigned += 1
            column.done += status is approved
    kinds = list(UnitKind)
    rows = sorted(units.values(), key=lambda r: (kinds.index(r.kind), sort_key(r.name)))
    return Matrix(directive, directive.revision, on, list(columns.values()), rows)


@dataclass(frozen=True)
class Day:
    on: date
    approved: int  # approvals that day, less reopenings
    done: int  # approved items at the end of the day
    assigned: int  # items counted today: the share is of today's total

    @property
    def before(self) -> int:
        """Approved items at the start of the day."""
        return max(self.done - self.approved, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


def completion_over_time(m: Matrix) -> list[Day]:
    """Approved items day by day, from the audit log's approvals and reopenings of the items the
    matrix counts. The series ends on the matrix's own figure today; earlier days are worked
    back from it, so that items approved without a logged decision (an import) count from the
    start and the last point always equals the screen's."""
    counted = {cell.item_id for cell in m.cells}
    total = m.totals()
    net: dict[date, int] = defaultdict(int)
    if counted:
        directive_items = (
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == m.directive.id)
        )
        for at, action, target_id in db.session.execute(
            select(AuditEvent.at, AuditEvent.action, AuditEvent.target_id)
            .where(AuditEvent.target_type == "Progress",
                   AuditEvent.action.in_(("review.approve", "review.reopen")),
                   AuditEvent.target_id.in_(directive_items))
        ):
            if target_id in counted:
                net[local_date(at)] += 1 if action == "review.approve" else -1
    days = sorted(day for day in net if day <= m.on)
    done = total["done"] - sum(net[day] for day in days)
    assigned = total["assigned"]
    series = []
    for day in days:
        done += net[day]
        series.append(Day(day, net[day], max(done, 0), assigned))
    if not series or series[-1].on != m.on:
        series.append(Day(m.on, 0, total["done"], assigned))
    return series
