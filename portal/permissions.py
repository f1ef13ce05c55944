"""Who may do what. Every route asks here; nothing else decides access."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from .models import Role, User

READ_EVERYTHING = (Role.REVIEWER, Role.LEADER, Role.ADMIN)


def may_view_unit(user: User, unit_id: int) -> bool:
    """Its own staff see a unit's checklist and evidence; Phòng Nội vụ, leaders, admins see all."""
    if user.role in READ_EVERYTHING:
        return True
    return user.role is Role.UNIT and user.unit_id == unit_id


def may_work_on_unit(user: User, unit_id: int) -> bool:
    """Only a unit's own staff change its progress and evidence."""
    return user.role is Role.UNIT and user.unit_id == unit_id


def may_review(user: User) -> bool:
    """Phòng Nội vụ's reviewers decide on submitted items and extensions."""
    return user.role is Role.REVIEWER


def require_view_unit(unit_id: int) -> None:
    if not may_view_unit(current_user, unit_id):
        abort(403)


def require_work_on_unit(unit_id: int) -> None:
    if not may_work_on_unit(current_user, unit_id):
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
