"""The figures of every directive of a period, of one unit, and of every unit for the ranking.

Each figure set is read in one statement over every item of the period, whatever the number of
directives or units (`_items`), with how often each item was returned joined in from the audit
log; the deadline state of each item comes from the one rule (`deadlines.deadline_state`), with
the extension granted and the directive's reading of "trước ngày".

What counts: items of published directives (open, closed or archived: each in its year) that the
task still reaches (not hidden), of tasks not withdrawn, and not a supporting unit's (phối hợp),
as in the matrix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from ..deadlines import DeadlineState, deadline_state, last_day
from ..extensions import db
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    UnitKind,
)
from ..vietnamese import sort_key

# The reviewer's decision that sends an item back for more (portal/items/decisions.py).
RETURN_ACTION = "review.return"
IN_PROGRESS = (DeadlineState.ON_TRACK, DeadlineState.DUE_SOON, DeadlineState.NOT_STARTED)


class PeriodError(ValueError):
    """A period that cannot be read; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Period:
    """The years whose directives count, both included."""

    first: int
    last: int

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"năm {self.first}"
        return f"từ năm {self.first} đến năm {self.last}"

    @property
    def previous(self) -> Period:
        """The period as long just before this one: what a trend compares with."""
        span = self.last - self.first + 1
        return Period(self.first - span, self.last - span)

    def args(self) -> dict:
        return {"from_year": self.first, "to_year": self.last}


YEARS = range(1900, 3000)


def _year(text: str | None, what: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal() and len(text) == 4) or int(text) not in YEARS:
        raise PeriodError(f"{what} phải là một năm gồm 4 chữ số, ví dụ 2023.")
    return int(text)


def period_from(args, years: list[int], this_year: int) -> Period:
    """The period a query string asks for (`from_year`, `to_year`, or `year`); by default the
    newest year up to this one that has a directive (a letter for years ahead is not what a
    year's figures are about). PeriodError for a year that is not one, or a period that ends
    before it starts."""
    single = _year(args.get("year"), "Năm")
    first = _year(args.get("from_year"), "Năm bắt đầu")
    last = _year(args.get("to_year"), "Năm kết thúc")
    if single is not None:
        first = last = single
    default = next((year for year in years if year <= this_year), years[-1] if years else None)
    first = first if first is not None else (last if last is not None else default)
    last = last if last is not None else first
    if first is None:
        raise PeriodError("Chưa có văn bản nào được ban hành để tổng hợp.")
    if last < first:
        raise PeriodError(f"Khoảng thời gian không hợp lệ: năm kết thúc ({last}) trước năm "
                          f"bắt đầu ({first}). Hãy chọn năm kết thúc từ {first} trở đi.")
    if last - first > 20:
        raise PeriodError("Mỗi lần tổng hợp tối đa 20 năm liền nhau.")
    return Period(first, last)


def directive_years() -> list[int]:
    """The years that have a published directive, newest first (one statement)."""
    return list(db.session.scalars(
        select(Directive.year).where(Directive.status != DirectiveStatus.DRAFT)
        .group_by(Directive.year).order_by(Directive.year.desc())))


@dataclass
class Figures:
    """A set of items counted by where they stand against their deadline."""

    assigned: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    waiting: int = 0
    in_progress: int = 0
    returned_items: int = 0  # items returned at least once
    returns: int = 0  # how many times in all

    def add(self, item: Item) -> None:
        self.assigned += 1
        state = item.state
        if state is DeadlineState.DONE_ON_TIME:
            self.on_time += 1
        elif state is DeadlineState.DONE_LATE:
            self.late += 1
        elif state is DeadlineState.OVERDUE:
            self.overdue += 1
        elif state is DeadlineState.AWAITING_REVIEW:
            self.waiting += 1
        else:
            self.in_progress += 1
        if item.returns:
            self.returned_items += 1
            self.returns += item.returns

    @property
    def done(self) -> int:
        return self.on_time + self.late

    def share(self, count: int) -> float:
        return count / self.assigned if self.assigned else 0.0

    @property
    def percent(self) -> int:
        """Completion: approved items of those assigned."""
        return round(100 * self.share(self.done))

    @property
    def on_time_percent(self) -> int:
        """PAR-Index's own measure: assigned items done on time."""
        return round(100 * self.share(self.on_time))


