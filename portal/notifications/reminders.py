"""Deadline reminders and daily digests (`flask --app portal remind`, run once a day), and the
reminders ("Nhắc nhở") Phòng Nội vụ sends from the matrix.

Open work is an item its unit still has to act on: shown, its own (not phối hợp), of an open
directive, and neither sent for review nor approved. Its deadline is the one that counts: a
granted extension's, else the task's. Days are the city's calendar days (portal/deadlines.py),
and "quá hạn" starts the day after the deadline, as on every screen.

When a deadline reminder is given. Each window is reminded once per item and deadline:
7 days before (4 to 7 days left), 3 days (2 or 3 left), 1 day (the day before, and the deadline
day itself) and overdue (from the day after the deadline). A run gives the reminder of the window
its day is in, if that one was not given yet. So a run missed on the 7-day day is caught up while
4 or more days are left, but never once the 3-day window has begun: a "7 days" reminder with two
days left would be stale, and the 3-day one says more. DeadlineReminder records each reminder
given, so that any number of runs gives it once; a moved deadline (a task's new date, a granted
extension) is a new deadline and is reminded afresh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import String, cast, insert, literal_column, select, union_all

from .. import audit
from ..deadlines import DeadlineState, deadline_state, deadline_text, last_day, utcnow
from ..extensions import db
from ..formatting import format_date
from ..models import (
    DeadlineReminder,
    Directive,
    DirectiveStatus,
    Extension,
    ExtensionStatus,
    Notification,
    Progress,
    ProgressStatus,
    Role,
    Task,
    Unit,
    UnitKind,
    User,
)
from ..vietnamese import sort_key
from . import notify, path_for, reviewers

# What a unit still has to act on: sent for review, the next move is Phòng Nội vụ's.
OPEN_STATUSES = tuple(status for status in ProgressStatus if status.editable_by_unit)
# The reminders before a deadline and the days left from which each is due, loosest first.
SOON = (("7", 7), ("3", 3), ("1", 1))
OVERDUE = "overdue"
# How a digest orders its lines: the most urgent first.
URGENCY = (DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.ON_TRACK,
           DeadlineState.NOT_STARTED)
TITLE_MAX = 300


def threshold_due(deadline: date, on: date) -> str | None:
    """The reminder an open item is due on a day: the window the day is in, or None."""
    left = (deadline - on).days
    if left < 0:
        return OVERDUE
    due = None
    for name, days in SOON:
        if left <= days:
            due = name
    return due


@dataclass(frozen=True)
class OpenItem:
    """One item of open work, as a reminder or a digest tells it."""

    id: int
    unit_id: int
    unit_name: str
    unit_kind: UnitKind
    task_id: int
    code: str
    title: str
    position: int
    directive_id: int
    directive_title: str
    deadline: date | None
    extended: bool  # the deadline is a granted extension's
    state: DeadlineState
    day_counts: bool = True  # the directive's reading of its deadlines (portal/deadlines.py)

    @property
    def last_day(self) -> date | None:
        return last_day(self.deadline, self.day_counts)

    @property
    def name(self) -> str:
        return f"{self.code} {self.title}"

    def due_text(self) -> str:
        if self.deadline is None:
            return "không có hạn"
        return (f"hạn{' (đã gia hạn)' if self.extended else ''} "
                f"{deadline_text(self.deadline, self.day_counts)}")

    def line(self) -> str:
        """The item's line in a digest or a reminder."""
        return f"- {self.name}: {self.state.label}, {self.due_text()}"

    def urgency(self) -> tuple:
        return (URGENCY.index(self.state), self.deadline or date.max, self.position)


def _open_work(directive_id: int | None = None):
    """The condition of open work, over Progress joined to its Task and Directive."""
    condition = (
        (Directive.status == DirectiveStatus.OPEN) & Task.withdrawn.is_(False)
        & Progress.hidden.is_(False) & Progress.supporting.is_(False)
        & Progress.status.in_(OPEN_STATUSES)
    )
    if directive_id is not None:
        condition &= Task.directive_id == directive_id
    return condition


