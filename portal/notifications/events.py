"""What each event of the portal tells whom, in the words a unit or Phòng Nội vụ reads, and where
the notification leads. The checklist, the review and a directive's life call these in the
transaction of their change; nothing here commits.

A unit's notifications lead to its item (or its checklist, for a whole directive); Phòng Nội vụ's
to the item, or to the matrix showing the unit when several items are counted on one line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from ..deadlines import deadline_text
from ..extensions import db
from ..formatting import format_date
from ..models import Directive, Extension, ExtensionStatus, Progress, Task, Unit, User
from . import notify, notify_reviewers, notify_unit, notify_units, path_for, unit_heads


def _task(item: Progress) -> Task:
    # Through the session, not `item.task`: callers load items in different ways.
    return db.session.get(Task, item.task_id)


def _directive(task: Task) -> Directive:
    return db.session.get(Directive, task.directive_id)


def _named(task: Task) -> str:
    return f"{task.code} «{task.title}»"


def _day(value: date | None) -> str:
    return format_date(value) if value else "(không có hạn)"


def _item_link(item_id: int) -> str:
    return path_for("checklist.item", item_id=item_id)


def _about_item(item: Progress) -> dict:
    task = _task(item)
    return {"url": _item_link(item.id), "progress_id": item.id,
            "directive_id": task.directive_id}


# --- told to a unit ----------------------------------------------------------------------------


def directive_reached(directive: Directive, added: Iterable[tuple[int, int]]) -> None:
    """A directive was published: each unit it reaches is told once, with its number of tasks."""
    tasks_per_unit = Counter(unit_id for _, unit_id in added)
    notify_units("directive.reached", [
        (unit_id, f"Văn bản mới giao nhiệm vụ cho đơn vị: «{directive.title}»", {
            "body": (f"Số {directive.number}. " if directive.number else "")
            + f"Đơn vị có {count} nhiệm vụ theo văn bản này.",
            "url": path_for("checklist.unit_checklist", directive_id=directive.id,
                            unit_id=unit_id),
            "directive_id": directive.id,
        })
        for unit_id, count in sorted(tasks_per_unit.items())
    ])


def tasks_reached(directive: Directive, added: Iterable[tuple[int, int]],
                  restored: Iterable[tuple[int, int]]) -> None:
    """Tasks of a published directive newly reach units (a task added, an audience widened, a
    withdrawn task restored): each unit is told of each task, linked to its item."""
    added, restored = list(added), set(restored)
    pairs = added + sorted(restored)
    if not pairs:
        return
    task_ids = {task_id for task_id, _ in pairs}
    items = {
        (row.task_id, row.unit_id): row.id
        for row in db.session.execute(
            select(Progress.id, Progress.task_id, Progress.unit_id)
            .where(Progress.task_id.in_(task_ids))
        )
    }
    messages = []
    for task_id, unit_id in pairs:
        task = db.session.get(Task, task_id)
        if (task_id, unit_id) in restored:
            title = f"Nhiệm vụ {_named(task)} được giao lại cho đơn vị"
            body = "Những gì đơn vị đã ghi nhận trước đây được giữ nguyên. "
        else:
            title = f"Nhiệm vụ mới cho đơn vị: {_named(task)}"
            body = ""
        body += (f"Văn bản «{directive.title}». Hạn: "
                 f"{deadline_text(task.deadline, directive.deadline_day_counts)}.")
        item_id = items[(task_id, unit_id)]
        messages.append((unit_id, title, {"body": body, "url": _item_link(item_id),
                                          "progress_id": item_id,
                                          "directive_id": directive.id}))
    notify_units("task.added", messages)


def task_deadline_moved(task: Task, directive: Directive, old: date | None, new: date | None,
                        skip_units: set[int] = frozenset()) -> None:
    """A task's deadline changed: every unit it reaches is told old and new (but those it has
    just reached, which never had the old one)."""
    items = db.session.execute(
        select(Progress.id, Progress.unit_id, Extension.granted_deadline)
        .outerjoin(Extension, (Extension.progress_id == Progress.id)
                   & (Extension.status == ExtensionStatus.GRANTED))
        .where(Progress.task_id == task.id, Progress.hidden.is_(False))
        .order_by(Progress.unit_id)
    ).all()
    messages = []
    for item_id, unit_id, extended in items:
        if unit_id in skip_units:
            continue
        body = (f"Văn bản «{directive.title}». Hạn mới: "
                f"{deadline_text(new, directive.deadline_day_counts)}.")
        if extended:  # the unit's own deadline is the extension's, which stands
            body += f" Đơn vị đã được gia hạn đến {format_date(extended)}; hạn này vẫn áp dụng."
        messages.append((unit_id, f"Hạn nhiệm vụ {_named(task)} đổi từ {_day(old)} thành "
                                  f"{_day(new)}",
                         {"body": body, "url": _item_link(item_id), "progress_id": item_id,
                          "directive_id": directive.id}))
    notify_units("task.deadline", messages)


def item_approved(item: Progress, comment: str = "") -> None:
    """Approved items of one directive are counted on one line while the unit has not read it
    (a reviewer approving twenty at once sends one)."""
    task = _task(item)
    directive = _directive(task)
    notify_unit(
        item.unit_id, "review.approved", f"Nhiệm vụ {_named(task)} được duyệt: Đạt",
        body=comment, **_about_item(item),
        group_key=f"approved:{directive.id}:{item.unit_id}",
        group_title=f"{{count}} nhiệm vụ của văn bản «{directive.title}» được duyệt: Đạt",
        group_url=path_for("checklist.unit_checklist", directive_id=directive.id,
                           unit_id=item.unit_id),
    )


def item_returned(item: Progress, comment: str) -> None:
    task = _task(item)
    notify_unit(item.unit_id, "review.returned",
                f"Nhiệm vụ {_named(task)} bị trả lại: Yêu cầu bổ sung",
                body=f"Nội dung cần bổ sung: {comment.strip()}", **_about_item(item))


def extension_decided(item: Progress, extension: Extension) -> None:
    task = _task(item)
    if extension.granted_deadline is not None:
        title = (f"Đồng ý gia hạn nhiệm vụ {_named(task)} đến "
                 f"{format_date(extension.granted_deadline)}")
    else:
        title = (f"Không đồng ý gia hạn nhiệm vụ {_named(task)}; hạn vẫn là "
                 f"{_day(task.deadline)}")
    notify_unit(item.unit_id, "extension.decided", title, body=extension.decision_note,
                **_about_item(item))


# --- told inside a unit: its head and its officers ------------------------------------------


def item_assigned(item: Progress, officers: Iterable[User], by: User,
                  due_on: date | None, note: str) -> None:
    """The officers an item was just handed to (phân công) are told, with the head's note and
    internal due date."""
    task = _task(item)
    directive = _directive(task)
    deadline = deadline_text(item.deadline, directive.deadline_day_counts)
    body = f"Văn bản «{directive.title}». Hạn: {deadline}."
    if due_on:
        body += f" Hạn nội bộ: {format_date(due_on)}."
    if note.strip():
        body += f" Ghi chú của lãnh đạo: {note.strip()}"
    notify(officers, "item.assigned", f"{by.display_name} giao cho bạn nhiệm vụ {_named(task)}",
           body=body, unit_id=item.unit_id, **_about_item(item))


def sign_off_requested(item: Progress, officer: User) -> None:
    """An officer sent an item up (trình lãnh đạo đơn vị): the unit's heads are told."""
    task = _task(item)
    notify(unit_heads(item.unit_id), "signoff.requested",
           f"{officer.display_name} trình nhiệm vụ {_named(task)}",
           body="Xem lại rồi «Gửi duyệt» lên Phòng Nội vụ, hoặc trả lại cán bộ kèm ý kiến.",
           unit_id=item.unit_id, **_about_item(item))