@dataclass
class Item:
    id: int
    unit_id: int
    directive_id: int
    year: int
    code: str
    title: str
    status: ProgressStatus
    deadline: date | None  # the one that counts: a granted extension's, else the task's
    last_day: date | None  # the last day on time, under the directive's reading
    state: DeadlineState
    returns: int


@dataclass
class UnitRow:
    id: int
    name: str
    kind: UnitKind


def _items(first_year: int, last_year: int, on: date, unit_id: int | None = None,
           with_units: bool = False) -> tuple[list[Item], dict[int, UnitRow]]:
    """Every counted item of the directives of these years (of one unit where given), with its
    deadline state on `on` and how often it was returned: one statement."""
    returns = (
        select(AuditEvent.target_id.label("item_id"), func.count().label("n"))
        .where(AuditEvent.action == RETURN_ACTION, AuditEvent.target_type == "Progress")
        .group_by(AuditEvent.target_id).subquery()
    )
    columns = [Progress.id, Progress.unit_id, Progress.status, Progress.submitted_at,
               Task.code, Task.title, Task.deadline, Extension.status,
               Extension.granted_deadline, Directive.id, Directive.year,
               Directive.deadline_day_counts, func.coalesce(returns.c.n, 0)]
    query = (
        select(*columns)
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .outerjoin(returns, returns.c.item_id == Progress.id)
        .where(Directive.year.between(first_year, last_year),
               Directive.status != DirectiveStatus.DRAFT,
               Progress.hidden.is_(False), Progress.supporting.is_(False),
               Task.withdrawn.is_(False))
        .order_by(Directive.year.desc(), Directive.id.desc(), Task.position)
    )
    if with_units:
        query = query.add_columns(Unit.name, Unit.kind).join(Unit, Unit.id == Progress.unit_id)
    if unit_id is not None:
        query = query.where(Progress.unit_id == unit_id)
    due_soon = current_app.config["DUE_SOON_DAYS"]
    granted = ExtensionStatus.GRANTED
    items, units = [], {}
    for row in db.session.connection().execute(query):
        (item_id, unit, status, submitted_at, code, title, task_deadline, extension_status,
         granted_deadline, directive_id, year, day_counts, returned) = row[:13]
        deadline = granted_deadline if extension_status is granted else task_deadline
        items.append(Item(
            item_id, unit, directive_id, year, code, title, status, deadline,
            last_day(deadline, day_counts),
            deadline_state(deadline, status, submitted_at, on, due_soon, day_counts),
            returned,
        ))
        if with_units and unit not in units:
            units[unit] = UnitRow(unit, row[13], row[14])
    return items, units


# --- the overview: every directive of the period ----------------------------------------------


@dataclass
class DirectiveLine:
    id: int
    title: str
    number: str
    year: int
    status: DirectiveStatus
    figures: Figures = field(default_factory=Figures)
    units: set[int] = field(default_factory=set)
    next_deadline: date | None = None  # the earliest deadline still ahead of an unfinished item


SORTS = {
    "overdue": ("Quá hạn nhiều nhất", lambda d: (-d.figures.overdue, d.figures.percent)),
    "percent": ("Tỷ lệ hoàn thành thấp nhất", lambda d: (d.figures.percent, -d.figures.overdue)),
    "on_time": ("Tỷ lệ đúng hạn thấp nhất",
                lambda d: (d.figures.on_time_percent, -d.figures.overdue)),
    "waiting": ("Chờ duyệt nhiều nhất", lambda d: (-d.figures.waiting, -d.figures.overdue)),
    "deadline": ("Hạn sắp tới gần nhất", lambda d: (d.next_deadline or date.max,
                                                    -d.figures.overdue)),
    "title": ("Tên văn bản", lambda d: (sort_key(d.title),)),
}


@dataclass
class Overview:
    period: Period
    on: date
    directives: list[DirectiveLine]
    totals: Figures
    units: int
    behind: list[tuple[UnitRow, Figures]]  # units with the most overdue items first


BEHIND_COUNT = 15