def open_items(on: date, directive_id: int | None = None) -> list[OpenItem]:
    """Every item of open work (of one directive, if given) with its state on `on`, in one
    statement."""
    due_soon = current_app.config["DUE_SOON_DAYS"]
    rows = db.session.execute(
        select(Progress.id, Progress.unit_id, Unit.name, Unit.kind, Progress.status,
               Task.id, Task.code, Task.title, Task.position, Task.deadline,
               Directive.id, Directive.title, Directive.deadline_day_counts, Extension.status,
               Extension.granted_deadline)
        .join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Unit, Unit.id == Progress.unit_id)
        .outerjoin(Extension, Extension.progress_id == Progress.id)
        .where(_open_work(directive_id))
        .order_by(Directive.id, Task.position, Progress.unit_id)
    ).all()
    items = []
    for (item_id, unit_id, unit_name, unit_kind, status, task_id, code, title, position,
         task_deadline, directive_id_, directive_title, day_counts, extension_status,
         granted) in rows:
        extended = extension_status is ExtensionStatus.GRANTED and granted is not None
        deadline = granted if extended else task_deadline
        items.append(OpenItem(
            item_id, unit_id, unit_name, unit_kind, task_id, code, title, position,
            directive_id_, directive_title, deadline, extended,
            deadline_state(deadline, status, None, on, due_soon, day_counts), day_counts,
        ))
    return items


def staff_by_unit(unit_ids) -> dict[int, list[User]]:
    """The active staff of these units, in one statement: whom a unit's notification tells."""
    staff: dict[int, list[User]] = defaultdict(list)
    if unit_ids:
        for user in db.session.scalars(
            select(User).where(User.unit_id.in_(list(unit_ids)), User.role == Role.UNIT,
                               User.active).order_by(User.id)
        ):
            staff[user.unit_id].append(user)
    return staff


def _clip(text: str, limit: int = TITLE_MAX) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _by_unit(items: list[OpenItem]) -> dict[int, list[OpenItem]]:
    grouped: dict[int, list[OpenItem]] = defaultdict(list)
    for item in items:
        grouped[item.unit_id].append(item)
    return grouped


def _lines_by_directive(items: list[OpenItem]) -> str:
    """Items under their directive's title, the most urgent first."""
    grouped: dict[int, list[OpenItem]] = defaultdict(list)
    for item in items:
        grouped[item.directive_id].append(item)
    parts = []
    for group in grouped.values():
        lines = [item.line() for item in sorted(group, key=OpenItem.urgency)]
        parts.append("\n".join([f"Văn bản: {group[0].directive_title}", *lines]))
    return "\n\n".join(parts)


# --- the daily run -------------------------------------------------------------------------------


@dataclass
class RemindOutcome:
    """What a run of `remind` created."""

    on: date
    soon: int = 0  # items reminded 7, 3 or 1 days before their deadline
    overdue: int = 0  # items reminded that their deadline has passed
    notifications: int = 0  # bell notifications, digests included
    unit_digests: int = 0
    overdue_digest: bool = False

    @property
    def created_anything(self) -> bool:
        return bool(self.soon or self.overdue or self.notifications)

    def summary(self) -> list[str]:
        """The run in a few Vietnamese lines, for the command's output (and cron's mail)."""
        day = format_date(self.on)
        if not self.created_anything:
            return [f"Nhắc hạn ngày {day}: không có gì mới (đã nhắc, đã gửi tổng hợp của ngày "
                    "này, hoặc không có việc cần nhắc)."]
        return [
            f"Nhắc hạn ngày {day}:",
            f"- sắp đến hạn (7, 3, 1 ngày): {self.soon} nhiệm vụ",
            f"- quá hạn: {self.overdue} nhiệm vụ",
            f"- tổng hợp việc còn mở: {self.unit_digests} đơn vị",
            "- tổng hợp đơn vị có nhiệm vụ quá hạn cho Phòng Nội vụ: "
            + ("đã gửi" if self.overdue_digest else "không có"),
            f"Đã tạo {self.notifications} thông báo.",
        ]


def remind(on: date) -> RemindOutcome:
    """Give the deadline reminders due on the city's day `on`, and that day's digests; commit.

    Any number of runs for one day creates each reminder and digest once.
    """
    items = open_items(on)
    outcome = RemindOutcome(on)
    staff = staff_by_unit({item.unit_id for item in items})
    _deadline_reminders(items, on, staff, outcome)
    _digests(items, on, staff, outcome)
    db.session.commit()
    return outcome


