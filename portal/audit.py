"""The audit log: every change is written with who, when, what, before and after."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from .deadlines import utcnow
from .extensions import db
from .models import AuditEvent, User

# What each action reads as in an item's history.
ACTION_LABELS = {
    "progress.start": "Bắt đầu thực hiện",
    "progress.save": "Cập nhật ghi chú, số liệu",
    "progress.submit": "Gửi duyệt",
    "evidence.add": "Thêm tài liệu kiểm chứng",
    "evidence.remove": "Xoá tài liệu kiểm chứng",
    "extension.request": "Xin gia hạn",
    "extension.grant": "Đồng ý gia hạn",
    "extension.refuse": "Không đồng ý gia hạn",
    "review.approve": "Duyệt: Đạt",
    "review.return": "Yêu cầu bổ sung",
    "review.reopen": "Mở lại cho đơn vị",
    "login": "Đăng nhập",
    "login.failed": "Đăng nhập không thành công",
    "logout": "Đăng xuất",
    "password.change": "Đổi mật khẩu",
}


def describe(event: AuditEvent) -> str:
    """One line for an item's history: the action and what it carried."""
    label = ACTION_LABELS.get(event.action, event.action)
    details = event.after or event.before or {}
    extra = details.get("file_name") or details.get("url") or details.get("review_comment") \
        or details.get("reason") or details.get("note") or ""
    return f"{label}: {extra}" if extra else label


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
