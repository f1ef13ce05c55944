"""Notifications: what the portal tells its users in the bell and, where a mail server is set,
by e-mail.

Every event that tells someone something calls `notify_unit` or `notify_reviewers` in the
transaction of the change itself, so a notification exists exactly when its change does (the
events of the checklist, the review and a directive's life word theirs in `events.py`). E-mail is
only queued here (MailMessage rows); `flask --app portal send-mail` sends it later. The bell and
the list are `routes.py`, their queries `queries.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import select

from ..deadlines import utcnow
from ..extensions import db
from ..models import MailMessage, MailStatus, Notification, Role, UnitPosition, User


@dataclass(frozen=True)
class Kind:
    label: str  # as the user reads it in the list and in their e-mail settings
    for_units: bool  # told to a unit's staff (else to Phòng Nội vụ's reviewers)


# Every kind of notification. A user may turn off the e-mail of any kind; the bell always shows.
KINDS = {
    "directive.reached": Kind("Văn bản chỉ đạo mới giao cho đơn vị", True),
    "task.added": Kind("Nhiệm vụ được bổ sung", True),
    "task.deadline": Kind("Thời hạn nhiệm vụ thay đổi", True),
    "review.returned": Kind("Nhiệm vụ bị yêu cầu bổ sung", True),
    "review.approved": Kind("Nhiệm vụ được duyệt Đạt", True),
    "extension.decided": Kind("Kết quả xin gia hạn", True),
    "deadline.soon": Kind("Nhắc hạn: sắp đến hạn (7, 3, 1 ngày)", True),
    "deadline.passed": Kind("Nhắc hạn: đã quá hạn", True),
    "reminder": Kind("Nhắc nhở của Phòng Nội vụ", True),
    "digest.unit": Kind("Tổng hợp việc còn mở của đơn vị", True),
    "talk.to_unit": Kind("Trao đổi mới của Phòng Nội vụ về nhiệm vụ", True),
    "item.assigned": Kind("Được phân công thực hiện nhiệm vụ", True),
    "signoff.requested": Kind("Cán bộ trình lãnh đạo đơn vị", True),
    "signoff.returned": Kind("Lãnh đạo đơn vị trả lại nhiệm vụ", True),
    "items.submitted": Kind("Đơn vị gửi duyệt", False),
    "late.explained": Kind("Giải trình nộp muộn", False),
    "extension.requested": Kind("Đơn vị xin gia hạn", False),
    "talk.to_reviewers": Kind("Trao đổi mới của đơn vị về nhiệm vụ", False),
    "digest.overdue": Kind("Tổng hợp đơn vị có nhiệm vụ quá hạn", False),
}


def unit_staff(unit_id: int) -> list[User]:
    """The active staff accounts of a unit: who is told what concerns the unit."""
    return staff_by_unit([unit_id]).get(unit_id, [])


def staff_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active staff accounts of several units, in one query."""
    wanted = set(unit_ids)
    if not wanted:
        return {}
    found: dict[int, list[User]] = {}
    for user in db.session.scalars(
        select(User).where(User.unit_id.in_(wanted), User.role == Role.UNIT, User.active)
        .order_by(User.id)
    ):
        found.setdefault(user.unit_id, []).append(user)
    return found


def item_people(unit_id: int, assignees: Iterable[User] = ()) -> list[User]:
    """Who inside a unit answers for one item: its assignees and the unit's heads, or, while
    nobody is assigned, all its active staff."""
    staff = unit_staff(unit_id)
    wanted = {user.id for user in assignees}
    if not wanted:
        return staff
    return [user for user in staff if user.id in wanted or user.position is UnitPosition.HEAD]


def unit_heads(unit_id: int) -> list[User]:
    """The unit's active heads (and deputies given the same right)."""
    return [user for user in unit_staff(unit_id) if user.position is UnitPosition.HEAD]


def reviewers() -> list[User]:
    """Phòng Nội vụ's active reviewers. Leaders are never told anything that asks for action."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.REVIEWER, User.active).order_by(User.id)
    ))


def notify_unit(unit_id: int, kind: str, title: str, **details) -> list[Notification]:
    """Tell a unit's staff; `details` as for `notify`."""
    assert KINDS[kind].for_units, kind
    return notify(unit_staff(unit_id), kind, title, unit_id=unit_id, **details)


