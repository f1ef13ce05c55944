"""Phân công: the unit's head hands an item to one or more of the unit's officers, with an
optional internal due date and a note, and changes it at any time. Each change is audited (the
item's history shows it) and the newly assigned are told; committed here."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..models import Assignment, Progress, Role, UnitPosition, User
from ..notifications import events as notify


class AssignmentRefused(ValueError):
    """Why the assignment cannot be made, in Vietnamese."""


def unit_people(unit_id: int) -> list[User]:
    """The unit's active staff an item can be handed to: its heads first, then by full name."""
    people = db.session.scalars(
        select(User).where(User.unit_id == unit_id, User.role == Role.UNIT, User.active)
    )
    return sorted(people, key=lambda u: (u.position is not UnitPosition.HEAD,
                                         (u.full_name or u.username).casefold(), u.id))


def _state(assignment: Assignment | None) -> dict:
    if assignment is None:
        return {"officers": [], "names": [], "due_on": None, "note": ""}
    officers = sorted(assignment.officers, key=lambda u: u.username)
    return {"officers": [u.username for u in officers],
            "names": [u.display_name for u in officers],
            "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
            "note": assignment.note}


def assign(item: Progress, head: User, officer_ids: list[int], due_on: date | None,
           note: str) -> None:
    """Hand the item to these of its unit's people (none: take the assignment back)."""
    people = {user.id: user for user in unit_people(item.unit_id)}
    strangers = [i for i in officer_ids if i not in people]
    if strangers:
        raise AssignmentRefused("Chỉ giao việc cho người đang làm việc tại đơn vị; người được "
                                "chọn không thuộc đơn vị hoặc tài khoản đã bị khoá.")
    assignment = item.assignment
    if not officer_ids and assignment is None:
        raise AssignmentRefused("Hãy chọn ít nhất một cán bộ thực hiện.")
    before = _state(assignment)
    chosen = [people[i] for i in dict.fromkeys(officer_ids)]
    if assignment is None:
        # By its id, not through `item.assignment`: the item itself stays unchanged, so that
        # its directive's revision (and every matrix) stays where it is.
        assignment = Assignment(progress_id=item.id, assigned_at=utcnow())
        db.session.add(assignment)
    known = {user.id for user in assignment.officers} if assignment.id else set()
    assignment.officers = chosen
    assignment.due_on = due_on if chosen else None
    assignment.note = note.strip() if chosen else ""
    assignment.assigned_at = utcnow()
    assignment.assigned_by_id = head.id
    after = _state(assignment)
    if after == before:
        db.session.rollback()
        return
    db.session.flush()
    audit.record("item.assign", item, unit_id=item.unit_id, user=head, before=before,
                 after=after)
    added = [user for user in chosen if user.id not in known]
    if added:
        notify.item_assigned(item, added, head, assignment.due_on, assignment.note)
    db.session.commit()