def _deadline_reminders(items: list[OpenItem], on: date, staff, outcome: RemindOutcome) -> None:
    in_open_work = (
        select(Progress.id).join(Task, Task.id == Progress.task_id)
        .join(Directive, Directive.id == Task.directive_id).where(_open_work())
    )
    given = set(db.session.execute(
        select(DeadlineReminder.progress_id, DeadlineReminder.threshold, DeadlineReminder.deadline)
        .where(DeadlineReminder.progress_id.in_(in_open_work))
    ).all())
    now = utcnow()
    new = []
    for item in items:
        if item.deadline is None:
            continue
        threshold = threshold_due(item.last_day, on)
        if threshold is None or (item.id, threshold, item.deadline) in given:
            continue
        new.append({"progress_id": item.id, "threshold": threshold, "deadline": item.deadline,
                    "sent_at": now})
        left = (item.last_day - on).days
        if threshold == OVERDUE:
            kind, title = "deadline.passed", f"Đã quá hạn: {item.name}"
            ask = (f"Đã quá hạn {-left} ngày. Hãy hoàn thành và gửi Phòng Nội vụ duyệt sớm, "
                   "kèm giải trình nộp muộn.")
            outcome.overdue += 1
        else:
            kind = "deadline.soon"
            title = (f"Hôm nay là hạn cuối: {item.name}" if left == 0
                     else f"Còn {left} ngày đến hạn: {item.name}")
            ask = "Hãy hoàn thành và gửi Phòng Nội vụ duyệt trước hạn."
            outcome.soon += 1
        body = (f"Văn bản: {item.directive_title}\nNhiệm vụ: {item.name}\n"
                f"Hạn{' (đã gia hạn)' if item.extended else ''}: "
                f"{deadline_text(item.deadline, item.day_counts)}\n"
                f"{ask}")
        outcome.notifications += len(notify(
            staff.get(item.unit_id, []), kind, _clip(title), body=body,
            url=path_for("checklist.item", item_id=item.id), progress_id=item.id,
            directive_id=item.directive_id, unit_id=item.unit_id,
        ))
    if new:
        db.session.execute(insert(DeadlineReminder), new)


def _digests(items: list[OpenItem], on: date, staff, outcome: RemindOutcome) -> None:
    """One digest per unit with open work, and one for the reviewers when any is overdue; each
    once a day (its dedupe key names the day)."""
    by_unit = _by_unit(items)
    unit_keys = {unit_id: f"digest.unit:{unit_id}:{on.isoformat()}" for unit_id in by_unit}
    overdue_key = f"digest.overdue:{on.isoformat()}"
    made = set(db.session.scalars(
        select(Notification.dedupe_key).distinct()
        .where(Notification.dedupe_key.in_([*unit_keys.values(), overdue_key]))
    ))
    day = format_date(on)
    for unit_id, unit_items in by_unit.items():
        if unit_keys[unit_id] in made:
            continue
        overdue = sum(item.state is DeadlineState.OVERDUE for item in unit_items)
        soon = sum(item.state is DeadlineState.DUE_SOON for item in unit_items)
        title = f"Tổng hợp ngày {day}: {len(unit_items)} nhiệm vụ còn mở"
        title += f", {overdue} quá hạn" if overdue else ""
        title += f", {soon} sắp đến hạn" if soon else ""
        directives = {item.directive_id for item in unit_items}
        directive_id = next(iter(directives)) if len(directives) == 1 else None
        url = (path_for("checklist.unit_checklist", directive_id=directive_id, unit_id=unit_id)
               if directive_id else path_for("checklist.directives"))
        told = notify(staff.get(unit_id, []), "digest.unit", title,
                      body=_lines_by_directive(unit_items), url=url, directive_id=directive_id,
                      unit_id=unit_id)
        # The day's keys were looked up above, at once: notify's own check would cost a query
        # per user. The key still makes a concurrent run's copy fail (unique per user and key).
        for notification in told:
            notification.dedupe_key = unit_keys[unit_id]
        outcome.notifications += len(told)
        outcome.unit_digests += bool(told)

    overdue_items = [item for item in items if item.state is DeadlineState.OVERDUE]
    if not overdue_items or overdue_key in made:
        return
    title, details = _overdue_digest(overdue_items, day)
    told = notify(reviewers(), "digest.overdue", title, dedupe_key=overdue_key, **details)
    outcome.notifications += len(told)
    outcome.overdue_digest = bool(told)


def _overdue_digest(items: list[OpenItem], day: str):
    """The reviewers' digest: per directive, the units with overdue items and how many."""
    kinds = list(UnitKind)
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, tuple] = {}
    titles: dict[int, str] = {}
    for item in items:
        counts[item.directive_id][item.unit_id] += 1
        names[item.unit_id] = (item.unit_name, item.unit_kind)
        titles[item.directive_id] = item.directive_title
    parts = []
    for directive_id, per_unit in counts.items():
        order = sorted(per_unit, key=lambda unit_id: (
            -per_unit[unit_id], kinds.index(names[unit_id][1]), sort_key(names[unit_id][0])))
        parts.append("\n".join([f"Văn bản: {titles[directive_id]}", *(
            f"- {names[unit_id][0]}: {per_unit[unit_id]} nhiệm vụ quá hạn" for unit_id in order)]))
    units = len({item.unit_id for item in items})
    title = f"Tổng hợp ngày {day}: {units} đơn vị có {len(items)} nhiệm vụ quá hạn"
    if len(counts) == 1:
        [directive_id] = counts
        url = path_for("review.matrix", directive_id=directive_id, overdue=1)
    else:
        directive_id, url = None, path_for("checklist.directives")
    return title, {"body": "\n\n".join(parts), "url": url, "directive_id": directive_id}


