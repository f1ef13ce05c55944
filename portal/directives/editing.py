"""What the task editor does to a directive's tasks beyond `directives.lifecycle`: which directives
may be edited at all, reading and describing an audience, the editor's list, and the changes that
reshape the letter's decomposition (order, merge, split), each audited in the caller's transaction.

Adding, changing, withdrawing and restoring are `lifecycle`'s; merge and split only ever touch a
draft, where no unit has recorded anything yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..extensions import db
from ..models import AuditEvent, Directive, DirectiveStatus, Section, Task, Unit, UnitKind
from ..vietnamese import sort_key
from . import lifecycle
from .audience import DirectiveFileError, resolve_audience

Refused = lifecycle.Refused

# The audience chooser: the rules an editor picks from, as the radio group reads them.
AUDIENCE_CHOICES = [
    ("all", "Mọi đơn vị"),
    ("inspected", "Đơn vị được kiểm tra"),
    ("not_inspected", "Đơn vị chưa được kiểm tra"),
    ("kind:office", "Các phòng chuyên môn"),
    ("kind:service", "Các đơn vị sự nghiệp"),
    ("kind:commune", "Các xã, phường"),
    ("units", "Chọn từng đơn vị"),
]
AUDIENCE_LABELS = dict(AUDIENCE_CHOICES[:-1])
UNMATCHED = "unmatched"  # the audience of a task whose units the importer could not find
UNMATCHED_LABEL = "Chưa xác định"

NOT_EDITABLE = {
    DirectiveStatus.CLOSED: "Văn bản này đã kết thúc; nhiệm vụ của văn bản không sửa được nữa. "
                            "Muốn sửa, hãy mở lại văn bản trước.",
    DirectiveStatus.ARCHIVED: "Văn bản này đã được lưu trữ; nhiệm vụ của văn bản không sửa được.",
}
DRAFT_ONLY = ("Văn bản đã ban hành: chỉ gộp hoặc tách nhiệm vụ khi văn bản còn là bản nháp, để "
              "không mất kết quả các đơn vị đã ghi nhận. Hãy sửa nội dung nhiệm vụ, thêm nhiệm vụ "
              "mới hoặc rút nhiệm vụ cũ.")


# --- which directives may be edited --------------------------------------------------------------


def require_editable(directive: Directive) -> None:
    """Drafts and open directives are edited; closed and archived ones are not."""
    if directive.status in NOT_EDITABLE:
        raise Refused(NOT_EDITABLE[directive.status])


def require_draft(directive: Directive) -> None:
    """Merge and split rebuild tasks: only where no unit has an item yet."""
    require_editable(directive)
    if not directive.is_draft:
        raise Refused(DRAFT_ONLY)


# --- reads ---------------------------------------------------------------------------------------


def get_directive(directive_id: int) -> Directive:
    return db.get_or_404(Directive, directive_id)


def get_task(task_id: int) -> Task:
    """A task with its directive and section loaded."""
    return db.first_or_404(
        select(Task).where(Task.id == task_id)
        .options(selectinload(Task.directive), selectinload(Task.section),
                 selectinload(Task.lead_unit))
    )


def sections_of(directive: Directive) -> list[Section]:
    return list(db.session.scalars(
        select(Section).where(Section.directive_id == directive.id).order_by(Section.position)
    ))


def units_by_kind(units: list[Unit]) -> list[tuple[UnitKind, list[Unit]]]:
    """Units grouped by kind, in each group by position then alphabetically."""
    return [
        (kind, sorted((u for u in units if u.kind is kind),
                      key=lambda u: (u.position, sort_key(u.name))))
        for kind in UnitKind
    ]


def task_groups(tasks: list[Task]) -> list[tuple[Section | None, list[Task]]]:
    """Tasks under their sections, sections in the letter's order; tasks without one last."""
    groups: dict[int | None, list[Task]] = {}
    sections: dict[int | None, Section | None] = {None: None}
    for task in tasks:
        groups.setdefault(task.section_id, []).append(task)
        if task.section_id is not None:
            sections[task.section_id] = task.section
    order = sorted(groups, key=lambda key: (key is None,
                                            sections[key].position if key is not None else 0,
                                            key or 0))
    return [(sections[key], groups[key]) for key in order]