def sign_off_returned(item: Progress, head: User, officers: Iterable[User], comment: str) -> None:
    """The head returned an item to whoever prepared it (and its assignees), with a comment."""
    task = _task(item)
    notify(officers, "signoff.returned",
           f"{head.display_name} trả lại nhiệm vụ {_named(task)}",
           body=f"Ý kiến của lãnh đạo: {comment.strip()}", unit_id=item.unit_id,
           **_about_item(item))


# --- told to Phòng Nội vụ ----------------------------------------------------------------------


def item_submitted(item: Progress) -> None:
    """Submissions of one unit for one directive are counted on one line while unread; a late
    one also brings its explanation (giải trình) on a line of its own."""
    task = _task(item)
    directive = _directive(task)
    unit = db.session.get(Unit, item.unit_id)
    notify_reviewers(
        "items.submitted", f"{unit.name} gửi duyệt nhiệm vụ {_named(task)}",
        body=f"Văn bản «{directive.title}». Gửi gần nhất: nhiệm vụ {_named(task)}.",
        unit_id=unit.id, **_about_item(item),
        group_key=f"submitted:{directive.id}:{unit.id}",
        group_title=f"{unit.name} gửi duyệt {{count}} nhiệm vụ",
        group_url=path_for("review.matrix", directive_id=directive.id, q=unit.name),
    )
    if item.late_reason:
        notify_reviewers(
            "late.explained", f"{unit.name} gửi sau hạn nhiệm vụ {_named(task)}, có giải trình",
            body=f"Giải trình: {item.late_reason}", unit_id=unit.id, **_about_item(item),
        )


def extension_requested(item: Progress, extension: Extension) -> None:
    task = _task(item)
    unit = db.session.get(Unit, item.unit_id)
    notify_reviewers(
        "extension.requested",
        f"{unit.name} xin gia hạn nhiệm vụ {_named(task)} đến "
        f"{format_date(extension.proposed_deadline)}",
        body=f"Lý do: {extension.reason} (hạn hiện tại: {_day(task.deadline)})",
        unit_id=unit.id, **_about_item(item),
    )
