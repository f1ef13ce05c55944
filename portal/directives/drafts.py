"""Directives as an administrator prepares them: a draft from an imported letter or written by
hand, its metadata, what one unit would be given, a copy's defaults, and deleting a draft.

A draft reaches nobody: nothing here writes a progress record. `lifecycle.publish` does, once
`lifecycle.problems` finds nothing left to decide (a task whose units the importer could not
match keeps the audience "unmatched" and blocks publishing until an editor chooses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from .. import audit
from ..deadlines import today
from ..extensions import db
from ..models import (
    Directive,
    DirectiveStatus,
    Inspection,
    Measure,
    Progress,
    Section,
    Task,
    TaskKind,
    Unit,
    User,
)
from ..vietnamese import fold
from .audience import DirectiveFileError
from .editing import UNMATCHED
from .importer import CHECK, NO_UNIT, SET_ASIDE, UNREAD, Draft, UnitRef, task_title
from .lifecycle import Refused, active_units, inspected_ids, reached_unit_ids

UNTITLED = "Văn bản chưa có tiêu đề"
SLUG_MAX = 80
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What the administrator writes about a directive; the rest (status, dates) follows its life.
METADATA = ("number", "issuer", "date_line", "issued_on", "year", "subject", "title", "signer",
            "signer_title", "slug", "deadline_day_counts", "sign_off_required")


# The importer's warnings speak of the YAML file's keys; the editor reads what to do on its pages.
EDITOR_WORDS = {
    "điền «year» trước khi nạp": "đã lấy năm hiện tại, hãy sửa trong thông tin văn bản nếu cần",
    "điền «subject» và «title»": "hãy nhập trích yếu và tiêu đề trong thông tin văn bản",
    "điền danh sách «inspected»": "hãy chọn các đơn vị được kiểm tra",
}


def editor_warnings(draft: Draft) -> list[str]:
    """What the importer found worth checking, in the words of the editor's pages; the
    passages it set aside are not among them (`Draft.set_aside` lists them whole)."""
    found = []
    for warning in draft.warnings:
        if SET_ASIDE in warning or UNREAD in warning:
            continue
        for yaml_words, editor_words in EDITOR_WORDS.items():
            warning = warning.replace(yaml_words, editor_words)
        found.append(warning)
    return found


def unit_refs() -> list[UnitRef]:
    """The active units as the importer matches a letter's addressees against them."""
    return [UnitRef(unit.id, unit.name, unit.short_name, unit.kind.value)
            for unit in db.session.scalars(
                select(Unit).where(Unit.active).order_by(Unit.position, Unit.id))]


def slug_taken(slug: str, except_id: int | None = None) -> bool:
    found = db.session.scalar(select(Directive.id).where(Directive.slug == slug))
    return found is not None and found != except_id


def slug_from(text: str, year: int | None = None) -> str:
    """A free code from a title: "Chấn chỉnh CCHC năm 2023" -> "chan-chinh-cchc-nam-2023"
    (then "-2", "-3", … while taken)."""
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in fold(text)).split()
    base = "-".join(words)[:SLUG_MAX - 6].strip("-") or f"van-ban-{year or today().year}"
    slug, number = base, 1
    while slug_taken(slug):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _fit(text: str | None, length: int) -> str:
    """A letter's words in a column of `length` characters."""
    text = (text or "").strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _snapshot(directive: Directive) -> dict:
    values = {name: getattr(directive, name) for name in METADATA}
    values["issued_on"] = values["issued_on"].isoformat() if values["issued_on"] else None
    return values


def _letter_values(draft: Draft) -> dict:
    """The directive's columns the importer's draft fills."""
    return {
        "number": _fit(draft.number, 80),
        "issuer": _fit(draft.issuer, 200),
        "date_line": _fit(draft.date_line, 200),
        "issued_on": draft.issued_on,
        "year": draft.year or today().year,
        "subject": draft.subject,
        "title": _fit(draft.title or draft.subject or UNTITLED, 300),
        "signer": _fit(draft.signer, 200),
        "signer_title": _fit(draft.signer_title, 200),
        "full_text": draft.full_text,
        "import_warnings": editor_warnings(draft),
        "set_aside": [{"text": text, "order": text in draft.unread} for text in draft.set_aside],
    }


def draft_from_letter(draft: Draft, slug: str, user: User | None = None) -> Directive:
    """Store the importer's draft as a DRAFT directive with its sections and tasks (not
    committed). A task the importer could not address gets the audience "unmatched"."""
    if slug_taken(slug):
        raise Refused(f"Đã có văn bản với mã «{slug}».")
    directive = Directive(slug=slug, status=DirectiveStatus.DRAFT, **_letter_values(draft))
    db.session.add(directive)
    db.session.flush()
    position, unmatched = _add_sections(directive, draft)
    audit.record("directive.import", directive, after={
        "slug": slug, "title": directive.title, "sections": len(draft.sections),
        "tasks": position, "unmatched": unmatched}, user=user)
    return directive