# --- audiences -----------------------------------------------------------------------------------


def audience_unit_ids(rule: str, units: list[Unit]) -> set[int]:
    """The unit ids a "unit:<name>" or "units:<ids>" rule names (ticked in the chooser)."""
    rule = rule.strip()
    if rule.startswith("unit:"):
        name = rule.partition(":")[2].strip()
        return {u.id for u in units if u.name == name}
    if rule.startswith("units:"):
        ids = set()
        for part in rule.partition(":")[2].split(","):
            if part.strip().isdigit():
                ids.add(int(part))
        return ids
    return set()


def audience_mode(rule: str) -> str:
    """Which radio of the chooser a stored rule is: "units" for a named list, "" for a rule
    the chooser cannot show (unmatched, or unreadable): the editor must choose."""
    rule = rule.strip()
    if rule in AUDIENCE_LABELS:
        return rule
    if rule.startswith(("unit:", "units:")):
        return "units"
    return ""


def units_rule(unit_ids: set[int]) -> str:
    return "units:" + ",".join(str(i) for i in sorted(unit_ids))


def unresolved(tasks: list[Task]) -> list[Task]:
    """Of a directive's tasks, those in force whose units the importer could not find
    (audience "unmatched"), in the order given."""
    return [task for task in tasks
            if not task.withdrawn and (task.audience or "").strip() == UNMATCHED]


def choose_audience(directive: Directive, tasks: list[Task], rule: str) -> None:
    """One audience for several of a draft's unmatched tasks, each change audited."""
    require_editable(directive)
    for task in tasks:
        lifecycle.change_task(task, directive, audience=rule)



def describe_audience(rule: str, units: list[Unit]) -> str:
    """A rule as the editor reads it: "Các xã, phường", "Phòng Nội vụ, Phường 1"."""
    rule = (rule or "").strip()
    if rule in AUDIENCE_LABELS:
        return AUDIENCE_LABELS[rule]
    if rule == UNMATCHED:
        return UNMATCHED_LABEL
    if rule.startswith(("unit:", "units:")):
        if rule.startswith("unit:"):
            return rule.partition(":")[2].strip()
        ids = audience_unit_ids(rule, units)
        kinds = list(UnitKind)
        names = [u.name for u in sorted(
            (u for u in units if u.id in ids),
            key=lambda u: (kinds.index(u.kind), u.position, sort_key(u.name)))]
        gone = len(ids) - len(names)
        text = ", ".join(names) if names else "Không đơn vị nào"
        return text + (f" (và {gone} đơn vị ngừng hoạt động)" if gone else "")
    return f"Không đọc được: «{rule}»"


# --- order ---------------------------------------------------------------------------------------


def _renumber(ordered: list[Task]) -> None:
    """Positions 1..n in this order, touching only the tasks whose position changes."""
    for position, task in enumerate(ordered, start=1):
        if task.position != position:
            task.position = position


def place_at_end_of_section(task: Task, directive: Directive) -> None:
    """Put a task (new, or moved to another section) after the last task of its section, so
    that units' checklists, ordered by position, read in the letter's order."""
    sections = {s.id: s.position for s in sections_of(directive)}
    others = [t for t in lifecycle.tasks_of(directive) if t.id != task.id]

    def rank(t: Task) -> tuple:
        return (t.section_id is None, sections.get(t.section_id, 0))

    mine = rank(task)
    at = len(others)
    for index, other in enumerate(others):
        if rank(other) > mine:
            at = index
            break
    _renumber(others[:at] + [task] + others[at:])
    db.session.flush()


def move_task(task: Task, directive: Directive, direction: str) -> bool:
    """Swap a task with its neighbour in the same section; False when it is already first
    (up) or last (down) there."""
    require_editable(directive)
    ordered = lifecycle.tasks_of(directive)
    same = [t for t in ordered if t.section_id == task.section_id]
    index = same.index(task)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(same):
        return False
    other = same[other_index]
    i, j = ordered.index(task), ordered.index(other)
    ordered[i], ordered[j] = ordered[j], ordered[i]
    _renumber(ordered)
    db.session.flush()
    audit.record("task.move", task, after={"code": task.code, "title": task.title,
                                           "direction": direction, "past": other.code})
    return True


