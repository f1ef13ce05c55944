"""What the exports read beyond the review matrix: the details of every item (note, evidence,
who submitted and reviewed it) and completion over time from the audit log.

Every figure of every export comes from `review.queries.matrix`, the same as the screen's; this
module only adds words and names around them, in a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..deadlines import local_date
from ..extensions import db
from ..models import (
    AuditEvent,
    Evidence,
    EvidenceKind,
    Progress,
    Section,
    Task,
    User,
)
from ..review.queries import Matrix


@dataclass
class ItemDetails:
    """The words behind one cell of the matrix."""

    note: str = ""
    late_reason: str = ""
    review_comment: str = ""
    submitted_by: str = ""
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
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
class Details:
    items: dict[int, ItemDetails]  # by item (progress) id
    sections: list[SectionOfTasks]  # in the letter's order, each with its tasks in order

    def of(self, item_id: int) -> ItemDetails:
        return self.items.get(item_id) or ItemDetails()


def _person(username: str | None, full_name: str | None) -> str:
    if not username:
        return ""
    return f"{full_name} ({username})" if full_name else username


def details(directive_id: int) -> Details:
    """Notes, evidence names, submitter and reviewer of every shown item, and the sections: three
    statements whatever the directive's size."""
    submitter, reviewer = aliased(User), aliased(User)
    shown = (Task.directive_id == directive_id) & Progress.hidden.is_(False)
    items: dict[int, ItemDetails] = {}
    for (item_id, note, late_reason, comment, s_name, s_full, r_name, r_full,
         reviewed_at) in db.session.execute(
        select(Progress.id, Progress.note, Progress.late_reason, Progress.review_comment,
               submitter.username, submitter.full_name, reviewer.username, reviewer.full_name,
               Progress.reviewed_at)
        .join(Task, Task.id == Progress.task_id)
        .outerjoin(submitter, submitter.id == Progress.submitted_by_id)
        .outerjoin(reviewer, reviewer.id == Progress.reviewed_by_id)
        .where(shown)
    ):
        items[item_id] = ItemDetails(note or "", late_reason or "", comment or "",
                                     _person(s_name, s_full), _person(r_name, r_full),
                                     reviewed_at)
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
    return Details(items, list(sections.values()))


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
    days = sorted(day for day in net if day <= m.on)
    done = total["done"] - sum(net[day] for day in days)
    assigned = total["assigned"]
    series = []
    for day in days:
        done += net[day]
        series.append(Day(day, net[day], max(done, 0), assigned))
    if not series or series[-1].on != m.on:
        series.append(Day(m.on, 0, total["done"], assigned))
    return series
