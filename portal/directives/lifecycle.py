"""A directive's life after it is written: publish it, change it while units work on it, close,
archive and reopen it, and copy it to the next cycle.

One rule holds throughout: a unit's recorded progress is never deleted. `sync_progress` makes the
records match the tasks' audiences; a record whose task stops reaching the unit is hidden, and
shown again, with all it held, if the task reaches the unit once more. Every change is audited,
and a unit reads the changes that concern it from the audit log (`changes_for`); while the
directive is open, its staff are also told in the bell (a directive reaching them, a task added
or given back, a deadline moved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..formatting import format_date
from ..items import findings
from ..models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Inspection,
    Progress,
    Section,
    Task,
    TaskKind,
    Unit,
)
from ..notifications import events as notify
from .audience import DirectiveFileError, resolve_audience

# Task fields an editor changes; what a unit is told when one of them changes.
TASK_FIELDS = {
    "title": "tên nhiệm vụ",
    "text": "nội dung",
    "kind": "loại",
    "measure": "cách đo",
    "measure_unit": "đơn vị tính",
    "target": "chỉ tiêu",
    "target_at_most": "chiều chỉ tiêu",
    "evidence_hint": "tài liệu kiểm chứng gợi ý",
    "deadline": "hạn",
    "audience": "đơn vị thực hiện",
    "lead_unit_id": "đơn vị chủ trì",
    "section_id": "mục",
}
# Audit actions a unit is shown on its checklist, as "what changed".
UNIT_CHANGE_ACTIONS = ("progress.added", "progress.hidden", "progress.restored", "task.change")


class Refused(ValueError):
    """The change cannot be made; the message (Vietnamese) says why."""


@dataclass
class SyncResult:
    added: list[tuple[int, int]] = field(default_factory=list)  # (task id, unit id)
    hidden: list[tuple[int, int]] = field(default_factory=list)
    restored: list[tuple[int, int]] = field(default_factory=list)


def active_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.id)))


def inspected_ids(directive: Directive) -> set[int]:
    return set(db.session.scalars(
        select(Inspection.unit_id).where(Inspection.directive_id == directive.id)
    ))


def tasks_of(directive: Directive) -> list[Task]:
    return list(db.session.scalars(
        select(Task).where(Task.directive_id == directive.id).order_by(Task.position, Task.id)
    ))


def reached_unit_ids(task: Task, units: list[Unit], inspected: set[int]) -> set[int]:
    """The units a task reaches: its audience, and its lead unit whatever the audience says."""
    if task.withdrawn:
        return set()
    reached = {unit.id for unit in resolve_audience(task.audience, units, inspected)}
    if task.lead_unit_id is not None and any(u.id == task.lead_unit_id for u in units):
        reached.add(task.lead_unit_id)
    return reached


def sync_progress(directive: Directive, *, audit_changes: bool = True,
                  tell_units: bool = True) -> SyncResult:
    """Make the directive's progress records match its tasks' audiences: add the missing ones,
    hide those no longer reached, show again those reached once more. Records of deactivated
    units are left as they are. On an open directive, units a task newly reaches are told
    (`tell_units`)."""
    units = active_units()
    active = {unit.id for unit in units}
    inspected = inspected_ids(directive)
    tasks = tasks_of(directive)
    existing: dict[tuple[int, int], Progress] = {
        (item.task_id, item.unit_id): item
        for item in db.session.scalars(
            select(Progress).where(Progress.task_id.in_([task.id for task in tasks]))
        )
    }
    result = SyncResult()
    for task in tasks:
        reached = reached_unit_ids(task, units, inspected)
        for unit_id in sorted(reached):
            supporting = task.lead_unit_id is not None and unit_id != task.lead_unit_id
            item = existing.get((task.id, unit_id))
            if item is None:
                item = Progress(task_id=task.id, unit_id=unit_id, supporting=supporting)
                db.session.add(item)
                result.added.append((task.id, unit_id))
                continue
            if item.supporting != supporting:
                item.supporting = supporting
            if item.hidden:
                item.hidden = False
                result.restored.append((task.id, unit_id))
        for (task_id, unit_id), item in existing.items():
            if task_id == task.id and unit_id in active and unit_id not in reached \
                    and not item.hidden:
                item.hidden = True
                result.hidden.append((task.id, unit_id))
    db.session.flush()
    if audit_changes:
        by_id = {task.id: task for task in tasks}
        for action, pairs in (("progress.added", result.added),
                              ("progress.hidden", result.hidden),
                              ("progress.restored", result.restored)):
            for task_id, unit_id in pairs:
                task = by_id[task_id]
                audit.record(action, task, unit_id=unit_id,
                             after={"code": task.code, "title": task.title})
    if tell_units and directive.is_open:
        notify.tasks_reached(directive, result.added, result.restored)
    return result


def problems(directive: Directive) -> list[str]:
    """What stops the directive from being published, in Vietnamese; empty when nothing."""
    found = []
    tasks = [task for task in tasks_of(directive) if not task.withdrawn]
    if not tasks:
        found.append("Văn bản chưa có nhiệm vụ nào.")
    units = active_units()
    inspected = inspected_ids(directive)
    for task in tasks:
        name = f"Nhiệm vụ {task.code}"
        if not task.title.strip():
            found.append(f"{name} chưa có tên.")
        if task.kind is TaskKind.METRIC and task.measure is None:
            found.append(f"{name} là số liệu nhưng chưa chọn cách đo (tỷ lệ hay số lượng).")
        try:
            reached = reached_unit_ids(task, units, inspected)
        except DirectiveFileError as error:
            found.append(f"{name}: {error}")
            continue
        if not reached:
            found.append(f"{name} chưa giao cho đơn vị nào.")
    return found


def publish(directive: Directive, *, audit: bool = True, check: bool = True) -> SyncResult:
    """Put a draft in front of the units it reaches (`check`: refuse while `problems` finds
    any; a directive file is checked by its loader instead)."""
    if not directive.is_draft and directive.published_at is not None:
        raise Refused("Văn bản này đã được ban hành.")
    found = problems(directive) if check else []
    if found:
        raise Refused("Chưa ban hành được: " + " ".join(found))
    directive.status = DirectiveStatus.OPEN
    directive.published_at = utcnow()
    result = sync_progress(directive, audit_changes=False, tell_units=False)
    if directive.carry_findings_from_id:
        findings.carry_over(directive.carry_findings_from_id, directive.id)
    notify.directive_reached(directive, result.added)
    if audit:
        _record_directive("directive.publish", directive, units=len({u for _, u in result.added}))
    return result


def close(directive: Directive) -> None:
    _move(directive, DirectiveStatus.OPEN, DirectiveStatus.CLOSED, "directive.close",
          "Chỉ văn bản đang thực hiện mới kết thúc được.")
    directive.closed_at = utcnow()


def reopen(directive: Directive) -> None:
    _move(directive, DirectiveStatus.CLOSED, DirectiveStatus.OPEN, "directive.reopen",
          "Chỉ văn bản đã kết thúc mới mở lại được.")
    directive.closed_at = None


def archive(directive: Directive) -> None:
    _move(directive, DirectiveStatus.CLOSED, DirectiveStatus.ARCHIVED, "directive.archive",
          "Hãy kết thúc văn bản trước khi lưu trữ.")


def unarchive(directive: Directive) -> None:
    _move(directive, DirectiveStatus.ARCHIVED, DirectiveStatus.CLOSED, "directive.unarchive",
          "Văn bản này không ở trong lưu trữ.")


def _move(directive: Directive, source: DirectiveStatus, target: DirectiveStatus, action: str,
          refusal: str) -> None:
    if directive.status is not source:
        raise Refused(refusal)
    directive.status = target
    directive.revision += 1  # the matrix and its polls show the new state
    _record_directive(action, directive, before=source.value, after=target.value)


def _record_directive(action: str, directive: Directive, **details) -> None:
    audit.record(action, directive, after={"slug": directive.slug, "title": directive.title,
                                           **details})


def shift_year(day: date | None, years: int) -> date | None:
    """The same day `years` later; 29/02 becomes 28/02 in a year without it."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def copy_for_cycle(source: Directive, year: int, slug: str, title: str,
                   carry_findings: bool = False) -> Directive:
    """A draft for the next cycle: the same sections, tasks, audiences, lead units and inspected
    units, deadlines moved by the difference in years, no progress; the source is not changed."""
    if db.session.scalar(select(Directive.id).where(Directive.slug == slug)):
        raise Refused(f"Đã có văn bản với mã «{slug}».")
    years = year - source.year
    copy = Directive(
        slug=slug, number="", issuer=source.issuer, date_line="", issued_on=None, year=year,
        subject=source.subject, title=title, signer=source.signer,
        signer_title=source.signer_title, full_text=source.full_text,
        deadline_day_counts=source.deadline_day_counts,
        sign_off_required=source.sign_off_required,
        status=DirectiveStatus.DRAFT, copied_from_id=source.id,
        carry_findings_from_id=source.id if carry_findings else None,
    )
    db.session.add(copy)
    db.session.flush()
    sections = {}
    for section in db.session.scalars(
        select(Section).where(Section.directive_id == source.id).order_by(Section.position)
    ):
        sections[section.id] = Section(directive_id=copy.id, number=section.number,
                                       heading=section.heading, position=section.position)
        db.session.add(sections[section.id])
    db.session.flush()
    for task in tasks_of(source):
        if task.withdrawn:
            continue
        db.session.add(Task(
            directive_id=copy.id,
            section_id=sections[task.section_id].id if task.section_id else None,
            code=task.code, title=task.title, text=task.text, kind=task.kind,
            measure=task.measure, measure_unit=task.measure_unit, target=task.target,
            target_at_most=task.target_at_most, evidence_hint=task.evidence_hint,
            deadline=shift_year(task.deadline, years), position=task.position,
            audience=task.audience, lead_unit_id=task.lead_unit_id,
        ))
    for unit_id in inspected_ids(source):
        db.session.add(Inspection(directive_id=copy.id, unit_id=unit_id))
    db.session.flush()
    audit.record("directive.copy", copy, after={"slug": slug, "title": title, "year": year,
                                                "from": source.slug})
    return copy