# --- edit ----------------------------------------------------------------------------------------


def edit_task(task: Task, directive: Directive, code: str, **values) -> bool:
    """Change a task, its code too (which `lifecycle.change_task` does not know), in one
    "task.change" event; a task moved to another section goes to that section's end."""
    require_editable(directive)
    old_code, old_section = task.code, task.section_id
    if code != old_code and any(t.code == code for t in lifecycle.tasks_of(directive)
                                if t.id != task.id):
        raise Refused(f"Đã có nhiệm vụ mang số «{code}» trong văn bản này.")
    task.code = code
    seen = {id(obj) for obj in db.session if isinstance(obj, AuditEvent)}
    changed = lifecycle.change_task(task, directive, **values)
    if task.section_id != old_section:
        place_at_end_of_section(task, directive)
    if code == old_code:
        return bool(changed)
    recorded = [obj for obj in db.session if isinstance(obj, AuditEvent)
                and id(obj) not in seen and obj.action == "task.change"]
    if recorded:
        event = recorded[0]
        event.before = {**(event.before or {}), "code": old_code}
        event.after = {**(event.after or {}), "code": code}
    else:
        audit.record("task.change", task, before={"code": old_code},
                     after={"code": code, "title": task.title})
    db.session.flush()
    return True


def add_task(directive: Directive, **values) -> Task:
    require_editable(directive)
    task = lifecycle.add_task(directive, **values)
    place_at_end_of_section(task, directive)
    return task


def withdraw_task(task: Task, directive: Directive) -> None:
    require_editable(directive)
    lifecycle.withdraw_task(task, directive)


def restore_task(task: Task, directive: Directive) -> None:
    require_editable(directive)
    lifecycle.restore_task(task, directive)


# --- merge ---------------------------------------------------------------------------------------


def next_in_section(task: Task, directive: Directive) -> Task | None:
    """The task after this one in its section (withdrawn ones skipped), the one it merges with."""
    same = [t for t in lifecycle.tasks_of(directive)
            if t.section_id == task.section_id and (not t.withdrawn or t.id == task.id)]
    index = same.index(task)
    return same[index + 1] if index + 1 < len(same) else None


def _join(first: str, second: str, separator: str) -> str:
    first, second = first.strip(), second.strip()
    if not first or not second or second in first:
        return first or second
    return first + separator + second


def _merged_audience(first: Task, second: Task, directive: Directive) -> str:
    """Both tasks' units: the same rule, "all" if either is, else the two rules' units named."""
    if first.audience.strip() == second.audience.strip():
        return first.audience
    if "all" in (first.audience.strip(), second.audience.strip()):
        return "all"
    units, inspected = lifecycle.active_units(), lifecycle.inspected_ids(directive)
    reached = set()
    for task in (first, second):
        try:
            reached |= {u.id for u in resolve_audience(task.audience, units, inspected)}
        except DirectiveFileError:
            raise Refused(f"Nhiệm vụ {task.code} chưa xác định đơn vị thực hiện; hãy chọn đơn "
                          "vị cho nhiệm vụ này trước khi gộp.") from None
    return units_rule(reached)


def merge_with_next(task: Task, directive: Directive) -> Task:
    """Fold the next task of the section into this one: the texts joined (the second's title
    stands in for an empty text), the earliest deadline, both audiences, the first's code,
    title, kind and measure; the second task is deleted (drafts only, so nothing is lost)."""
    require_draft(directive)
    second = next_in_section(task, directive)
    if second is None:
        raise Refused(f"Nhiệm vụ {task.code} là nhiệm vụ cuối của mục; không có nhiệm vụ kế "
                      "tiếp để gộp.")
    before = {"first": {"code": task.code, **lifecycle.task_snapshot(task)},
              "second": {"code": second.code, **lifecycle.task_snapshot(second)}}
    deadlines = [d for d in (task.deadline, second.deadline) if d is not None]
    task.audience = _merged_audience(task, second, directive)
    task.text = _join(task.text or task.title, second.text or second.title, "\n\n")
    task.deadline = min(deadlines) if deadlines else None
    task.evidence_hint = _join(task.evidence_hint, second.evidence_hint, "; ")[:300]
    if task.lead_unit_id is None:
        task.lead_unit_id = second.lead_unit_id
    if task.measure is None and second.measure is not None:
        task.kind, task.measure = second.kind, second.measure
        task.measure_unit, task.target = second.measure_unit, second.target
        task.target_at_most = second.target_at_most
    db.session.delete(second)
    db.session.flush()
    audit.record("task.merge", task, before=before,
                 after={"code": task.code, "merged": second.code,
                        **lifecycle.task_snapshot(task)})
    return task


