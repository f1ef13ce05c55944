"""Who may do what. Every route, every query that refuses and every template asks here; nothing
else decides access.

The rules are functions of a user (`may_*`, `reads_only`, `works_in_a_unit`, `heads_unit`); routes
use the `require_*` forms, which answer 403, or the `roles_required` decorator. Templates call the
same functions, registered as Jinja globals by `register`: a template never compares role strings.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app
from flask_login import current_user

from .models import Evidence, Message, Progress, Role, UnitPosition, User

READ_EVERYTHING = (Role.REVIEWER, Role.LEADER, Role.ADMIN)


def may_view_unit(user: User, unit_id: int) -> bool:
    """Its own staff see a unit's checklist and evidence; Phòng Nội vụ, leaders, admins see all."""
    if user.role in READ_EVERYTHING:
        return True
    return user.role is Role.UNIT and user.unit_id == unit_id


def may_work_on_unit(user: User, unit_id: int) -> bool:
    """Only a unit's own staff change its progress and evidence."""
    return user.role is Role.UNIT and user.unit_id == unit_id


def heads_unit(user: User, unit_id: int) -> bool:
    """The unit's head (lãnh đạo đơn vị, or a deputy given the same right) assigns its items and
    signs them off; its officers work on them; nobody outside the unit does either."""
    return may_work_on_unit(user, unit_id) and user.position is UnitPosition.HEAD


def may_submit(user: User, item: Progress) -> bool:
    """Who sends an item to Phòng Nội vụ: its unit's head; an officer too where the directive
    asks for no sign-off inside the unit."""
    if heads_unit(user, item.unit_id):
        return True
    return may_work_on_unit(user, item.unit_id) and not item.task.directive.sign_off_required


def may_send_up(user: User, item: Progress) -> bool:
    """An officer sends an item up to the unit's head (trình lãnh đạo đơn vị) where the directive
    asks for sign-off; the head has nobody to send it up to."""
    return (may_work_on_unit(user, item.unit_id) and not heads_unit(user, item.unit_id)
            and item.task.directive.sign_off_required)


def may_view_evidence(user: User, evidence: Evidence) -> bool:
    """Evidence is seen by those who see its unit; a supporting unit's (phối hợp) also by the
    staff of the unit that leads the task it contributed to."""
    item = evidence.progress
    if item.supporting and user.role is Role.UNIT and item.task.lead_unit_id == user.unit_id:
        return True
    return may_view_unit(user, item.unit_id)


def may_write_conversation(user: User, unit_id: int) -> bool:
    """An item's conversation (Trao đổi) is between its unit's staff and Phòng Nội vụ's
    reviewers; whoever else sees the item reads it."""
    return may_work_on_unit(user, unit_id) or may_review(user)


def may_delete_message(user: User, message: Message) -> bool:
    """A message is deleted by its writer alone (and only soon after writing it: `portal.talk`)."""
    return message.author_id == user.id


def may_review(user: User) -> bool:
    """Phòng Nội vụ's reviewers decide on submitted items and extensions, and send reminders."""
    return user.role is Role.REVIEWER


def may_manage_findings(user: User) -> bool:
    """Phòng Nội vụ's reviewers and administrators record a unit's findings and withdraw them."""
    return user.role in (Role.REVIEWER, Role.ADMIN)


# The audience of a task that reaches the units the inspection did not visit: they inspect
# themselves (the seed's 1.14) and record their own findings under it.
SELF_INSPECTION = "not_inspected"


def may_record_findings(user: User, item: Progress) -> bool:
    """Who records, corrects and withdraws an item's findings: Phòng Nội vụ's reviewers and
    administrators on any item; a unit's own staff on the item of a task by which the unit
    inspects itself."""
    if may_manage_findings(user):
        return True
    return may_work_on_unit(user, item.unit_id) and item.task.audience == SELF_INSPECTION


def may_administer(user: User) -> bool:
    """Administrators manage units, accounts, directives and the mail queue."""
    return user.role is Role.ADMIN


def reads_only(user: User) -> bool:
    """Leadership reads everything and acts on nothing (so is told nothing to act on)."""
    return user.role is Role.LEADER


