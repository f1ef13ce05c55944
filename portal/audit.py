"""The audit log: every change is written with who, when, what, before and after, through
record() only; and the chain of hashes that makes the log tamper-evident.

Each event carries the SHA-256 of its own fields and of the hash of the event before it (by id),
so that an event edited or deleted in the database breaks the chain at that point, and
`flask --app portal verify-audit` names it. The hashes are computed when the transaction that
added the events commits (events may still be amended before then, in the same transaction):

- on SQLite a transaction that has written holds the database's only write lock until it commits,
  so nobody else can add an event between reading the last hash and committing;
- on PostgreSQL the first flush that adds an event takes a transaction-level advisory lock
  (pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)), held until commit or rollback: writers of audit events
  queue there, so two transactions never chain to the same predecessor and ids are handed out in
  the order of the chain.

Once committed an event is never changed or deleted through the ORM (before_flush refuses it).
Deleting the newest events leaves a shorter chain that still verifies: verify-audit prints the
last hash so that it can be noted elsewhere (a report, a mail) and compared later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from .deadlines import utcnow
from .extensions import db
from .models import AuditEvent, User

# What each action reads as in an item's history and in the audit log's page.
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
    "reminder.send": "Nhắc nhở",
    "message.write": "Gửi trao đổi",
    "item.assign": "Phân công",
    "finding.add": "Thêm hạn chế cần khắc phục",
    "finding.edit": "Sửa hạn chế",
    "finding_field.add": "Thêm lĩnh vực của hạn chế",
    "finding.withdraw": "Rút hạn chế",
    "finding.restore": "Khôi phục hạn chế",
    "finding.answer": "Trả lời hạn chế",
    "finding.review": "Duyệt hạn chế",
    "progress.send_up": "Trình lãnh đạo đơn vị",
    "progress.return_to_officer": "Lãnh đạo đơn vị trả lại cán bộ",
    "message.delete": "Xoá tin nhắn trao đổi",
    "login": "Đăng nhập",
    "login.failed": "Đăng nhập không thành công",
    "login.locked": "Tạm khoá đăng nhập do sai nhiều lần",
    "login.no_account": "Đăng nhập bằng danh tính chưa có tài khoản trên cổng",
    "login.directory_unavailable": "Không kết nối được máy chủ thư mục (LDAP)",
    "login.identity_refused": "Máy chủ xác thực dùng chung trả lời không hợp lệ",
    "login.identity_unavailable": "Không kết nối được máy chủ xác thực dùng chung",
    "password.reset_request": "Yêu cầu đặt lại mật khẩu qua thư",
    "password.reset_limited": "Từ chối yêu cầu đặt lại mật khẩu do quá nhiều lần",
    "password.reset": "Đặt mật khẩu mới bằng liên kết qua thư",
    "logout": "Đăng xuất",
    "password.change": "Đổi mật khẩu",
    "access.denied": "Bị từ chối truy cập",
    "account.mail_settings": "Đổi cài đặt thư điện tử",
    "unit.create": "Tạo đơn vị",
    "unit.update": "Sửa đơn vị",
    "unit.move": "Đổi thứ tự đơn vị",
    "unit.sort": "Sắp xếp lại đơn vị",
    "unit.deactivate": "Ngừng hoạt động đơn vị",
    "unit.reactivate": "Cho đơn vị hoạt động lại",
    "area.create": "Tạo địa bàn",
    "area.update": "Sửa địa bàn",
    "area.delete": "Xoá địa bàn",
    "user.create": "Tạo tài khoản",
    "user.update": "Sửa tài khoản",
    "user.password_reset": "Đặt lại mật khẩu",
    "user.deactivate": "Khoá tài khoản",
    "user.reactivate": "Mở lại tài khoản",
    "directive.import": "Nhập công văn thành bản nháp",
    "directive.reimport": "Nhập lại bản nháp từ văn bản công văn đã sửa",
    "directive.create": "Tạo văn bản chỉ đạo",
    "directive.update": "Sửa thông tin văn bản",
    "directive.delete": "Xoá bản nháp",
    "directive.publish": "Ban hành văn bản",
    "directive.close": "Kết thúc văn bản",
    "directive.reopen": "Mở lại văn bản",
    "directive.archive": "Lưu trữ văn bản",
    "directive.unarchive": "Đưa văn bản ra khỏi lưu trữ",
    "directive.copy": "Sao chép văn bản sang chu kỳ mới",
    "directive.inspected": "Sửa danh sách đơn vị được kiểm tra",
    "task.add": "Thêm nhiệm vụ",
    "task.change": "Sửa nhiệm vụ",
    "task.delete": "Xoá nhiệm vụ",
    "task.move": "Đổi thứ tự nhiệm vụ",
    "task.merge": "Gộp nhiệm vụ",
    "task.split": "Tách nhiệm vụ",
    "task.withdraw": "Rút nhiệm vụ khỏi văn bản",
    "task.restore": "Khôi phục nhiệm vụ",
    "progress.added": "Giao nhiệm vụ cho đơn vị",
    "progress.hidden": "Nhiệm vụ không còn giao cho đơn vị",
    "progress.restored": "Giao lại nhiệm vụ cho đơn vị",
    "mail.retry": "Gửi lại thư điện tử",
    "scoring.update": "Sửa cách tính điểm xếp loại đơn vị",
}


def describe(event: AuditEvent) -> str:
    """One line for an item's history: the action and what it carried."""
    label = ACTION_LABELS.get(event.action, event.action)
    details = event.after or event.before or {}
    if event.action == "item.assign":
        return f"{label}: {_assignment_words(details)}"
    if event.action == "progress.return_to_officer":
        return f"{label}: {details.get('head_comment', '')}"
    if event.action == "progress.send_up":
        return label
    if event.action.startswith("finding."):
        return f"{label} {details.get('code', '')}: " + (
            details.get("review_comment") or details.get("answer_note") or details.get("text")
            or "")
    extra = details.get("file_name") or details.get("url") or details.get("review_comment") \
        or details.get("reason") or details.get("note") or details.get("message") or ""
    return f"{label}: {extra}" if extra else label


