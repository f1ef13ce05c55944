"""The dashboard's figures read as sums in the database, for a directive too large to lay out unit
by unit (a province, the country): each unit's tally in one statement (`unit_tallies`), the items
in each deadline state (`states`), the tasks with most overdue items, and the metric tasks'
reported figures, each kept by the process for the directive's revision and the day (`_kept`);
areas' roll-ups are summed from the units' tallies (`areas.roll_up`).

What counts is what the matrix counts (portal/matrix/model.py): items the task still reaches (not
hidden), of tasks not withdrawn, not a supporting unit's; an item is overdue by the one rule,
`deadlines.deadline_state`: not approved, not waiting for review, past the last day of the
deadline that counts (a granted extension's, else the task's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from flask import abort, current_app
from sqlalchemy import case, func, null, select

from .. import areas
from ..deadlines import DeadlineState, deadline_state, late_from, local_date
from ..extensions import db
from ..kept import Kept
from ..matrix.model import Day, days_of, in_matrix_order
from ..models import (
    AuditEvent,
    Directive,
    Extension,
    ExtensionStatus,
    Measure,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    UnitKind,
    meets_target,
)

T = TypeVar("T")
OPEN = (ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.RETURNED)
PAGE_SIZE = 100


@dataclass
class Tally:
    """Items of a unit or of a group of units."""

    units: int = 0
    assigned: int = 0
    done: int = 0
    submitted: int = 0
    returned: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    def add(self, other: Tally) -> None:
        self.units += other.units
        self.assigned += other.assigned
        self.done += other.done
        self.submitted += other.submitted
        self.returned += other.returned
        self.overdue += other.overdue


@dataclass
class UnitTally(Tally):
    unit_id: int = 0
    name: str = ""
    kind: UnitKind = UnitKind.COMMUNE
    area_id: int | None = None


def _deadline():
    """The deadline that counts, in SQL: a granted extension's, else the task's."""
    return func.coalesce(case((Extension.status == ExtensionStatus.GRANTED,
                               Extension.granted_deadline)), Task.deadline)


def _counted(directive_id: int) -> tuple:
    return (Task.directive_id == directive_id, Task.withdrawn.is_(False),
            Progress.hidden.is_(False))


def _overdue(directive: Directive, on: date):
    """Overdue in SQL: still with the unit and `on` past the last day. The last day is the
    deadline, or the day before under the strict reading, so `on > last day` is
    `deadline < on` (or `deadline < on + 1 day`)."""
    cutoff = on if directive.deadline_day_counts else on + timedelta(days=1)
    return Progress.status.in_(OPEN) & (_deadline() < cutoff)


def published(directive_id: int) -> Directive:
    """The directive a dashboard shows; a draft is the editor's alone (404)."""
    directive = db.session.get(Directive, directive_id)
    if directive is None or directive.is_draft:
        abort(404)
    return directive


# Each directive's figures at a revision, on a day, under a reading of deadlines: kept by the
# process (as the matrix's index is), a part at a time, so that the dashboard asked again before
# anything changed reads names alone. Names, kinds and areas are never kept: they are read
# fresh with every answer.
FIGURES = Kept("dashboard_figures", 32)  # 8 directives and days of four parts each


def _kept(directive: Directive, on: date, part: str, compute: Callable[[], T]) -> T:
    key = (directive.id, directive.revision, on, directive.deadline_day_counts,
           current_app.config["DUE_SOON_DAYS"], part)
    found = FIGURES.get(key)
    if found is None:
        found = compute()
        FIGURES.put(key, found)
    return found


def unit_tallies(directive: Directive, on: date) -> list[UnitTally]:
    """Every unit the directive reaches with its tally, in the matrix's order (kind then name,
    grouped by area where units have them): one statement,
    the items grouped by unit joined to the units' names, kinds and areas; at a revision already
    counted, the units' names alone."""
    named = None

    def count() -> dict[int, tuple]:
        nonlocal named
        rows = db.session.execute(_tallies_statement(directive, on)).all()
        named = [row[5:] for row in rows]
        return {row[5]: tuple(row[:5]) for row in rows}

    figures = _kept(directive, on, "units", count)
    if named is None:
        named = [row for row in db.session.execute(
            select(Unit.id, Unit.name, Unit.kind, Unit.area_id)) if row[0] in figures]
    tallies = [UnitTally(1, *figures[unit_id], unit_id, name, kind, area_id)
               for unit_id, name, kind, area_id in named]
    return in_matrix_order(tallies)


