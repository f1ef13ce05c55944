"""What the exports read beyond the matrix: the details of every item (note, evidence, who
submitted and reviewed it, a rate's numerator and denominator), and who issues and signs the
official report (`signing`).

Every figure of every export comes from `portal.matrix.model.matrix`, the same as the screen's;
this module only adds words and names around them, in a fixed number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Evidence,
    EvidenceKind,
    Finding,
    FindingAnswer,
    FindingField,
    Progress,
    ReportSettings,
    Section,
    Task,
    User,
)

# What the report says until an administrator sets it (/admin/report).
SIGNING_DEFAULTS = {
    "office": "Phòng Nội vụ",
    "number_symbol": "BC-PNV",
    "authority_line": "",
    "signer_title": "TRƯỞNG PHÒNG",
    "signer_name": "",
    "recipients": "Thường trực UBND Thành phố (CT, các PCT)\n"
                  "Các phòng chuyên môn, đơn vị sự nghiệp, UBND các xã, phường\n"
                  "Lưu: VT, PNV",
}


@dataclass
class ItemDetails:
    """The words behind one cell of the matrix."""

    note: str = ""
    late_reason: str = ""
    review_comment: str = ""
    submitted_by: str = ""
    reviewed_by: str = ""
    # Inside the unit: who prepared what was sent, and which head signed it off.
    prepared_by: str = ""
    signed_off_by: str = ""
    signer_words: str = ""  # the head who signed off as a letter names them: name, title
    reviewed_at: datetime | None = None
    # A rate's two counts ("45 / 50"), kept beside the figure the matrix computes from them.
    numerator: int | None = None
    denominator: int | None = None
    files: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> list[str]:
        return self.files + self.links


@dataclass
class SectionOfTasks:
    number: str
    heading: str
    task_ids: list[int]


@dataclass
class FindingLine:
    """One finding as the exports list it."""

    unit_id: int
    task_code: str
    code: str
    text: str
    field: str
    answer: str  # the unit's answer in words, "Chưa trả lời" before it
    fixed: bool
    note: str  # what the unit did, or why it could not
    review: str  # Phòng Nội vụ's verdict in words, or ""


@dataclass
class Details:
    items: dict[int, ItemDetails]  # by item (progress) id
    sections: list[SectionOfTasks]  # in the letter's order, each with its tasks in order
    findings: list[FindingLine] = field(default_factory=list)  # by unit, task, then position

    def of(self, item_id: int) -> ItemDetails:
        return self.items.get(item_id) or ItemDetails()


def _person(username: str | None, full_name: str | None, title: str | None) -> str:
    """A person as exports name them: full name, title, then the account."""
    if not username:
        return ""
    named = _words(full_name, title)
    return f"{named} ({username})" if named else username


def _words(full_name: str | None, title: str | None) -> str:
    return ", ".join(part for part in (full_name, title) if part)


def details(directive_id: int, unit_ids: list[int] | None = None,
            findings: bool = True) -> Details:
    """Notes, evidence names, submitter and reviewer of every shown item (of `unit_ids` alone if
    given: a batch of the streamed workbook), the sections and (`findings`) the findings: four
    statements whatever the directive's size."""
    people = {role: aliased(User) for role in ("submitted", "reviewed", "prepared", "signed")}
    shown = (Task.directive_id == directive_id) & Progress.hidden.is_(False)
    if unit_ids is not None:
        shown = shown & Progress.unit_id.in_(unit_ids)
    items: dict[int, ItemDetails] = {}
    for (item_id, note, late_reason, comment, reviewed_at, numerator, denominator, *named
         ) in db.session.execute(
        select(Progress.id, Progress.note, Progress.late_reason, Progress.review_comment,
               Progress.reviewed_at, Progress.numerator, Progress.denominator,
               *[column for person in people.values()
                 for column in (person.username, person.full_name, person.title)])
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(people["submitted"], people["submitted"].id == Progress.submitted_by_id)
        .outerjoin(people["reviewed"], people["reviewed"].id == Progress.reviewed_by_id)
        .outerjoin(people["prepared"], people["prepared"].id == Progress.prepared_by_id)
        .outerjoin(people["signed"], people["signed"].id == Progress.signed_off_by_id)
        .where(shown)
    ):
        submitted, reviewed, prepared, signed = (_person(*named[i:i + 3])
                                                 for i in range(0, 12, 3))
        items[item_id] = ItemDetails(note or "", late_reason or "", comment or "", submitted,
                                     reviewed, prepared, signed,
                                     _words(*named[10:12]) or (named[9] or ""), reviewed_at,
                                     numerator, denominator)
    for item_id, kind, file_name, url in db.session.execute(
        select(Evidence.progress_id, Evidence.kind, Evidence.file_name, Evidence.url)
        .join(Progress, Progress.id == Evidence.progress_id)
        .join(Task, Task.id == Progress.task_id)
        .where(shown)
        .order_by(Evidence.progress_id, Evidence.id)
    ):
        found = items.get(item_id)
        if found is not None:
            (found.files if kind is EvidenceKind.FILE else found.links).append(
                file_name if kind is EvidenceKind.FILE else url)

    sections: dict[int | None, SectionOfTasks] = {}
    for task_id, section_id, number, heading in db.session.execute(
        select(Task.id, Task.section_id, Section.number, Section.heading)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(Task.directive_id == directive_id, Task.withdrawn.is_(False))
        .order_by(Section.position, Task.position)
    ):
        sections.setdefault(section_id, SectionOfTasks(number or "", heading or "", [])
                            ).task_ids.append(task_id)
    return Details(items, list(sections.values()),
                   findings_of(directive_id) if findings else [])


def findings_of(directive_id: int) -> list[FindingLine]:
    """The directive's findings (not withdrawn, on shown items), in one statement."""
    return [
        FindingLine(unit_id, task_code, code, text, field_name or "",
                    answer.label if answer else "Chưa trả lời", answer is FindingAnswer.FIXED,
                    note or "", review.label if review else "")
        for unit_id, task_code, code, text, field_name, answer, note, review in db.session.execute(
            select(Progress.unit_id, Task.code, Finding.code, Finding.text, FindingField.name,
                   Finding.answer, Finding.answer_note, Finding.review)
            .join(Progress, Progress.id == Finding.progress_id)
            .join(Task, Task.id == Progress.task_id)
            .outerjoin(FindingField, FindingField.id == Finding.field_id)
            .where(Task.directive_id == directive_id, Finding.withdrawn.is_(False),
                   Progress.hidden.is_(False))
            .order_by(Progress.unit_id, Task.position, Finding.position, Finding.id)
        )
    ]


def signing() -> ReportSettings:
    """The portal's one row of report settings, or (not yet set) one with the defaults, not
    added to the session."""
    found = db.session.scalar(select(ReportSettings).order_by(ReportSettings.id).limit(1))
    return found if found is not None else ReportSettings(**SIGNING_DEFAULTS)