def _assignment_words(state: dict) -> str:
    """An assignment as the item's history reads it: who, by when, with what note."""
    names = state.get("names") or state.get("officers") or []
    if not names:
        return "bỏ phân công"
    words = ", ".join(names)
    if state.get("due_on"):
        words += f"; hạn nội bộ {date.fromisoformat(state['due_on']).strftime('%d/%m/%Y')}"
    if state.get("note"):
        words += f"; ghi chú: {state['note']}"
    return words


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


# --- the chain of hashes -------------------------------------------------------------------------

# The key of the PostgreSQL advisory lock that orders writers of audit events ("audit" in ASCII).
AUDIT_CHAIN_LOCK = 0x6175646974
# The fields an event's hash covers, in the canonical JSON they are hashed as.
HASHED_FIELDS = ("id", "at", "user_id", "username", "action", "target_type", "target_id",
                 "unit_id", "before", "after", "ip")
_PENDING = "audit_ids_to_chain"  # session.info: ids of events added in this transaction


def audit_denial(status: int) -> None:
    """Record a refused request (403, or 401 for a visitor) in the audit log, in a transaction of
    its own: whatever the request had begun is rolled back first, and a failure to record never
    turns the refusal into an error."""
    db.session.rollback()
    try:
        record("access.denied", after={
            "method": request.method,
            "path": request.path[:500],
            "endpoint": request.endpoint or "",
            "status": status,
        })
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Could not record the refusal of %s", request.path)


def event_hash(fields, prev_hash: str) -> str:
    """SHA-256 of an event's fields (a mapping, as read from the database) and the hash before it.

    The format is part of every stored chain (and of migration 0007): never change it.
    """
    document = {name: fields[name] for name in HASHED_FIELDS}
    at = document["at"]
    document["at"] = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    document["prev_hash"] = prev_hash
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _table_columns():
    table = AuditEvent.__table__
    return [table.c[name] for name in HASHED_FIELDS]


def chain_events(connection: sa.Connection, ids: list[int]) -> None:
    """Fill prev_hash and hash of these (new) events, in id order, after the last event before
    them. The caller holds the lock that keeps other writers out (see the module's docstring)."""
    table = AuditEvent.__table__
    rows = connection.execute(
        sa.select(*_table_columns()).where(table.c.id.in_(ids)).order_by(table.c.id)
    ).mappings().all()
    if not rows:
        return
    prev_hash = connection.scalar(
        sa.select(table.c.hash)
        .where(table.c.id < rows[0]["id"], table.c.hash.is_not(None))
        .order_by(table.c.id.desc())
        .limit(1)
    ) or ""
    for row in rows:
        own = event_hash(row, prev_hash)
        connection.execute(
            sa.update(table).where(table.c.id == row["id"]).values(prev_hash=prev_hash, hash=own)
        )
        prev_hash = own


@sa.event.listens_for(Session, "before_flush")
def _guard_and_lock(session: Session, _context, _instances) -> None:
    pending = session.info.get(_PENDING, set())
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and obj.id not in pending and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise RuntimeError(f"audit event {obj.id} is already committed: it cannot change")
    if not any(isinstance(obj, AuditEvent) for obj in session.new):
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not session.info.get("audit_locked"):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)))
        session.info["audit_locked"] = True


@sa.event.listens_for(Session, "after_flush")
def _remember_new_events(session: Session, _context) -> None:
    ids = {obj.id for obj in session.new if isinstance(obj, AuditEvent)}
    if ids:
        session.info.setdefault(_PENDING, set()).update(ids)


@sa.event.listens_for(Session, "before_commit")
def _chain_new_events(session: Session) -> None:
    session.flush()  # events still pending get their ids (and the lock) now
    ids = session.info.get(_PENDING)
    if ids:
        chain_events(session.connection(), sorted(ids))


@sa.event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop("audit_locked", None)


@dataclass
class ChainCheck:
    """What verify_chain found: how many events it read, and the first broken link if any."""

    count: int
    last_hash: str
    broken_id: int | None = None
    problem: str = ""


def verify_chain(connection: sa.Connection) -> ChainCheck:
    """Read every event in id order and recompute the chain; stop at the first broken link."""
    table = AuditEvent.__table__
    rows = connection.execution_options(yield_per=2000).execute(
        sa.select(*_table_columns(), table.c.prev_hash, table.c.hash).order_by(table.c.id)
    ).mappings()
    count, prev_hash, prev_id = 0, "", None
    for row in rows:
        count += 1
        after = f"sự kiện #{prev_id}" if prev_id is not None else "đầu nhật ký"
        if row["hash"] is None:
            return ChainCheck(count, prev_hash, row["id"], "không có mã băm (được thêm ngoài ứng "
                              "dụng hoặc chưa được niêm phong)")
        if row["prev_hash"] != prev_hash:
            return ChainCheck(count, prev_hash, row["id"],
                              f"không nối tiếp {after}: sự kiện liền trước đã bị xoá hoặc sửa")
        if event_hash(row, prev_hash) != row["hash"]:
            return ChainCheck(count, prev_hash, row["id"],
                              "nội dung không khớp mã băm: sự kiện này đã bị sửa")
        prev_hash, prev_id = row["hash"], row["id"]
    return ChainCheck(count, prev_hash)