def _tallies_statement(directive: Directive, on: date):
    """Each unit's counts (assigned, done, submitted, returned, overdue), then its id, name,
    kind and area."""
    counted = Progress.supporting.is_(False)
    figures = (
        select(Progress.unit_id,
               func.count().filter(counted).label("assigned"),
               func.count().filter(counted & (Progress.status == ProgressStatus.APPROVED))
               .label("done"),
               func.count().filter(counted & (Progress.status == ProgressStatus.SUBMITTED))
               .label("submitted"),
               func.count().filter(counted & (Progress.status == ProgressStatus.RETURNED))
               .label("returned"),
               func.count().filter(counted & _overdue(directive, on)).label("overdue"))
        .select_from(Progress)
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(*_counted(directive.id))
        .group_by(Progress.unit_id)
    ).subquery()
    return (select(figures.c.assigned, figures.c.done, figures.c.submitted, figures.c.returned,
                   figures.c.overdue, Unit.id, Unit.name, Unit.kind, Unit.area_id)
            .join_from(figures, Unit, Unit.id == figures.c.unit_id))


def total(tallies: list[UnitTally]) -> Tally:
    summed = Tally()
    for tally in tallies:
        summed.add(tally)
    return summed


def by_kind(tallies: list[UnitTally]) -> list[tuple[UnitKind, Tally]]:
    groups: dict[UnitKind, Tally] = {}
    for tally in tallies:
        groups.setdefault(tally.kind, Tally()).add(tally)
    return [(kind, groups[kind]) for kind in UnitKind if kind in groups]


def by_area(tallies: list[UnitTally]) -> list[areas.Rolled]:
    """Each area's tally summed over its subtree, in tree order; empty where there are no
    areas, so that a city's dashboard stays as it was."""
    if not any(t.area_id is not None for t in tallies):
        return []
    nodes = areas.tree()
    rolled = areas.roll_up(nodes, ((t.area_id, t) for t in tallies),
                           lambda summed, tally: summed.add(tally), Tally)
    return [r for r in rolled if r.totals.units]


def least_done(tallies: list[UnitTally], count: int) -> list[UnitTally]:
    """Units not done with everything: lowest completion first, then most overdue."""
    behind = [t for t in tallies if t.done < t.assigned]
    return sorted(behind, key=lambda t: (t.percent, -t.overdue))[:count]


def most_overdue(tallies: list[UnitTally], count: int) -> list[UnitTally]:
    late = [t for t in tallies if t.overdue]
    return sorted(late, key=lambda t: (-t.overdue, t.percent))[:count]


@dataclass
class TaskTally:
    task_id: int
    code: str
    title: str
    deadline: date | None
    position: int
    overdue: int = 0


@dataclass
class States:
    """Items in each deadline state, and the tasks with their overdue items."""

    counts: dict[DeadlineState, int]
    tasks: list[TaskTally]

    def most_overdue_tasks(self, count: int) -> list[TaskTally]:
        late = [t for t in self.tasks if t.overdue]
        return sorted(late, key=lambda t: (-t.overdue, t.position))[:count]


def states(directive: Directive, on: date) -> States:
    """Items in each deadline state, and each task's overdue: one statement grouped by task and
    by what decides the state (status, the deadline that counts, whether the submission came at
    or after `late_from`), each group's state from `deadline_state`; then the tasks. Kept for
    the revision and day (`_kept`): the tasks' words move the revision too."""
    return _kept(directive, on, "states", lambda: _states(directive, on))


def _states(directive: Directive, on: date) -> States:
    deadline = _deadline()
    day_counts = directive.deadline_day_counts
    deadlines = {day for day in db.session.scalars(
        select(Task.deadline).where(Task.directive_id == directive.id,
                                    Task.deadline.is_not(None)).union(
            select(Extension.granted_deadline).join(Progress,
                                                    Progress.id == Extension.progress_id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive.id,
                   Extension.status == ExtensionStatus.GRANTED,
                   Extension.granted_deadline.is_not(None))))}
    late = null()
    if deadlines:
        cutoff = case({day: late_from(day, day_counts) for day in deadlines}, value=deadline)
        late = case((Progress.status == ProgressStatus.APPROVED,
                     case((Progress.submitted_at.is_(None), null()),
                          else_=Progress.submitted_at >= cutoff)))
    query = (
        select(Progress.task_id, Progress.status, deadline, late, func.count())
        .select_from(Progress)
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(*_counted(directive.id), Progress.supporting.is_(False))
        .group_by(Progress.task_id, Progress.status, deadline, late)
    )
    tasks = {row.id: TaskTally(row.id, row.code, row.title, row.deadline, row.position)
             for row in db.session.execute(
                 select(Task.id, Task.code, Task.title, Task.deadline, Task.position)
                 .where(Task.directive_id == directive.id, Task.withdrawn.is_(False)))}
    due_soon = current_app.config["DUE_SOON_DAYS"]
    counts = dict.fromkeys(DeadlineState, 0)
    for task_id, status, day, is_late, items in db.session.execute(query):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        first_late = late_from(day, day_counts)
        submitted = None if is_late is None or first_late is None else (
            first_late if is_late else first_late - timedelta(microseconds=1))
        state = deadline_state(day, status, submitted, on, due_soon, day_counts)
        counts[state] += items
        if state is DeadlineState.OVERDUE and task_id in tasks:
            tasks[task_id].overdue += items
    return States(counts, sorted(tasks.values(), key=lambda t: t.position))


