"""The figures of every directive of a period, of one unit, and of every unit for the ranking.

Each figure set is read in a fixed number of statements, whatever the number of directives or
units. A unit's scorecard reads its items one by one (`_items`); the overview and the ranking,
over tens of thousands of items, read them grouped (`_groups`): by directive or by unit, status,
the deadline that counts (a granted extension's, else the task's), the directive's reading of
"trước ngày" and whether the submission came at or after `deadlines.late_from`, so that each
group's items stand alike before the one rule, `deadlines.deadline_state`, which is asked once
per group. How often an item was returned comes from the audit log, joined in.

What counts: items of published directives (open, closed or archived: each in its year) that the
task still reaches (not hidden), of tasks not withdrawn, and not a supporting unit's (phối hợp),
as in the matrix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, func, null, select, union

from ..deadlines import DeadlineState, deadline_state, last_day, late_from
from ..extensions import db
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Extension,
    ExtensionStatus,
    Finding,
    FindingAnswer,
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
        self.count(item.state, 1, 1 if item.returns else 0, item.returns)

    def count(self, state: DeadlineState, items: int, returned_items: int = 0,
              returns: int = 0) -> None:
        """`items` items in `state`, of which `returned_items` were returned, `returns` times."""
        self.assigned += items
        if state is DeadlineState.DONE_ON_TIME:
            self.on_time += items
        elif state is DeadlineState.DONE_LATE:
            self.late += items
        elif state is DeadlineState.OVERDUE:
            self.overdue += items
        elif state is DeadlineState.AWAITING_REVIEW:
            self.waiting += items
        else:
            self.in_progress += items
        self.returned_items += returned_items
        self.returns += returns

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


def _returns():
    """How often each item was returned for more: one row per item ever returned."""
    return (
        select(AuditEvent.target_id.label("item_id"), func.count().label("n"))
        .where(AuditEvent.action == RETURN_ACTION, AuditEvent.target_type == "Progress")
        .group_by(AuditEvent.target_id).subquery()
    )


def _counted(first_year: int, last_year: int) -> tuple:
    """The items that count, of the published directives of these years."""
    return (Directive.year.between(first_year, last_year),
            Directive.status != DirectiveStatus.DRAFT,
            Progress.hidden.is_(False), Progress.supporting.is_(False),
            Task.withdrawn.is_(False))


def _items(first_year: int, last_year: int, on: date, unit_id: int | None = None,
           directive_ids: tuple[int, ...] = ()) -> list[Item]:
    """Every counted item of one unit in the directives of these years (or of every unit in
    the directives named), with its deadline state on `on` and how often it was returned: one
    statement."""
    returns = _returns()
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
        .where(*_counted(first_year, last_year))
        .order_by(Directive.year.desc(), Directive.id.desc(), Task.position)
    )
    if unit_id is not None:
        query = query.where(Progress.unit_id == unit_id)
    if directive_ids:
        query = query.where(Directive.id.in_(directive_ids))
    due_soon = current_app.config["DUE_SOON_DAYS"]
    granted = ExtensionStatus.GRANTED
    items = []
    for (item_id, unit, status, submitted_at, code, title, task_deadline, extension_status,
         granted_deadline, directive_id, year, day_counts, returned) in (
            db.session.connection().execute(query)):
        deadline = granted_deadline if extension_status is granted else task_deadline
        items.append(Item(
            item_id, unit, directive_id, year, code, title, status, deadline,
            last_day(deadline, day_counts),
            deadline_state(deadline, status, submitted_at, on, due_soon, day_counts),
            returned,
        ))
    return items


@dataclass(frozen=True)
class Group:
    """Items of one directive or unit that stand alike before the deadline rule."""

    key: int  # the directive's or the unit's id
    state: DeadlineState
    deadline: date | None
    last_day: date | None
    items: int
    returned_items: int
    returns: int


def _deadline():
    """The deadline that counts, in SQL: a granted extension's, else the task's."""
    return func.coalesce(case((Extension.status == ExtensionStatus.GRANTED,
                               Extension.granted_deadline)), Task.deadline)


def _day(value) -> date | None:
    """A date read back from a SQL expression (SQLite gives text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _overdue_by_unit(first_year: int, last_year: int, on: date) -> dict[int, int]:
    """Each unit's overdue items in these years: one statement over the unfinished items whose
    deadline is not after `on` (no other can be overdue), grouped by what decides their state,
    each group's state from `deadline_state`."""
    deadline = _deadline()
    grouped = Progress.unit_id + 0  # read every item once, not through the unit's index
    query = (
        select(grouped, Progress.status, deadline, Directive.deadline_day_counts, func.count())
        .select_from(Progress)
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(*_counted(first_year, last_year),
               Progress.status.not_in((ProgressStatus.APPROVED, ProgressStatus.SUBMITTED)),
               deadline <= on)
        .group_by(grouped, Progress.status, deadline, Directive.deadline_day_counts)
    )
    due_soon = current_app.config["DUE_SOON_DAYS"]
    overdue: dict[int, int] = defaultdict(int)
    for unit_id, status, day, day_counts, items in db.session.execute(query):
        if deadline_state(_day(day), status, None, on, due_soon,
                          day_counts) is DeadlineState.OVERDUE:
            overdue[unit_id] += items
    return overdue


def _groups(first_year: int, last_year: int, on: date, by,
            with_returns: bool = False) -> list[Group]:
    """The counted items of these years grouped by `by` (Directive.id or Progress.unit_id) and
    by what decides their deadline state, each group's state from `deadline_state`: two
    statements (the deadlines of the period, then the groups)."""
    granted = ExtensionStatus.GRANTED
    deadline = _deadline()
    deadlines = set(db.session.scalars(union(
        select(Task.deadline).join(Directive, Directive.id == Task.directive_id)
        .where(Directive.year.between(first_year, last_year), Task.deadline.is_not(None)),
        select(Extension.granted_deadline).where(Extension.status == granted,
                                                 Extension.granted_deadline.is_not(None)),
    )))
    if deadlines:
        cutoff = case(
            (Directive.deadline_day_counts,
             case({day: late_from(day, True) for day in deadlines}, value=deadline)),
            else_=case({day: late_from(day, False) for day in deadlines}, value=deadline))
        late = case((Progress.submitted_at.is_(None), null()),
                    else_=Progress.submitted_at >= cutoff)
    else:
        late = null()
    late = case((Progress.status == ProgressStatus.APPROVED, late))
    # "+ 0" keeps SQLite from reading the items through the unit's index, one by one.
    grouped = by + 0 if by is Progress.unit_id else by
    query = (
        select(grouped, Progress.status, deadline.label("deadline"), Directive.deadline_day_counts,
               late.label("late"), func.count())
        .select_from(Progress)
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(*_counted(first_year, last_year))
        .group_by(grouped, Progress.status, deadline,
                  Directive.deadline_day_counts, late)
    )
    if with_returns:
        returns = _returns()
        query = query.add_columns(func.count(returns.c.n), func.sum(returns.c.n)).outerjoin(
            returns, returns.c.item_id == Progress.id)
    due_soon = current_app.config["DUE_SOON_DAYS"]
    groups = []
    for key_id, status, day, day_counts, is_late, items, *returned in (
            db.session.execute(query)):
        returned_items, returns_sum = returned or (0, 0)
        day = _day(day)
        # One submission moment standing for the group's: at the first late moment, or just
        # before it.
        first_late = late_from(day, day_counts)
        submitted = None if is_late is None or first_late is None else (
            first_late if is_late else first_late - timedelta(microseconds=1))
        state = deadline_state(day, status, submitted, on, due_soon, day_counts)
        groups.append(Group(key_id, state, day, last_day(day, day_counts), items,
                            returned_items, int(returns_sum or 0)))
    return groups


def _units_per_directive(first_year: int, last_year: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(Task.directive_id, func.count(Progress.unit_id.distinct()))
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(*_counted(first_year, last_year))
        .group_by(Task.directive_id)).all())