def overview(period: Period, on: date, sort: str = "overdue") -> Overview:
    """Every published directive of the period with its figures, most overdue first (or as
    `sort` says): two statements, whatever the number of directives and units."""
    lines = {
        d.id: DirectiveLine(d.id, d.title, d.number, d.year, d.status)
        for d in db.session.execute(
            select(Directive.id, Directive.title, Directive.number, Directive.year,
                   Directive.status)
            .where(Directive.year.between(period.first, period.last),
                   Directive.status != DirectiveStatus.DRAFT))
    }
    items, unit_rows = _items(period.first, period.last, on, with_units=True)
    totals, units = Figures(), set()
    by_unit: dict[int, Figures] = defaultdict(Figures)
    for item in items:
        by_unit[item.unit_id].add(item)
        line = lines[item.directive_id]
        line.figures.add(item)
        totals.add(item)
        line.units.add(item.unit_id)
        units.add(item.unit_id)
        if item.state is not DeadlineState.OVERDUE and item.status not in (
                ProgressStatus.APPROVED, ProgressStatus.SUBMITTED) and item.last_day and (
                item.last_day >= on) and (line.next_deadline is None
                                          or item.last_day < line.next_deadline):
            line.next_deadline = item.last_day
    key = SORTS.get(sort, SORTS["overdue"])[1]
    ordered = sorted(lines.values(), key=lambda d: (*key(d), -d.year, sort_key(d.title)))
    behind = sorted(((unit_rows[unit_id], figures) for unit_id, figures in by_unit.items()
                     if figures.overdue),
                    key=lambda pair: (-pair[1].overdue, pair[1].on_time_percent,
                                      sort_key(pair[0].name)))[:BEHIND_COUNT]
    return Overview(period, on, ordered, totals, len(units), behind)


# --- a unit's scorecard ---------------------------------------------------------------------


@dataclass
class DirectiveItems:
    id: int
    title: str
    year: int
    items: list[Item]
    figures: Figures


@dataclass
class Scorecard:
    unit: Unit
    period: Period
    on: date
    figures: Figures
    previous: Figures  # the same figures for the period before
    directives: list[DirectiveItems]

    def trend(self, name: str) -> int | None:
        """A share this period less the period before's, in percentage points (None: nothing
        to compare with)."""
        if not self.previous.assigned or not self.figures.assigned:
            return None
        return getattr(self.figures, name) - getattr(self.previous, name)


def scorecard(unit: Unit, period: Period, on: date) -> Scorecard:
    """Every item the unit was given in the period and in the period before, in one statement;
    the directives' titles in one more."""
    before = period.previous
    items, _ = _items(before.first, period.last, on, unit_id=unit.id)
    now, previous = Figures(), Figures()
    groups: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.year >= period.first:
            now.add(item)
            groups[item.directive_id].append(item)
        else:
            previous.add(item)
    titles = dict(db.session.execute(
        select(Directive.id, Directive.title).where(Directive.id.in_(list(groups))))
        .all()) if groups else {}
    directives = []
    for directive_id, group in groups.items():
        figures = Figures()
        for item in group:
            figures.add(item)
        directives.append(DirectiveItems(directive_id, titles[directive_id], group[0].year,
                                         group, figures))
    return Scorecard(unit, period, on, now, previous, directives)


# --- the ranking for the yearly evaluation ----------------------------------------------------


@dataclass
class Ranked:
    unit: UnitRow
    figures: Figures
    score: float
    rank: int = 0


def ranking(period: Period, on: date, score) -> list[tuple[UnitKind, list[Ranked]]]:
    """Every unit with items in the period, by kind, best score first, ranked within its kind
    (equal scores share a rank); `score` turns a unit's Figures into its score."""
    items, units = _items(period.first, period.last, on, with_units=True)
    figures: dict[int, Figures] = defaultdict(Figures)
    for item in items:
        figures[item.unit_id].add(item)
    by_kind: dict[UnitKind, list[Ranked]] = defaultdict(list)
    for unit_id, counted in figures.items():
        unit = units[unit_id]
        by_kind[unit.kind].append(Ranked(unit, counted, score(counted)))
    groups = []
    for kind in UnitKind:
        ranked = sorted(by_kind.get(kind, []), key=lambda r: (
            -r.score, -r.figures.on_time_percent, sort_key(r.unit.name)))
        for index, entry in enumerate(ranked):
            tied = index and round(entry.score, 2) == round(ranked[index - 1].score, 2)
            entry.rank = ranked[index - 1].rank if tied else index + 1
        if ranked:
            groups.append((kind, ranked))
    return groups