# --- split ---------------------------------------------------------------------------------------


SENTENCE_END = re.compile(r"(?<=[.;!?…])\s+(?=\S)")


@dataclass(frozen=True)
class Piece:
    """A sentence of a task's text; `paragraph` counts from 0."""

    paragraph: int
    text: str


def pieces_of(text: str) -> list[Piece]:
    """A task's text cut where it may be split: between paragraphs and between sentences."""
    pieces = []
    for number, paragraph in enumerate(p for p in re.split(r"\n\s*\n|\n", text or "")
                                       if p.strip()):
        pieces += [Piece(number, s.strip()) for s in SENTENCE_END.split(paragraph.strip())
                   if s.strip()]
    return pieces


def _assemble(pieces: list[Piece], separator: str) -> str:
    paragraphs: dict[int, list[str]] = {}
    for piece in pieces:
        paragraphs.setdefault(piece.paragraph, []).append(piece.text)
    return separator.join(" ".join(sentences) for sentences in paragraphs.values())


def split_parts(text: str, at: int) -> tuple[str, str]:
    """The text before and after piece `at` (1 ≤ at < number of pieces)."""
    pieces = pieces_of(text)
    separator = "\n\n" if re.search(r"\n\s*\n", text or "") else "\n"
    return _assemble(pieces[:at], separator), _assemble(pieces[at:], separator)


def suggested_code(task: Task, directive: Directive) -> str:
    """A free code for the second half: 1.4 → 1.4b (then c, d…)."""
    taken = {t.code for t in lifecycle.tasks_of(directive)}
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"{task.code}{letter}"[:20] not in taken:
            return f"{task.code}{letter}"[:20]
    return ""


def split_task(task: Task, directive: Directive, at: int, title: str, new_code: str,
               new_title: str) -> Task:
    """Cut a task in two after piece `at` of its text: the first part stays (with `title`), the
    rest becomes a new task right after it, with every other field the same."""
    require_draft(directive)
    pieces = pieces_of(task.text)
    if len(pieces) < 2:
        raise Refused("Nội dung nhiệm vụ chưa có hoặc chỉ có một câu; không có chỗ để tách.")
    if not 1 <= at < len(pieces):
        raise Refused("Hãy chọn chỗ tách.")
    ordered = lifecycle.tasks_of(directive)
    if any(t.code == new_code for t in ordered):
        raise Refused(f"Đã có nhiệm vụ mang số «{new_code}» trong văn bản này.")
    before = {"code": task.code, **lifecycle.task_snapshot(task)}
    first_text, second_text = split_parts(task.text, at)
    second = Task(
        directive_id=directive.id, section_id=task.section_id, code=new_code, title=new_title,
        text=second_text, kind=task.kind, measure=task.measure, measure_unit=task.measure_unit,
        target=task.target, target_at_most=task.target_at_most,
        evidence_hint=task.evidence_hint, deadline=task.deadline, position=task.position,
        audience=task.audience, lead_unit_id=task.lead_unit_id,
    )
    task.title, task.text = title, first_text
    db.session.add(second)
    db.session.flush()
    index = ordered.index(task)
    _renumber(ordered[:index + 1] + [second] + ordered[index + 1:])
    db.session.flush()
    audit.record("task.split", task, before=before,
                 after={"code": task.code, "title": task.title, "text": task.text,
                        "new": {"id": second.id, "code": second.code, "title": second.title,
                                "text": second.text}})
    return second
