"""The matrix of a directive (units × tasks), the read model every view of a directive's progress
shares: the matrix page, the dashboard, the exports, the JSON view and the reminders.

The matrix is built from Core rows in four statements whatever its size, and its figures are
computed here once for all of them; `completion_over_time` adds the days behind today's figure,
from the audit log.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort, current_app
from sqlalchemy import String, case, func, select, type_coerce

from ..areas import subtree_ids, tree
from ..deadlines import DeadlineState, deadline_state, late_from, local_date
from ..extensions import db
from ..kept import Kept
from ..models import (
    EVERY_UNIT,
    AuditEvent,
    Directive,
    DirectiveStatus,
    Evidence,
    Extension,
    ExtensionStatus,
    Finding,
    FindingAnswer,
    MatrixUnitChange,
    Progress,
    ProgressStatus,
    TargetResult,
    Task,
    Unit,
    UnitKind,
    meets_target,
)
from ..query_string import number
from ..vietnamese import fold, name_order

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


@dataclass(slots=True)
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


@dataclass(slots=True)
class Row:
    unit_id: int
    name: str
    short_name: str
    kind: UnitKind
    cells: dict[int, Cell] = field(default_factory=dict)
    # Counted as the cells are filled in (`_fill`): every one but a supporting unit's.
    assigned: int = 0
    done: int = 0
    overdue: int = 0
    area_id: int | None = None  # địa bàn

    @property
    def counted(self) -> list[Cell]:
        """The items that count for completion: every one but a supporting unit's."""
        return [c for c in self.cells.values() if not c.supporting]

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
    rows: list[Row]  # every unit the directive reaches, in the matrix's order (`in_matrix_order`)

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
        return in_area(rows, filters.area)


def in_area(rows: list, area_id: int) -> list:
    """The rows of units in the area or below it (`Filters.area`); every row for none."""
    if not area_id:
        return rows
    wanted = set(db.session.scalars(subtree_ids(area_id)))
    return [r for r in rows if r.area_id in wanted]


def directive_revision(directive_id: int) -> int:
    """The change counter alone: what an unchanged poll costs."""
    found = db.session.execute(select(Directive.revision, Directive.status)
                               .where(Directive.id == directive_id)).first()
    if found is None or found.status is DirectiveStatus.DRAFT:  # a draft is the editor's alone
        abort(404)
    return found.revision


def _directive(directive_id: int) -> Directive:
    directive = db.session.get(Directive, directive_id)
    if directive is None or directive.is_draft:
        abort(404)
    return directive


