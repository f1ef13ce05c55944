"""A checklist item as its views read it: the item with its task, evidence and extension, what
the supporting units recorded on a task it leads, its evidence, and its history, each in a fixed
number of statements; people by their full names. `get_item` and `get_evidence` refuse (404, 403)
what the current user may not see."""

from __future__ import annotations

from typing import NamedTuple

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Assignment,
    AuditEvent,
    Evidence,
    Finding,
    FindingField,
    Progress,
    Task,
    User,
)
from ..permissions import require_view_evidence, require_view_unit


def shown_items():
    """Items that are shown (not hidden), with everything their view reads loaded: the people
    who submitted, reviewed and uploaded too, whom the item names."""
    return select(Progress).where(Progress.hidden.is_(False)).options(
        selectinload(Progress.task).options(selectinload(Task.section),
                                            selectinload(Task.directive),
                                            selectinload(Task.lead_unit)),
        selectinload(Progress.evidence).selectinload(Evidence.created_by),
        selectinload(Progress.unit),
        selectinload(Progress.extension),
        selectinload(Progress.submitted_by),
        selectinload(Progress.reviewed_by),
        selectinload(Progress.prepared_by),
        selectinload(Progress.signed_off_by),
        selectinload(Progress.assignment).selectinload(Assignment.officers),
        selectinload(Progress.findings).options(
            selectinload(Finding.evidence), selectinload(Finding.field),
            selectinload(Finding.answered_by), selectinload(Finding.reviewed_by)),
    )


def finding_fields() -> list[FindingField]:
    """The fields (lĩnh vực) a finding is filed under, in the administrator's order."""
    return list(db.session.scalars(select(FindingField).order_by(FindingField.position,
                                                                  FindingField.id)))


def get_item(progress_id: int) -> Progress:
    """The item with its task and evidence, if the current user may see its unit."""
    item = db.session.scalar(shown_items().where(Progress.id == progress_id))
    if item is None:
        abort(404)
    require_view_unit(item.unit_id)
    return item


CLOSED_DIRECTIVE = ("Văn bản này đã kết thúc; kết quả được giữ để tra cứu và không thay đổi được "
                    "nữa.")


def contributions(item: Progress) -> list[Progress]:
    """What the supporting units (phối hợp) recorded on the task a lead unit's item belongs to."""
    if item.supporting or item.task.lead_unit_id is None:
        return []
    return list(db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.unit), selectinload(Progress.evidence))
        .where(Progress.task_id == item.task_id, Progress.supporting.is_(True),
               Progress.hidden.is_(False))
        .order_by(Progress.unit_id)
    ))


def contributions_by_item(items: list[Progress]) -> dict[int, list[Progress]]:
    """`contributions` for every lead unit's item of a checklist at once (item id: the supporting
    units' items), in a fixed number of statements however many items lead."""
    leading = {item.task_id: item.id for item in items
               if not item.supporting and item.task.lead_unit_id is not None}
    if not leading:
        return {}
    found: dict[int, list[Progress]] = {item_id: [] for item_id in leading.values()}
    for supporting in db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.unit), selectinload(Progress.evidence))
        .where(Progress.task_id.in_(leading), Progress.supporting.is_(True),
               Progress.hidden.is_(False))
        .order_by(Progress.task_id, Progress.unit_id)
    ):
        found[leading[supporting.task_id]].append(supporting)
    return found


def get_evidence(evidence_id: int) -> Evidence:
    """A piece of evidence, if the current user may see it (`permissions.may_view_evidence`)."""
    evidence = db.session.scalar(
        select(Evidence)
        .options(selectinload(Evidence.progress).joinedload(Progress.task))  # the lead unit rule
        .where(Evidence.id == evidence_id)
    )
    if evidence is None:
        abort(404)
    require_view_evidence(evidence)
    return evidence


class Happened(NamedTuple):
    """One line of an item's history: the event and the person who did it, by full name and
    title."""

    event: AuditEvent
    who: str


SYSTEM = "Hệ thống"  # an event no person caused: a scheduled reminder


def history(item_id: int) -> list[Happened]:
    """What happened to an item, oldest first (evidence and extension events name the item)."""
    return histories([item_id])[item_id]


def histories(item_ids: list[int]) -> dict[int, list[Happened]]:
    """`history` of several items at once (a checklist's), in one statement."""
    found: dict[int, list[Happened]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return found
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.target_type == "Progress", AuditEvent.target_id.in_(item_ids))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    for event, user in rows:
        who = user.display_name if user is not None else event.username or SYSTEM
        found[event.target_id].append(Happened(event, who))
    return found