# --- the overview: every directive of the period ----------------------------------------------


@dataclass
class DirectiveLine:
    id: int
    title: str
    number: str
    year: int
    status: DirectiveStatus
    copied_from_id: int | None = None
    figures: Figures = field(default_factory=Figures)
    units: int = 0
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
    behind: list[tuple[UnitRow, int]]  # the units with the most overdue items, most first


BEHIND_COUNT = 15


def overview(period: Period, on: date, sort: str = "overdue") -> Overview:
    """Every published directive of the period with its figures, most overdue first (or as
    `sort` says), and the units with the most overdue items across them: six statements,
    whatever the number of directives and units."""
    lines = {
        d.id: DirectiveLine(d.id, d.title, d.number, d.year, d.status, d.copied_from_id)
        for d in db.session.execute(
            select(Directive.id, Directive.title, Directive.number, Directive.year,
                   Directive.status, Directive.copied_from_id)
            .where(Directive.year.between(period.first, period.last),
                   Directive.status != DirectiveStatus.DRAFT))
    }
    totals = Figures()
    for group in _groups(period.first, period.last, on, Directive.id):
        line = lines[group.key]
        line.figures.count(group.state, group.items)
        totals.count(group.state, group.items)
        if group.state in IN_PROGRESS and group.last_day and group.last_day >= on and (
                line.next_deadline is None or group.last_day < line.next_deadline):
            line.next_deadline = group.last_day
    for directive_id, units in _units_per_directive(period.first, period.last).items():
        lines[directive_id].units = units
    key = SORTS.get(sort, SORTS["overdue"])[1]
    ordered = sorted(lines.values(), key=lambda d: (*key(d), -d.year, sort_key(d.title)))
    overdue = _overdue_by_unit(period.first, period.last, on)
    worst = sorted(overdue, key=lambda unit_id: -overdue[unit_id])[:BEHIND_COUNT]
    units = {
        row.id: UnitRow(row.id, row.name, row.kind)
        for row in db.session.execute(select(Unit.id, Unit.name, Unit.kind)
                                      .where(Unit.id.in_(worst)))
    } if worst else {}
    behind = sorted(((units[unit_id], overdue[unit_id]) for unit_id in worst),
                    key=lambda pair: (-pair[1], sort_key(pair[0].name)))
    return Overview(period, on, ordered, totals, behind)


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
    findings: tuple[int, int] = (0, 0)  # the unit's findings in the period: (all, fixed)
    previous_findings: tuple[int, int] = (0, 0)

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
    items = _items(before.first, period.last, on, unit_id=unit.id)
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
    findings = _findings_by_year(unit.id, before.first, period.last)
    return Scorecard(unit, period, on, now, previous, directives,
                     _summed(findings, period.first, period.last),
                     _summed(findings, before.first, before.last))


