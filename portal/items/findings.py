"""What is done to one finding (hạn chế, khuyết điểm): Phòng Nội vụ (or an administrator) records
it under a unit's item and withdraws it; the unit answers it, fixed with evidence or not fixed
with a reason; Phòng Nội vụ reviews the answer. Each change is audited with the item and committed
here; a change moves the directive's revision, as the matrix shows findings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..models import (
    Finding,
    FindingAnswer,
    FindingField,
    FindingReview,
    Progress,
    ProgressStatus,
    Task,
    User,
)
from ..notifications import events as notify
from ..permissions import may_work_on_unit
from .actions import ItemLocked, check_editable

TEXT_MAX = 2000
NOTE_MAX = 2000
# The fields (lĩnh vực) of an administrative-reform inspection, which a new portal starts with
# (migration 0017 writes the same list into an existing database).
FIELDS = [
    "Công tác chỉ đạo, điều hành",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng, phát triển chính quyền điện tử, chính quyền số",
]


def ensure_fields() -> None:
    """The usual fields, where there are none yet (a database made without migrations)."""
    if db.session.scalar(select(FindingField.id).limit(1)) is None:
        db.session.add_all(FindingField(name=name, position=n)
                           for n, name in enumerate(FIELDS, start=1))


class FindingRefused(ValueError):
    """Why the change cannot be made, in Vietnamese."""


def snapshot(finding: Finding) -> dict:
    return {
        "finding_id": finding.id, "code": finding.code, "text": finding.text,
        "field_id": finding.field_id,
        "deadline": finding.deadline.isoformat() if finding.deadline else None,
        "withdrawn": finding.withdrawn,
        "answer": finding.answer.value if finding.answer else None,
        "answer_note": finding.answer_note,
        "review": finding.review.value if finding.review else None,
        "review_comment": finding.review_comment,
    }


def add(item: Progress, user: User, code: str, text: str, field_id: int | None,
        deadline: date | None) -> Finding:
    """Record a finding under a unit's item (one the unit leads, not a supporting one)."""
    finding = _record(item, user, code, text, field_id, deadline, {})
    db.session.commit()
    return finding


def add_many(entries: list[dict], user: User, file_name: str) -> list[Finding]:
    """Record findings brought in from a file, all or none: each entry names its item
    (`item_id`) and the finding (`code`, `text`, `field_id`, `deadline` as ISO date or None);
    each is audited as one added by hand, with the file it came from."""
    source = {"source": "import", "file_name": file_name}
    added = []
    try:
        for entry in entries:
            item = db.session.get(Progress, entry["item_id"])
            if item is None:
                raise FindingRefused("Một nhiệm vụ vừa bị xoá trong lúc nhập; chưa ghi gì.")
            deadline = date.fromisoformat(entry["deadline"]) if entry["deadline"] else None
            added.append(_record(item, user, entry["code"], entry["text"], entry["field_id"],
                                 deadline, source))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return added


def _record(item: Progress, user: User, code: str, text: str, field_id: int | None,
            deadline: date | None, source: dict) -> Finding:
    if item.supporting:
        raise FindingRefused("Hạn chế ghi cho đơn vị chủ trì nhiệm vụ, không cho đơn vị phối hợp.")
    if item.status is ProgressStatus.APPROVED:
        raise FindingRefused("Nhiệm vụ đã «Đạt»: mở lại nhiệm vụ trước khi thêm hạn chế.")
    if may_work_on_unit(user, item.unit_id):  # a unit recording its own, while it may change it
        check_editable(item, user)
    position = db.session.scalar(
        select(func.coalesce(func.max(Finding.position), 0)).where(Finding.progress_id == item.id)
    ) + 1
    finding = Finding(progress_id=item.id, code=code.strip() or str(position), text=text.strip(),
                      field_id=field_id, deadline=deadline, position=position,
                      created_at=utcnow())
    db.session.add(finding)
    db.session.flush()
    audit.record("finding.add", item, unit_id=item.unit_id, user=user,
                 after=snapshot(finding) | source)
    return finding