def _columns(directive_id: int) -> dict[int, Column]:
    return {
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


def _shown(directive_id: int):
    return (Task.directive_id == directive_id) & Progress.hidden.is_(False)


def _in_directive(directive_id: int, unit_ids=None):
    found = select(Progress.id).join(Task, Task.id == Progress.task_id).where(
        _shown(directive_id))
    return found if unit_ids is None else found.where(Progress.unit_id.in_(unit_ids))


# Statuses read as their stored text and looked up: SQLAlchemy's Enum processing of every one of
# 50,000 cells was a tenth of a cold render.
_STATUSES = {s.value: s for s in ProgressStatus}
_GRANTED = ExtensionStatus.GRANTED.value


def _units_reached(directive_id: int, unit_ids=None) -> dict[int, Row]:
    query = select(Unit.id, Unit.name, Unit.short_name, Unit.kind, Unit.area_id).where(
        Unit.id.in_(select(Progress.unit_id).join(Task, Task.id == Progress.task_id)
                    .where(_shown(directive_id))))
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    return {u.id: Row(u.id, u.name, u.short_name, u.kind, area_id=u.area_id)
            for u in db.session.execute(query)}


class _States:
    """`deadline_state` for many cells of one day: asked once per deadline, status and lateness
    (the city's day of each submission compared through `late_from`, a comparison of stored
    moments), not once per cell."""

    def __init__(self, on: date, due_soon: int, day_counts: bool):
        self.on, self.due_soon, self.day_counts = on, due_soon, day_counts
        self._late_from: dict[date, datetime | None] = {}
        self._states: dict[tuple, DeadlineState] = {}

    def __call__(self, deadline: date | None, status: ProgressStatus,
                 submitted_at: datetime | None) -> DeadlineState:
        late = None
        if status is ProgressStatus.APPROVED and deadline is not None and submitted_at is not None:
            cutoff = self._late_from.get(deadline, False)
            if cutoff is False:
                cutoff = self._late_from[deadline] = late_from(deadline, self.day_counts)
            late = submitted_at >= cutoff
        key = (deadline, status, late)
        state = self._states.get(key)
        if state is None:
            # A moment on the day that gives the same answer: late, the cutoff itself; on time,
            # none (no submission is never late).
            moment = self._late_from[deadline] if late else None
            state = self._states[key] = deadline_state(deadline, status, moment, self.on,
                                                       self.due_soon, self.day_counts)
        return state


def _cells_statement(directive_id: int, unit_ids=None):
    """Every cell of the directive, or of `unit_ids` alone (the evidence and findings counted for
    those alone too)."""
    in_directive = _in_directive(directive_id, unit_ids)
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
    return (
        select(Progress.id, Progress.unit_id, Progress.task_id,
               type_coerce(Progress.status, String), Progress.submitted_at,
               Progress.numerator, Progress.denominator, Progress.quantity,
               type_coerce(Extension.status, String), Extension.granted_deadline,
               func.coalesce(evidence_counts.c.n, 0), Progress.supporting,
               func.coalesce(finding_counts.c.n, 0), func.coalesce(finding_counts.c.fixed, 0))
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .outerjoin(evidence_counts, evidence_counts.c.progress_id == Progress.id)
        .outerjoin(finding_counts, finding_counts.c.progress_id == Progress.id)
        .where(_shown(directive_id) if unit_ids is None
               else _shown(directive_id) & Progress.unit_id.in_(unit_ids))
    )


def _fill(units: dict[int, Row], columns: dict[int, Column], cells, states: _States,
          count_columns: bool) -> None:
    """The cells of `cells` (rows of `_cells_statement`) into their units' rows."""
    statuses, granted, approved = _STATUSES, _GRANTED, ProgressStatus.APPROVED
    overdue = DeadlineState.OVERDUE
    for (item_id, unit_id, task_id, status, submitted_at, numerator, denominator, quantity,
         extension_status, granted_deadline, evidence_count, supporting, findings,
         fixed) in cells:
        column = columns[task_id]
        status = statuses[status]
        deadline = granted_deadline if extension_status == granted else column.deadline
        measure = column.measure
        if measure is None:
            figure = None
        elif measure == "percent":
            figure = round(100 * numerator / denominator, 1) if denominator and (
                numerator is not None) else None
        else:
            figure = quantity if measure == "count" else None
        state = states(deadline, status, submitted_at)
        row = units[unit_id]
        row.cells[task_id] = Cell(item_id, status, state, evidence_count, figure, deadline,
                                  submitted_at, supporting, findings, fixed)
        if not supporting:
            row.assigned += 1
            row.done += status is approved
            row.overdue += state is overdue
            if count_columns:
                column.assigned += 1
                column.done += status is approved


_KINDS = {kind: index for index, kind in enumerate(UnitKind)}


def row_order(row) -> tuple:
    """Kind, then Vietnamese alphabetical order of the name; units of the same kind and name by
    id, so that they keep one order from page to page."""
    return (_KINDS[row.kind], name_order(row.name), row.unit_id)


def in_matrix_order(rows) -> list:
    """The matrix's order (`row_order`); where units have areas, grouped by area first, the areas
    in the tree's order and the units in no area last (one statement more, for the tree)."""
    if not any(row.area_id is not None for row in rows):
        return sorted(rows, key=row_order)
    place = {node.id: index for index, node in enumerate(tree())}
    last = len(place)
    return sorted(rows, key=lambda row: (place.get(row.area_id, last), *row_order(row)))


def matrix(directive_id: int, on: date) -> Matrix:
    directive = _directive(directive_id)
    states = _States(on, current_app.config["DUE_SOON_DAYS"], directive.deadline_day_counts)
    columns = _columns(directive_id)
    # Core rows unpacked by position: a 1000 × 50 matrix is 50,000 of them.
    cells = db.session.connection().execute(_cells_statement(directive_id)).all()
    units = _units_reached(directive_id)
    _fill(units, columns, cells, states, count_columns=True)
    rows = in_matrix_order(units.values())
    return Matrix(directive, directive.revision, on, list(columns.values()), rows)


def rows_of(index: MatrixIndex, shown: list[RowSummary]) -> list[Row]:
    """The full rows (every cell) of the index's rows `shown` alone, in that order: what a page
    of the matrix, a page of the JSON view or a batch of the Excel export shows. One statement."""
    if not shown:
        return []
    directive = index.directive
    states = _States(index.on, current_app.config["DUE_SOON_DAYS"],
                     directive.deadline_day_counts)
    units = {r.unit_id: Row(r.unit_id, r.name, r.short_name, r.kind, area_id=r.area_id)
             for r in shown}
    cells = db.session.connection().execute(_cells_statement(directive.id, list(units))).all()
    _fill(units, index.columns_by_task, cells, states, count_columns=False)
    return list(units.values())


# --------------------------------------------------------------------------- the page's index

_STATE_ORDER = list(DeadlineState)


@dataclass(slots=True)
class RowSummary:
    """A unit's row without its cells: what ordering, filtering and paging the matrix need."""

    unit_id: int
    name: str
    short_name: str
    kind: UnitKind
    folded: tuple[str, str]  # name and short name folded for search
    assigned: int = 0
    done: int = 0
    overdue: int = 0
    cells: int = 0  # every cell, a supporting unit's too
    present: set = field(default_factory=set)  # status and state values of its cells
    by_state: list = field(default_factory=lambda: [0] * len(_STATE_ORDER))
    area_id: int | None = None  # địa bàn
    # The tasks of its counted cells, and of those approved: what it adds to the columns' counts.
    counted_tasks: list = field(default_factory=list)
    done_tasks: list = field(default_factory=list)
    version: int = 0  # the revision it was last read at, 0: when its index was built

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


@dataclass(frozen=True)
class DirectiveHead:
    """What a cached index keeps of its directive (no ORM object outlives its request)."""

    id: int
    slug: str
    title: str
    number: str
    issuer: str
    changed_at: datetime | None
    deadline_day_counts: bool


@dataclass
class MatrixIndex:
    """Every row of a directive's matrix in order with its counts, and the columns with theirs,
    built from one narrow statement (no cell kept): a page or a filter reads the full rows of
    what it shows alone (`rows_of`). Kept per process for each directive, revision and day; the
    index of a newer revision is the kept one with the rows of the units changed since read
    again (`MatrixUnitChange`). `build` names the full read it comes from (a number of this
    process), and a row's `version` the revision it was read again at: together a row's
    identity for its rendered markup (`portal.matrix.rows`)."""

    directive: DirectiveHead
    revision: int
    on: date
    columns: list[Column]
    rows: list[RowSummary]
    build: int = 0

    @property
    def columns_by_task(self) -> dict[int, Column]:
        return {column.task_id: column for column in self.columns}

    def totals(self, rows: list[RowSummary] | None = None) -> dict:
        rows = self.rows if rows is None else rows
        assigned = sum(r.assigned for r in rows)
        done = sum(r.done for r in rows)
        by_state = dict.fromkeys(_STATE_ORDER, 0)
        for row in rows:
            for state, count in zip(_STATE_ORDER, row.by_state, strict=True):
                by_state[state] += count
        return {"units": len(rows), "assigned": assigned, "done": done,
                "percent": round(100 * done / assigned) if assigned else 0,
                "overdue": by_state[DeadlineState.OVERDUE], "by_state": by_state}

    def filtered(self, filters: Filters) -> list[RowSummary]:
        rows = self.rows
        if filters.kind:
            rows = [r for r in rows if r.kind.value == filters.kind]
        if filters.q:
            wanted = fold(filters.q)
            rows = [r for r in rows if wanted in r.folded[0] or wanted in r.folded[1]]
        if filters.overdue:
            rows = [r for r in rows if r.overdue]
        if filters.status:
            rows = [r for r in rows if filters.status in r.present]
        return in_area(rows, filters.area)


INDEXES = Kept("matrix_indexes", 8)


def matrix_index(directive_id: int, on: date) -> MatrixIndex:
    """The directive's index at its current revision, kept by the app (`INDEXES`): the newest
    kept one of the same day brought up to date where it can be, else read whole."""
    directive = _directive(directive_id)
    key = (directive_id, directive.revision, on, directive.deadline_day_counts)
    found = INDEXES.get(key)
    if found is not None:
        return found
    older = [index for (kept_id, revision, kept_on, day_counts), index in INDEXES.items()
             if (kept_id, kept_on, day_counts) == (directive_id, on, key[3])
             and revision < directive.revision]
    built = None
    if older:
        built = _update_index(max(older, key=lambda index: index.revision), directive)
    if built is None:
        built = _build_index(directive, on)
    INDEXES.put(key, built)
    return built


def _raw_rows(statement) -> list[tuple]:
    """The rows of `statement` as the database driver gives them, without SQLAlchemy's result
    processing (a third of building the index of 50,000 cells): its values must need none
    (numbers, text; dates and moments as SQLite's text or PostgreSQL's objects)."""
    connection = db.session.connection()
    # Lists (IN) written out in the text: the driver knows nothing of expanding parameters.
    compiled = statement.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    result = connection.exec_driver_sql(str(compiled), params)  # counted like any statement
    try:
        return result.cursor.fetchall()  # the driver's tuples, no Row objects built
    finally:
        result.close()


def forget_indexes(app) -> None:
    INDEXES.forget(app)


_builds = itertools.count(1)


def _summary_cells(directive_id: int, unit_ids=None):
    """What the index reads of each cell (of `unit_ids` alone, or every one)."""
    approved_text = ProgressStatus.APPROVED.value
    status_text = type_coerce(Progress.status, String)
    statement = (
        select(Progress.unit_id, Progress.task_id, status_text,
               # Only an approved item's submission decides anything (on time or late).
               case((status_text == approved_text, Progress.submitted_at)),
               type_coerce(Extension.status, String), Extension.granted_deadline,
               Progress.supporting)
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(_shown(directive_id)))
    if unit_ids is not None:
        statement = statement.where(Progress.unit_id.in_(unit_ids))
    return _raw_rows(statement)


def _summarize(units: dict[int, RowSummary], columns: dict[int, Column], cells,
               states: _States) -> None:
    """The cells (rows of `_summary_cells`) counted into their units' rows and the columns."""
    statuses, granted = _STATUSES, _GRANTED
    approved_text = ProgressStatus.APPROVED.value
    position = {state: index for index, state in enumerate(_STATE_ORDER)}
    overdue = DeadlineState.OVERDUE
    for unit_id, task_id, status_text, submitted_at, extension_status, granted_deadline, \
            supporting in cells:
        column = columns[task_id]
        status = statuses[status_text]
        if extension_status == granted:
            deadline = granted_deadline if type(granted_deadline) is not str \
                else date.fromisoformat(granted_deadline)
        else:
            deadline = column.deadline
        if type(submitted_at) is str:  # SQLite's text, read without SQLAlchemy's processing
            submitted_at = datetime.fromisoformat(submitted_at)
        state = states(deadline, status, submitted_at)
        row = units[unit_id]
        row.cells += 1
        row.present.add(status_text)
        row.present.add(state.value)
        if not supporting:
            row.assigned += 1
            row.counted_tasks.append(task_id)
            row.by_state[position[state]] += 1
            if status_text == approved_text:
                row.done += 1
                row.done_tasks.append(task_id)
                column.done += 1
            row.overdue += state is overdue
            column.assigned += 1


def _head(directive: Directive) -> DirectiveHead:
    return DirectiveHead(directive.id, directive.slug, directive.title, directive.number,
                         directive.issuer, directive.changed_at, directive.deadline_day_counts)


def _build_index(directive: Directive, on: date) -> MatrixIndex:
    states = _States(on, current_app.config["DUE_SOON_DAYS"], directive.deadline_day_counts)
    columns = _columns(directive.id)
    units = {
        u.id: RowSummary(u.id, u.name, u.short_name, u.kind, (fold(u.name), fold(u.short_name)),
                         area_id=u.area_id)
        for u in db.session.execute(
            select(Unit.id, Unit.name, Unit.short_name, Unit.kind, Unit.area_id).where(
                Unit.id.in_(select(Progress.unit_id).join(Task, Task.id == Progress.task_id)
                            .where(_shown(directive.id)))))
    }
    _summarize(units, columns, _summary_cells(directive.id), states)
    rows = in_matrix_order(units.values())
    return MatrixIndex(_head(directive), directive.revision, on, list(columns.values()), rows,
                       next(_builds))


def _update_index(kept: MatrixIndex, directive: Directive) -> MatrixIndex | None:
    """`kept` brought to the directive's revision by reading again the rows of the units changed
    since (`MatrixUnitChange`); None when it cannot be: the tasks changed, a unit came or went,
    or the revision moved with no unit recorded (a change written around the ORM's flush)."""
    changes = MatrixUnitChange.__table__
    changed = set(db.session.scalars(
        select(changes.c.unit_id).where(changes.c.directive_id == directive.id,
                                        changes.c.revision > kept.revision)))
    by_unit = {row.unit_id: row for row in kept.rows}
    if not changed or EVERY_UNIT in changed or not changed <= by_unit.keys():
        return None
    states = _States(kept.on, current_app.config["DUE_SOON_DAYS"],
                     directive.deadline_day_counts)
    columns = {column.task_id: dataclasses.replace(column) for column in kept.columns}
    fresh = {}
    for unit_id in changed:
        old = by_unit[unit_id]
        for task_id in old.counted_tasks:
            columns[task_id].assigned -= 1
        for task_id in old.done_tasks:
            columns[task_id].done -= 1
        fresh[unit_id] = RowSummary(old.unit_id, old.name, old.short_name, old.kind, old.folded,
                                    area_id=old.area_id, version=directive.revision)
    cells = _summary_cells(directive.id, sorted(changed))
    if any(task_id not in columns for _, task_id, *_ in cells):
        return None
    _summarize(fresh, columns, cells, states)
    if any(not row.cells for row in fresh.values()):
        return None  # every item of the unit hidden: it leaves the matrix
    rows = [fresh.get(row.unit_id, row) for row in kept.rows]
    return MatrixIndex(_head(directive), directive.revision, kept.on, list(columns.values()),
                       rows, kept.build)


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
    return days_of(net, total["done"], total["assigned"], m.on)


def days_of(net: dict[date, int], done_today: int, assigned: int, on: date) -> list[Day]:
    """The series from each day's approvals less reopenings (`net`), worked back from today's
    figure (`done_today` of `assigned`), ending on `on`."""
    days = sorted(day for day in net if day <= on)
    done = done_today - sum(net[day] for day in days)
    series = []
    for day in days:
        done += net[day]
        series.append(Day(day, net[day], max(done, 0), assigned))
    if not series or series[-1].on != on:
        series.append(Day(on, 0, done_today, assigned))
    return series