def has_rights(user: User) -> bool:
    """An account created at a first login through the directory or the province's login has no
    rights at all, whatever its role says, until an administrator gives it a unit and a role: it
    sees a page saying so, and every other page is refused (auth.routes._rights_first)."""
    return not user.awaiting_rights


def is_break_glass(user: User) -> bool:
    """An administrator named in BREAK_GLASS_USERS: logs in with the portal's own password, never
    through the directory, so that the portal stays reachable when the directory is down."""
    names = {name.strip().lower()
             for name in current_app.config["BREAK_GLASS_USERS"].split(",") if name.strip()}
    return user.role is Role.ADMIN and user.username.lower() in names


def may_use_local_password(user: User) -> bool:
    """Whether the portal's own password opens this account (and "Quên mật khẩu" may set it):
    every account's with LOCAL_PASSWORDS = "all", a break-glass administrator's alone with
    "break_glass"."""
    return current_app.config["LOCAL_PASSWORDS"] == "all" or is_break_glass(user)


def works_in_a_unit(user: User) -> bool:
    """Unit staff see their own unit's checklists only, and land on them."""
    return user.role is Role.UNIT


def may_read_overview(user: User) -> bool:
    """Tổng hợp (every directive of a period) and the ranking of units are for Phòng Nội vụ's
    reviewers and leadership, and the administrators who read everything."""
    return user.role in READ_EVERYTHING


def may_view_scorecard(user: User, unit_id: int) -> bool:
    """A unit's scorecard across directives: its own staff see it, and no other unit's; those
    who read everything see every unit's."""
    return may_view_unit(user, unit_id)


def may_set_formula(user: User) -> bool:
    """Only Phòng Nội vụ's reviewers set the formula units are scored by."""
    return user.role is Role.REVIEWER


def require_read_overview() -> None:
    if not may_read_overview(current_user):
        abort(403)


def require_view_scorecard(unit_id: int) -> None:
    if not may_view_scorecard(current_user, unit_id):
        abort(403)


def require_set_formula() -> None:
    if not may_set_formula(current_user):
        abort(403)


def require_view_unit(unit_id: int) -> None:
    if not may_view_unit(current_user, unit_id):
        abort(403)


def require_work_on_unit(unit_id: int) -> None:
    if not may_work_on_unit(current_user, unit_id):
        abort(403)


def require_head_of_unit(unit_id: int) -> None:
    """Assigning a unit's items and signing them off are its head's alone."""
    if not heads_unit(current_user, unit_id):
        abort(403)


def require_submit(item: Progress) -> None:
    if not may_submit(current_user, item):
        abort(403)


def require_send_up(item: Progress) -> None:
    if not may_send_up(current_user, item):
        abort(403)


def require_write_conversation(unit_id: int) -> None:
    if not may_write_conversation(current_user, unit_id):
        abort(403)


def require_delete_message(message: Message) -> None:
    if not may_delete_message(current_user, message):
        abort(403)


def require_view_evidence(evidence: Evidence) -> None:
    if not may_view_evidence(current_user, evidence):
        abort(403)


def require_review() -> None:
    if not may_review(current_user):
        abort(403)


def require_manage_findings() -> None:
    """Bringing a directive's findings in from a report is Phòng Nội vụ's and the
    administrators'."""
    if not may_manage_findings(current_user):
        abort(403)


def require_record_findings(item: Progress) -> None:
    if not may_record_findings(current_user, item):
        abort(403)


def require_administrator() -> None:
    if not may_administer(current_user):
        abort(403)


def roles_required(*roles: Role):
    """Route decorator: the logged-in user must hold one of these roles."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def register(app: Flask) -> None:
    """The rules templates ask, as Jinja globals (`may_review(current_user)`, …)."""
    app.jinja_env.globals.update(
        may_review=may_review,
        may_administer=may_administer,
        reads_only=reads_only,
        heads_unit=heads_unit,
        works_in_a_unit=works_in_a_unit,
        may_submit=may_submit,
        may_send_up=may_send_up,
        may_manage_findings=may_manage_findings,
        may_read_overview=may_read_overview,
        may_set_formula=may_set_formula,

    )