def carry_over(source_id: int, target_id: int) -> int:
    """Each finding of directive `source_id` its unit had not fixed (not withdrawn, on an item
    shown) recorded again, unanswered, under the same unit's item of the task with the same code
    in directive `target_id`, audited with where it came from; in the caller's transaction.
    Returns how many were carried."""
    old_task, new_task = aliased(Task), aliased(Task)
    old_item, new_item = aliased(Progress), aliased(Progress)
    rows = db.session.execute(
        select(Finding, new_item)
        .join(old_item, old_item.id == Finding.progress_id)
        .join(old_task, old_task.id == old_item.task_id)
        .join(new_task, (new_task.code == old_task.code) & (new_task.directive_id == target_id))
        .join(new_item, (new_item.task_id == new_task.id)
              & (new_item.unit_id == old_item.unit_id))
        .where(old_task.directive_id == source_id, Finding.withdrawn.is_(False),
               old_item.hidden.is_(False), new_item.hidden.is_(False),
               new_item.supporting.is_(False),
               (Finding.answer.is_(None)) | (Finding.answer != FindingAnswer.FIXED))
        .order_by(old_item.unit_id, old_task.position, Finding.position, Finding.id)
    ).all()
    for old, item in rows:
        carried = Finding(progress_id=item.id, code=old.code, text=old.text,
                          field_id=old.field_id, position=old.position, created_at=utcnow())
        db.session.add(carried)
        db.session.flush()
        audit.record("finding.add", item, unit_id=item.unit_id, after=snapshot(carried) | {
            "source": "carried", "from_finding_id": old.id, "from_directive_id": source_id})
    return len(rows)


def edit(item: Progress, finding: Finding, user: User, code: str, text: str,
         field_id: int | None, deadline: date | None) -> None:
    """Correct what a finding says (its code, words, field, deadline); its answer stays."""
    before = snapshot(finding)
    finding.code = code.strip() or finding.code
    finding.text = text.strip()
    finding.field_id = field_id
    finding.deadline = deadline
    after = snapshot(finding)
    if after == before:
        db.session.rollback()
        return
    audit.record("finding.edit", item, unit_id=item.unit_id, user=user, before=before,
                 after=after)
    db.session.commit()


def set_withdrawn(item: Progress, finding: Finding, user: User, withdrawn: bool) -> None:
    """Withdraw a finding (kept, no longer shown or counted), or restore it."""
    if finding.withdrawn == withdrawn:
        return
    finding.withdrawn = withdrawn
    audit.record("finding.withdraw" if withdrawn else "finding.restore", item,
                 unit_id=item.unit_id, user=user, after=snapshot(finding))
    db.session.commit()


def answer(item: Progress, finding: Finding, user: User, fixed: bool, note: str) -> None:
    """The unit's answer: fixed (đã khắc phục), with at least one piece of evidence attached to
    the finding; or not fixed (chưa khắc phục được), with the reason (giải trình)."""
    check_editable(item, user)
    note = note.strip()
    if fixed and not finding.evidence:
        raise FindingRefused("Đính kèm tài liệu kiểm chứng cho hạn chế này trước khi báo «Đã khắc "
                             "phục».")
    if not fixed and not note:
        raise FindingRefused("Hãy giải trình lý do chưa khắc phục được.")
    before = snapshot(finding)
    finding.answer = FindingAnswer.FIXED if fixed else FindingAnswer.NOT_FIXED
    finding.answer_note = note
    finding.answered_at = utcnow()
    finding.answered_by_id = user.id
    after = snapshot(finding)
    if after == before:
        db.session.rollback()
        return
    finding.review = None  # a new answer waits for Phòng Nội vụ again
    audit.record("finding.answer", item, unit_id=item.unit_id, user=user, before=before,
                 after=snapshot(finding))
    db.session.commit()


def review(item: Progress, finding: Finding, user: User, approve: bool, comment: str) -> None:
    """Phòng Nội vụ's verdict on one answered finding. Returning one returns its item too, with
    the finding named, when the item was waiting for review."""
    if finding.answer is None:
        raise FindingRefused("Đơn vị chưa trả lời hạn chế này.")
    comment = comment.strip()
    if not approve and not comment:
        raise FindingRefused("Hãy ghi rõ nội dung đơn vị cần bổ sung.")
    before = snapshot(finding)
    finding.review = FindingReview.APPROVED if approve else FindingReview.RETURNED
    finding.review_comment = comment
    finding.reviewed_at = utcnow()
    finding.reviewed_by_id = user.id
    audit.record("finding.review", item, unit_id=item.unit_id, user=user, before=before,
                 after=snapshot(finding))
    if not approve and item.status is ProgressStatus.SUBMITTED:
        words = f"Hạn chế {finding.code}: {comment}"
        item.status = ProgressStatus.RETURNED
        item.review_comment = words
        item.reviewed_at = utcnow()
        item.reviewed_by_id = user.id
        audit.record("review.return", item, unit_id=item.unit_id, user=user,
                     after={"status": item.status.value, "review_comment": words})
        notify.item_returned(item, words)
    db.session.commit()


__all__ = ["FindingRefused", "ItemLocked", "add", "add_many", "answer", "review", "set_withdrawn"]
