"""The audit log: every change is written with who, when, what, before and after."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from .deadlines import utcnow
from .extensions import db
from .models import AuditEvent, User


def record(
    action: str,
    target=None,
    *,
    unit_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    user: User | None = None,
    username: str = "",
) -> AuditEvent:
    """Add an audit event to the current transaction; the caller commits it with the change."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    event = AuditEvent(
        at=utcnow(),
        user_id=user.id if user else None,
        username=user.username if user else username,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        unit_id=unit_id,
        before=before,
        after=after,
        ip=request.remote_addr or "" if has_request_context() else "",
    )
    db.session.add(event)
    return event