# --- Phòng Nội vụ's reminders from the matrix ----------------------------------------------------

SCOPES = ("unit", "task", "overdue")


class NobodyToRemind(ValueError):
    """The chosen scope holds no open work to remind of; the message says so in Vietnamese."""


@dataclass(frozen=True)
class RemindTargets:
    """Whom a reminder on a directive may name: the units its items reach, in the matrix's
    order, and its tasks in force, in the letter's."""

    units: list[tuple[int, str, UnitKind]]
    tasks: list[tuple[int, str, str]]  # id, code, title


def remind_targets(directive_id: int) -> RemindTargets:
    """The units and tasks of a directive, in one statement (the matrix page counts its
    statements, and this is one of them)."""
    reached = (
        select(Progress.unit_id).join(Task, Task.id == Progress.task_id)
        .where(Task.directive_id == directive_id, Task.withdrawn.is_(False),
               Progress.hidden.is_(False))
    )
    units = select(literal_column("'unit'"), Unit.id, Unit.name, cast(Unit.kind, String),
                   Unit.position).where(Unit.id.in_(reached))
    tasks = select(literal_column("'task'"), Task.id, Task.code, Task.title,
                   Task.position).where(Task.directive_id == directive_id,
                                        Task.withdrawn.is_(False))
    rows = db.session.execute(union_all(units, tasks)).all()
    kinds = list(UnitKind)
    found_units = sorted(
        ((row[1], row[2], UnitKind(row[3])) for row in rows if row[0] == "unit"),
        key=lambda unit: (kinds.index(unit[2]), sort_key(unit[1])),
    )
    found_tasks = [(row[1], row[2], row[3])
                   for row in sorted((row for row in rows if row[0] == "task"),
                                     key=lambda row: row[4])]
    return RemindTargets(found_units, found_tasks)


@dataclass(frozen=True)
class Reminded:
    units: int
    items: int
    notifications: int


def send_reminder(directive: Directive, user: User, scope: str, message: str, on: date, *,
                  unit_id: int | None = None, task_id: int | None = None) -> Reminded:
    """Remind units of their open work in a directive, with Phòng Nội vụ's message: one unit,
    the units that have not done one task, or every unit with overdue items. Each unit's staff
    are told; each item concerned records the reminder in its history. Commits."""
    items = open_items(on, directive.id)
    if scope == "unit":
        chosen = [item for item in items if item.unit_id == unit_id]
        nobody = ("Đơn vị này không còn nhiệm vụ nào phải thực hiện trong văn bản "
                  "(đã gửi duyệt hoặc đã Đạt).")
    elif scope == "task":
        chosen = [item for item in items if item.task_id == task_id]
        nobody = ("Không còn đơn vị nào phải thực hiện nhiệm vụ này "
                  "(đã gửi duyệt hoặc đã Đạt).")
    elif scope == "overdue":
        chosen = [item for item in items if item.state is DeadlineState.OVERDUE]
        nobody = "Không có đơn vị nào có nhiệm vụ quá hạn."
    else:
        raise ValueError(f"unknown scope {scope!r}")
    if not chosen:
        raise NobodyToRemind(nobody)

    by_unit = _by_unit(chosen)
    staff = staff_by_unit(by_unit)
    targets = {item.id: item for item in db.session.scalars(
        select(Progress).where(Progress.id.in_([item.id for item in chosen]))
    )}
    first_line = " ".join(message.split())
    told = 0
    for unit_id_, unit_items in by_unit.items():
        single = unit_items[0] if len(unit_items) == 1 else None
        url = (path_for("checklist.item", item_id=single.id) if single else path_for(
            "checklist.unit_checklist", directive_id=directive.id, unit_id=unit_id_))
        body = (f"{message}\n\nVăn bản: {directive.title}\n"
                + "\n".join(item.line() for item in sorted(unit_items, key=OpenItem.urgency)))
        told += len(notify(
            staff.get(unit_id_, []), "reminder", _clip(f"Phòng Nội vụ nhắc nhở: {first_line}"),
            body=body, url=url, progress_id=single.id if single else None,
            directive_id=directive.id, unit_id=unit_id_,
        ))
        for item in unit_items:
            audit.record("reminder.send", targets[item.id], unit_id=unit_id_, user=user,
                         after={"message": message, "scope": scope})
    db.session.commit()
    return Reminded(len(by_unit), len(chosen), told)
