"""An audit event as a person reads it: the kind of event in Vietnamese (`audit.describe`), what
it concerned, and its before and after as labelled values, the same on the page and in the
export."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ...audit import ACTION_LABELS, describe
from ...models import AuditEvent, ProgressStatus, Role, TaskKind, UnitKind

# What the stored keys of before and after read as; a key not named here shows as stored.
FIELD_LABELS = {
    "status": "Trạng thái", "note": "Ghi chú", "numerator": "Tử số", "denominator": "Mẫu số",
    "quantity": "Số lượng", "late_reason": "Giải trình chậm", "review_comment": "Ý kiến duyệt",
    "file_name": "Tệp", "url": "Đường dẫn", "reason": "Lý do", "message": "Nội dung",
    "name": "Tên", "short_name": "Tên ngắn", "kind": "Loại", "position": "Thứ tự",
    "active": "Đang hoạt động", "username": "Tên đăng nhập", "full_name": "Họ tên",
    "role": "Vai trò", "unit_id": "Mã đơn vị", "email": "Thư điện tử", "slug": "Mã văn bản",
    "title": "Tiêu đề", "code": "Số hiệu", "text": "Nội dung", "deadline": "Hạn",
    "granted_deadline": "Hạn được gia hạn", "proposed_deadline": "Hạn đề nghị",
    "number": "Số, ký hiệu", "issuer": "Cơ quan ban hành", "date_line": "Địa danh, ngày tháng",
    "issued_on": "Ngày ban hành", "year": "Năm", "subject": "Trích yếu", "signer": "Người ký",
    "signer_title": "Chức vụ người ký", "deadline_day_counts": "Tính cả ngày hạn",
    "sign_off_required": "Lãnh đạo đơn vị ký duyệt trước khi gửi",
    "units": "Đơn vị", "method": "Phương thức", "path": "Địa chỉ", "status_code": "Mã trả lời",
    "endpoint": "Chức năng", "until": "Đến", "measure": "Số liệu", "target": "Chỉ tiêu",
    "audience": "Đơn vị thực hiện", "lead_unit_id": "Mã đơn vị chủ trì", "size": "Dung lượng",
    "area_id": "Mã địa bàn", "parent_id": "Mã địa bàn cấp trên",
}
TARGET_LABELS = {"Progress": "Nhiệm vụ của đơn vị", "Task": "Nhiệm vụ", "Directive": "Văn bản",
                 "Unit": "Đơn vị", "Area": "Địa bàn", "User": "Tài khoản",
                 "MailMessage": "Thư điện tử"}
# Stored enum values read as their labels.
VALUE_LABELS = {
    "status": {s.value: s.label for s in ProgressStatus},
    "role": {r.value: r.label for r in Role},
    "kind": {k.value: k.label for k in (*UnitKind, *TaskKind)},
}


def value_text(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str):
        return VALUE_LABELS.get(key, {}).get(value, value)
    if isinstance(value, list):
        return ", ".join(str(each) for each in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Change:
    """One field of an event: its label, the value before and after ("" where not recorded)."""

    label: str
    before: str
    after: str


def changes(event: AuditEvent) -> list[Change]:
    """The fields the event recorded, in the order first seen, with labelled values."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict):
        before = {"": before}
    if not isinstance(after, dict):
        after = {"": after}
    keys = list(dict.fromkeys([*before, *after]))
    return [Change(FIELD_LABELS.get(key, key),
                   value_text(key, before[key]) if key in before else "",
                   value_text(key, after[key]) if key in after else "") for key in keys]


def action_label(event: AuditEvent) -> str:
    return ACTION_LABELS.get(event.action, event.action)


def summary(event: AuditEvent) -> str:
    return describe(event)


def target_text(event: AuditEvent) -> str:
    if not event.target_type:
        return ""
    label = TARGET_LABELS.get(event.target_type, event.target_type)
    return f"{label} #{event.target_id}" if event.target_id is not None else label