def task_snapshot(task: Task) -> dict:
    """A task's editable fields as JSON-ready values, for the audit log."""
    values = {}
    for name in TASK_FIELDS:
        value = getattr(task, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        elif value is not None and not isinstance(value, (str, int, bool)):
            value = str(value)
        values[name] = value
    return values


def change_task(task: Task, directive: Directive, **values) -> dict:
    """Set the given fields on a task; audit what changed and, on a published directive, bring
    the units' records in line. Returns the changed fields with their old values."""
    before = task_snapshot(task)
    for name, value in values.items():
        if name not in TASK_FIELDS:
            raise KeyError(name)
        setattr(task, name, value)
    after = task_snapshot(task)
    changed = {name: before[name] for name in after if after[name] != before[name]}
    if not changed:
        return {}
    db.session.flush()
    audit.record("task.change", task,
                 before={"code": task.code, **{name: before[name] for name in changed}},
                 after={"code": task.code, "title": task.title,
                        **{name: after[name] for name in changed}})
    reached: set[int] = set()
    if not directive.is_draft and ({"audience", "lead_unit_id"} & changed.keys()):
        result = sync_progress(directive)
        reached = {unit_id for task_id, unit_id in result.added + result.restored
                   if task_id == task.id}
    if "deadline" in changed and directive.is_open:
        old = changed["deadline"]
        notify.task_deadline_moved(task, directive, date.fromisoformat(old) if old else None,
                                   task.deadline, skip_units=reached)
    return changed


def add_task(directive: Directive, **values) -> Task:
    """A new task at the end of its section (or of the directive); on a published directive it
    reaches its units at once."""
    tasks = tasks_of(directive)
    task = Task(directive_id=directive.id, position=max((t.position for t in tasks), default=0) + 1,
                **values)
    if any(t.code == task.code for t in tasks):
        raise Refused(f"Đã có nhiệm vụ mang số «{task.code}» trong văn bản này.")
    db.session.add(task)
    db.session.flush()
    audit.record("task.add", task, after={"code": task.code, **task_snapshot(task)})
    if not directive.is_draft:
        sync_progress(directive)
    return task


def withdraw_task(task: Task, directive: Directive) -> None:
    """Take a task out: a draft's task is deleted; a published one's is withdrawn, its records
    hidden and kept."""
    if directive.is_draft:
        audit.record("task.delete", task, before={"code": task.code, **task_snapshot(task)})
        db.session.delete(task)
        db.session.flush()
        return
    if task.withdrawn:
        raise Refused(f"Nhiệm vụ {task.code} đã được rút khỏi văn bản.")
    task.withdrawn = True
    audit.record("task.withdraw", task, after={"code": task.code, "title": task.title})
    sync_progress(directive)


def restore_task(task: Task, directive: Directive) -> None:
    if not task.withdrawn:
        raise Refused(f"Nhiệm vụ {task.code} đang có hiệu lực.")
    task.withdrawn = False
    audit.record("task.restore", task, after={"code": task.code, "title": task.title})
    sync_progress(directive)


def set_inspected(directive: Directive, unit_ids: set[int]) -> None:
    """The units the inspection behind this directive visited."""
    current = inspected_ids(directive)
    if current == unit_ids:
        return
    for unit_id in current - unit_ids:
        db.session.delete(db.session.get(Inspection, (directive.id, unit_id)))
    for unit_id in unit_ids - current:
        db.session.add(Inspection(directive_id=directive.id, unit_id=unit_id))
    db.session.flush()
    audit.record("directive.inspected", directive, before={"units": sorted(current)},
                 after={"units": sorted(unit_ids)})
    if not directive.is_draft:
        sync_progress(directive)


def changes_for(directive: Directive, unit_id: int) -> list[AuditEvent]:
    """What changed for a unit since the directive was published, newest first."""
    if directive.published_at is None:
        return []
    task_ids = select(Task.id).where(Task.directive_id == directive.id)
    visible = select(Progress.task_id).where(Progress.unit_id == unit_id,
                                             Progress.hidden.is_(False))
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Task", AuditEvent.target_id.in_(task_ids),
               AuditEvent.at >= directive.published_at,
               AuditEvent.action.in_(UNIT_CHANGE_ACTIONS))
        .where(((AuditEvent.action != "task.change") & (AuditEvent.unit_id == unit_id))
               | ((AuditEvent.action == "task.change") & AuditEvent.target_id.in_(visible)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))