def redo_from_text(directive: Directive, draft: Draft) -> Directive:
    """A draft made again from its letter's text as corrected by the editor (an OCR slip
    fixed): its sections and tasks replaced by the new draft's, its details by what the text
    says (not committed). Only a draft never published, with no unit's work, is made again."""
    if not directive.is_draft or directive.published_at is not None or db.session.scalar(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive.id).limit(1)):
        raise Refused("Chỉ nhập lại được bản nháp chưa ban hành.")
    before = {"title": directive.title, "tasks": db.session.scalar(
        select(func.count(Task.id)).where(Task.directive_id == directive.id))}
    db.session.execute(delete(Task).where(Task.directive_id == directive.id))
    db.session.execute(delete(Section).where(Section.directive_id == directive.id))
    for name, value in _letter_values(draft).items():
        setattr(directive, name, value)
    db.session.flush()
    position, unmatched = _add_sections(directive, draft)
    audit.record("directive.reimport", directive, before=before, after={
        "title": directive.title, "sections": len(draft.sections), "tasks": position,
        "unmatched": unmatched})
    return directive


def _add_sections(directive: Directive, draft: Draft) -> tuple[int, int]:
    """The draft's sections and tasks under `directive`; the tasks added and those unmatched."""
    position = 0
    unmatched = 0
    for section_position, part in enumerate(draft.sections):
        section = Section(directive_id=directive.id, number=_fit(part.number, 20),
                          heading=part.heading, position=section_position)
        db.session.add(section)
        db.session.flush()
        for each in part.tasks:
            position += 1
            audience = each.audience or part.audience or UNMATCHED
            unmatched += audience == UNMATCHED
            notes = list(each.notes)
            if not each.audience:  # the section's addressees, and what the letter wrote there
                notes += part.notes
                if part.audience is None and part.unmatched:
                    notes.append(f"{LETTER_WROTE}: «" + "; ".join(part.unmatched) + "».")
            db.session.add(Task(
                directive_id=directive.id,
                section_id=section.id,
                code=_fit(each.code, 20),
                title=_fit(each.title, 300),
                text=each.text,
                kind=TaskKind(each.kind),
                measure=Measure(each.measure) if each.measure else None,
                measure_unit=_fit(each.measure_unit, 80),
                target=Decimal(str(each.target)) if each.target is not None else None,
                deadline=each.deadline,
                position=position,
                audience=audience,
                import_notes="\n".join(note.strip() for note in notes if note.strip()),
            ))
    db.session.flush()
    return position, unmatched


# The note that quotes what the letter wrote where no unit was found for a section's tasks.
LETTER_WROTE = "Văn bản ghi"


def import_notes(task: Task) -> list[str]:
    """What the importer read for a task made from a letter, one note each."""
    return [line for line in (task.import_notes or "").splitlines() if line.strip()]


# The note written under the importer's once the editor has saved the task's form.
REVIEWED = "Người soạn đã xem lại đơn vị thực hiện."


def to_check(task: Task) -> bool:
    """Whether the importer read the task's addressees from the page rather than from the
    order's words (the commune a page is about, or every unit where a page with no recipients
    names no one) and the editor has not saved the task since: the editor's list flags it."""
    notes = import_notes(task)
    return any(CHECK in note for note in notes) and REVIEWED not in notes


def mark_reviewed(task: Task) -> None:
    """The editor saved the task's form, its addressees in view: no longer to check."""
    if to_check(task):
        task.import_notes = "\n".join([*import_notes(task), REVIEWED])


def words_seen(task: Task, heading: str | None = None) -> str:
    """The letter's words the importer could not place for an unmatched task, quoted; with no
    such note, the section's `heading` quoted when one is given, else ""."""
    for note in import_notes(task):
        if note.startswith((NO_UNIT, LETTER_WROTE)) and "«" in note:
            return note[note.index("«"):].rstrip(".")
    if heading is None:
        return ""
    return f"«{heading or '(không có tiêu đề mục)'}»"


@dataclass(frozen=True)
class Passage:
    """A passage of the letter the importer set aside: one that names no unit and gives no
    order, or (`order`) one that gives a unit an order the importer could not read; `added`
    once a task of the directive holds its words."""

    number: int
    text: str
    order: bool
    added: bool


def _passages(directive: Directive) -> list[tuple[str, bool]]:
    """The passages set aside as (text, order); a draft imported before they said whether
    they give an order keeps its passages as bare texts, none of them an order."""
    return [(entry, False) if isinstance(entry, str) else (entry["text"], bool(entry["order"]))
            for entry in directive.set_aside or []]


def set_aside_passages(directive: Directive, tasks: list[Task]) -> list[Passage]:
    """The passages the importer set aside, numbered from 1 as the editor's links give them."""
    texts = {" ".join(task.text.split()) for task in tasks}
    return [Passage(number, text, order, text in texts)
            for number, (text, order) in enumerate(_passages(directive), start=1)]