def _findings_by_year(unit_id: int, first_year: int, last_year: int) -> dict[int, tuple]:
    """A unit's findings (not withdrawn, on items shown) and how many it fixed, per year of
    their directive, in one statement."""
    rows = db.session.execute(
        select(Directive.year, func.count(Finding.id),
               func.count(Finding.id).filter(Finding.answer == FindingAnswer.FIXED))
        .join(Progress, Progress.id == Finding.progress_id)
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Progress.unit_id == unit_id, Finding.withdrawn.is_(False),
               Progress.hidden.is_(False), Task.withdrawn.is_(False),
               Directive.status != DirectiveStatus.DRAFT,
               Directive.year.between(first_year, last_year))
        .group_by(Directive.year)
    )
    return {year: (total, fixed) for year, total, fixed in rows}


def _summed(by_year: dict[int, tuple], first_year: int, last_year: int) -> tuple[int, int]:
    counted = [value for year, value in by_year.items() if first_year <= year <= last_year]
    return (sum(total for total, _ in counted), sum(fixed for _, fixed in counted))


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
    figures: dict[int, Figures] = defaultdict(Figures)
    for group in _groups(period.first, period.last, on, Progress.unit_id, with_returns=True):
        figures[group.key].count(group.state, group.items, group.returned_items, group.returns)
    units = {
        row.id: UnitRow(row.id, row.name, row.kind)
        for row in db.session.execute(select(Unit.id, Unit.name, Unit.kind)
                                      .where(Unit.id.in_(list(figures))))
    } if figures else {}
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



# --- year over year: a directive beside the one of the cycle before it was copied from ---------


@dataclass
class Change:
    """One unit's or one task's figures in this cycle and the one before."""

    name: str
    now: Figures
    before: Figures | None  # None: not in the cycle before
    unit_id: int | None = None

    def change(self, name: str) -> int | None:
        if self.before is None or not self.before.assigned or not self.now.assigned:
            return None
        return getattr(self.now, name) - getattr(self.before, name)

    @property
    def verdict(self) -> str:
        """Better, worse or the same, on time first, then done."""
        on_time, done = self.change("on_time_percent"), self.change("percent")
        if on_time is None:
            return "Không có ở chu kỳ trước"
        if on_time > 0 or (on_time == 0 and done > 0):
            return "Tiến bộ"
        if on_time < 0 or done < 0:
            return "Giảm"
        return "Không đổi"


@dataclass
class Comparison:
    directive: Directive
    previous: Directive | None
    units: list[Change]
    tasks: list[Change]
    on: date


def comparison(directive: Directive, on: date) -> Comparison:
    """The directive beside the one it was copied from, per unit and per task (matched by its
    code): three statements."""
    previous = (db.session.get(Directive, directive.copied_from_id)
                if directive.copied_from_id else None)
    if previous is None or previous.is_draft:
        return Comparison(directive, None, [], [], on)
    items = _items(min(directive.year, previous.year), max(directive.year, previous.year), on,
                   directive_ids=(directive.id, previous.id))
    units: dict[int, list[Figures]] = defaultdict(lambda: [Figures(), Figures()])
    tasks: dict[str, list] = {}
    for item in items:
        side = 0 if item.directive_id == directive.id else 1
        units[item.unit_id][side].add(item)
        entry = tasks.setdefault(item.code, [item.title, Figures(), Figures()])
        if side == 0:
            entry[0] = item.title
        entry[1 + side].add(item)
    names = dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(list(units)))).all()) if units else {}
    unit_changes = sorted(
        (Change(names[unit_id], now, before if before.assigned else None, unit_id)
         for unit_id, (now, before) in units.items() if now.assigned),
        key=lambda c: (c.change("on_time_percent") is None,
                       c.change("on_time_percent") or 0, sort_key(c.name)))
    task_changes = [Change(f"{code} {title}", now, before if before.assigned else None)
                    for code, (title, now, before) in tasks.items() if now.assigned]
    return Comparison(directive, previous, unit_changes, task_changes, on)