def describe_change(event: AuditEvent, units: dict[int, str] | None = None) -> str:
    """One sentence a unit reads about a change to its tasks."""
    after, before = event.after or {}, event.before or {}
    task = f"Nhiệm vụ {after.get('code', '')} «{after.get('title', '')}»"
    if event.action == "progress.added":
        return f"{task} được giao cho đơn vị."
    if event.action == "progress.hidden":
        return f"{task} không còn giao cho đơn vị; những gì đã ghi nhận được lưu giữ."
    if event.action == "progress.restored":
        return f"{task} được giao lại cho đơn vị, với những gì đã ghi nhận trước đây."
    parts = []
    for name, label in TASK_FIELDS.items():
        if name not in after or name == "title" and "title" not in before:
            continue
        if name in ("audience", "lead_unit_id", "section_id", "text"):
            parts.append(f"{label} đã thay đổi")
        elif name == "deadline":
            parts.append(f"hạn đổi từ {_day(before.get(name))} thành {_day(after.get(name))}")
        else:
            parts.append(f"{label} đổi từ «{before.get(name) or '—'}» thành "
                         f"«{after.get(name) or '—'}»")
    return f"{task}: " + "; ".join(parts) + "." if parts else f"{task} được cập nhật."


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else "(không có hạn)"