def notify_units(kind: str, messages: Iterable[tuple[int, str, dict]]) -> list[Notification]:
    """Tell several units at once, each its own (unit id, title, details as for `notify`): one
    query finds every unit's staff, however many units a change reaches."""
    assert KINDS[kind].for_units, kind
    messages = list(messages)
    staff = staff_by_unit(unit_id for unit_id, _, _ in messages)
    made = []
    for unit_id, title, details in messages:
        made += notify(staff.get(unit_id, []), kind, title, unit_id=unit_id, **details)
    return made


def notify_reviewers(kind: str, title: str, **details) -> list[Notification]:
    """Tell Phòng Nội vụ's reviewers; `details` as for `notify`."""
    assert not KINDS[kind].for_units, kind
    return notify(reviewers(), kind, title, **details)


def _fit(text: str, limit: int) -> str:
    """Text cut to its column's length (PostgreSQL refuses longer), marked where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notify(
    users: Iterable[User],
    kind: str,
    title: str,
    *,
    body: str = "",
    url: str = "",
    progress_id: int | None = None,
    directive_id: int | None = None,
    unit_id: int | None = None,
    group_key: str | None = None,
    dedupe_key: str | None = None,
    group_title: str = "",
    group_url: str = "",
) -> list[Notification]:
    """Add a notification for each user, in the current transaction, and queue its e-mail.

    With `group_key`, a user's unread notification with the same key is counted up and brought
    to the top instead of a new line being added (and no new e-mail is queued); it then reads
    `group_title` ("{count}" replaced by the new count) and leads to `group_url`, when given, as
    it is about several things. With `dedupe_key`, a user who already has a notification with
    that key gets nothing more.
    """
    users = list(users)
    if not users:
        return []
    ids = [user.id for user in users]
    told = set()
    if dedupe_key:
        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(ids), Notification.dedupe_key == dedupe_key
        )))
    unread: dict[int, Notification] = {}
    if group_key:
        unread = {found.user_id: found for found in db.session.scalars(
            select(Notification).where(
                Notification.user_id.in_(ids), Notification.group_key == group_key,
                Notification.read_at.is_(None),
            ).order_by(Notification.id)
        )}
    now = utcnow()
    title, body, url = _fit(title, 300), body.strip(), _fit(url, 500)
    made = []
    for user in users:
        if user.id in told:
            continue
        grouped = unread.get(user.id)
        if grouped is not None:
            grouped.count += 1
            grouped.title = _fit(group_title.replace("{count}", str(grouped.count)), 300) \
                if group_title else title
            grouped.body, grouped.updated_at = body, now
            if group_url:
                grouped.url, grouped.progress_id = _fit(group_url, 500), None
            made.append(grouped)
            continue
        notification = Notification(
            user_id=user.id, kind=kind, title=title, body=body, url=url,
            progress_id=progress_id, directive_id=directive_id, unit_id=unit_id,
            group_key=group_key, dedupe_key=dedupe_key, count=1, created_at=now,
            updated_at=now,
        )
        db.session.add(notification)
        made.append(notification)
        queue_mail(user, kind, title, body, url)
    return made


def path_for(endpoint: str, **values) -> str:
    """A path inside the portal ("/items/12"), for a notification's link: built from the URL map,
    so that it works outside a request too (commands, the demo data)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def mail_enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def absolute_url(path: str) -> str:
    """A portal path as a link that works from a mail reader."""
    return current_app.config["BASE_URL"].rstrip("/") + path if path else ""


def queue_mail(user: User, kind: str, title: str, body: str, url: str) -> MailMessage | None:
    """Queue the e-mail of a notification, if a mail server is set, the user has an address and
    has not turned this kind off."""
    if not mail_enabled() or not user.email or kind in (user.mail_kinds_off or []):
        return None
    link = absolute_url(url)
    context = {"user": user, "title": title, "body": body, "link": link,
               "kind_label": KINDS[kind].label}
    now = utcnow()
    message = MailMessage(
        user_id=user.id,
        to_address=user.email,
        kind=kind,
        subject=f"[Cổng CCHC] {title}"[:300],
        text_body=render_template("mail/notification.txt", **context),
        html_body=render_template("mail/notification.html", **context),
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )
    db.session.add(message)
    return message


def queue_account_mail(user: User, kind: str, subject: str, template: str,
                       **context) -> MailMessage | None:
    """Queue an e-mail about the user's own account ("Quên mật khẩu"), which no setting turns
    off: `template` names mail/<template>.txt and .html. None without a mail server or address."""
    if not mail_enabled() or not user.email:
        return None
    context = {"user": user, **context}
    now = utcnow()
    message = MailMessage(
        user_id=user.id,
        to_address=user.email,
        kind=kind,
        subject=f"[Cổng CCHC] {subject}"[:300],
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )
    db.session.add(message)
    return message