def task_from_passage(directive: Directive, number: int | None) -> dict | None:
    """The new-task form's first values for passage `number` (its text, a title made of it):
    None when the directive has no such passage."""
    passages = _passages(directive)
    if number is None or not 1 <= number <= len(passages):
        return None
    text = passages[number - 1][0]
    return {"text": text, "title": task_title(text)[:300]}


def create_directive(**values) -> Directive:
    """A draft written by hand: its metadata, no task yet (not committed)."""
    if slug_taken(values["slug"]):
        raise Refused(f"Đã có văn bản với mã «{values['slug']}».")
    directive = Directive(status=DirectiveStatus.DRAFT, **values)
    db.session.add(directive)
    db.session.flush()
    audit.record("directive.create", directive, after=_snapshot(directive))
    return directive


def update_metadata(directive: Directive, **values) -> dict:
    """Change what the directive says about itself; its code only while it is a draft. Returns
    the changed fields with their old values (nothing audited when nothing changed)."""
    if "slug" in values and values["slug"] != directive.slug:
        if not directive.is_draft:
            raise Refused("Mã văn bản chỉ đổi được khi văn bản còn là bản nháp.")
        if slug_taken(values["slug"], except_id=directive.id):
            raise Refused(f"Đã có văn bản với mã «{values['slug']}».")
    before = _snapshot(directive)
    for name, value in values.items():
        if name not in METADATA:
            raise KeyError(name)
        setattr(directive, name, value)
    after = _snapshot(directive)
    changed = [name for name in after if after[name] != before[name]]
    if not changed:
        return {}
    if "deadline_day_counts" in changed:
        # Every deadline state of the directive reads anew: its matrix must not be reused.
        directive.revision += 1
    db.session.flush()
    audit.record("directive.update", directive,
                 before={name: before[name] for name in changed},
                 after={"slug": directive.slug, **{name: after[name] for name in changed}})
    return {name: before[name] for name in changed}


def delete_draft(directive: Directive) -> None:
    """A draft is deleted with its sections, tasks and inspected units; a directive that was
    ever published is kept, whatever its state (close or archive it instead)."""
    task_ids = select(Task.id).where(Task.directive_id == directive.id)
    if not directive.is_draft or directive.published_at is not None or db.session.scalar(
            select(Progress.id).where(Progress.task_id.in_(task_ids)).limit(1)):
        raise Refused("Chỉ xoá được bản nháp. Văn bản đã ban hành được giữ lại cùng kết quả của "
                      "các đơn vị; hãy kết thúc hoặc lưu trữ văn bản.")
    audit.record("directive.delete", directive, before={"slug": directive.slug,
                                                        "title": directive.title})
    # A later copy of this draft stays, only no longer "copied from" it.
    db.session.execute(update(Directive).where(Directive.copied_from_id == directive.id)
                       .values(copied_from_id=None))
    db.session.execute(delete(Task).where(Task.directive_id == directive.id))
    db.session.execute(delete(Section).where(Section.directive_id == directive.id))
    db.session.execute(delete(Inspection).where(Inspection.directive_id == directive.id))
    db.session.delete(directive)
    db.session.flush()


@dataclass(frozen=True)
class CycleDefaults:
    year: int
    title: str
    slug: str


def next_cycle(source: Directive) -> CycleDefaults:
    """What a copy for the next cycle is called unless the administrator says otherwise: the
    next year, in the title and the code where the source's year is."""
    year = source.year + 1
    old, new = str(source.year), str(year)
    title = source.title.replace(old, new) if old in source.title else source.title
    base = source.slug.replace(old, new) if old in source.slug else f"{source.slug}-{new}"
    slug = base if not slug_taken(base) else slug_from(base)
    return CycleDefaults(year=year, title=title, slug=slug)


@dataclass(frozen=True)
class Reaching:
    """A task as one unit would be given it."""

    task: Task
    role: str  # "lead" (chủ trì), "supporting" (phối hợp) or "own" (no lead: its own item)

    @property
    def role_label(self) -> str:
        return {"lead": "Chủ trì", "supporting": "Phối hợp"}.get(self.role, "Thực hiện")


@dataclass(frozen=True)
class Preview:
    reaching: list[Reaching]
    unresolved: list[Task]  # tasks whose units are not decided: they reach nobody yet


def tasks_for_unit(directive: Directive, unit_id: int) -> Preview:
    """The tasks of the directive that reach one unit, as its checklist would list them."""
    units = active_units()
    inspected = inspected_ids(directive)
    tasks = db.session.scalars(
        select(Task).options(selectinload(Task.section), selectinload(Task.lead_unit))
        .where(Task.directive_id == directive.id, Task.withdrawn.is_(False))
        .order_by(Task.position, Task.id)
    )
    reaching, unresolved = [], []
    for task in tasks:
        try:
            reached = reached_unit_ids(task, units, inspected)
        except DirectiveFileError:
            unresolved.append(task)
            continue
        if unit_id not in reached:
            continue
        if task.lead_unit_id is None:
            role = "own"
        else:
            role = "lead" if task.lead_unit_id == unit_id else "supporting"
        reaching.append(Reaching(task=task, role=role))
    return Preview(reaching=reaching, unresolved=unresolved)