@dataclass
class MetricTally:
    task_id: int
    code: str
    title: str
    measure: Measure
    measure_unit: str
    target: float | None
    target_at_most: bool
    units: int = 0
    reported: int = 0
    met: int = 0


def metrics(directive: Directive, on: date) -> list[MetricTally]:
    """Each task with a figure: units it reaches, units that reported, units that meet its
    target (the figure as the matrix computes it, a rate to one decimal); kept for the
    revision (`_kept`)."""
    return _kept(directive, on, "metrics", lambda: _metrics(directive))


def _metrics(directive: Directive) -> list[MetricTally]:
    found: dict[int, MetricTally] = {}
    for row in db.session.execute(
            select(Task.id, Task.code, Task.title, Task.measure, Task.measure_unit, Task.target,
                   Task.target_at_most)
            .where(Task.directive_id == directive.id, Task.withdrawn.is_(False),
                   Task.measure.is_not(None)).order_by(Task.position)):
        found[row.id] = MetricTally(row.id, row.code, row.title, row.measure, row.measure_unit,
                                    float(row.target) if row.target is not None else None,
                                    row.target_at_most)
    if not found:
        return []
    for task_id, numerator, denominator, quantity in db.session.execute(
            select(Progress.task_id, Progress.numerator, Progress.denominator, Progress.quantity)
            .join(Task, Task.id == Progress.task_id)
            .where(*_counted(directive.id), Progress.supporting.is_(False),
                   Task.measure.is_not(None))):
        tally = found[task_id]
        tally.units += 1
        if tally.measure is Measure.PERCENT:
            figure = (round(100 * numerator / denominator, 1)
                      if denominator and numerator is not None else None)
        else:
            figure = quantity
        if figure is not None:
            tally.reported += 1
            tally.met += bool(meets_target(figure, tally.target, tally.target_at_most))
    return list(found.values())


def page_of(tallies: list[UnitTally], page: int) -> tuple[list[UnitTally], int, int]:
    """One page of the full table (a page past the last is the last), its number and the
    number of pages."""
    pages = max(1, -(-len(tallies) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return tallies[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], page, pages


def in_area(tallies: list[UnitTally], area_id: int) -> list[UnitTally]:
    """The tallies of units in the area or below it."""
    wanted = set(db.session.scalars(areas.subtree_ids(area_id)))
    return [t for t in tallies if t.area_id in wanted]


def area_named(area_id: int):
    """The area of the full table's filter; an unknown id is no filter."""
    return areas.get(area_id)


def area_names() -> dict[int, str]:
    return {node.id: node.name for node in areas.tree()}


def over_time(directive: Directive, totals: Tally, on: date) -> list[Day]:
    """Approved items day by day, as the unit-by-unit dashboard reads them
    (`matrix.model.completion_over_time`): each day's approvals less reopenings from the audit
    log, of the items counted here, worked back from today's figure. One statement, through the
    audit log's index on its target, kept with the other figures for the revision (a decision
    moves it)."""
    def approvals() -> dict[date, int]:
        counted = (select(Progress.id).join(Task, Task.id == Progress.task_id)
                   .where(*_counted(directive.id), Progress.supporting.is_(False)))
        net: dict[date, int] = defaultdict(int)
        for at, action in db.session.execute(
            select(AuditEvent.at, AuditEvent.action)
            .where(AuditEvent.target_type == "Progress",
                   AuditEvent.action.in_(("review.approve", "review.reopen")),
                   AuditEvent.target_id.in_(counted))
        ):
            net[local_date(at)] += 1 if action == "review.approve" else -1
        return net

    return days_of(_kept(directive, on, "approvals", approvals), totals.done, totals.assigned, on)
