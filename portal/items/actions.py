"""What a unit does to its item: start, note and figures, evidence, submit. Each change is audited
in the same transaction as the change itself, and committed here; a submission and a request
for an extension are also told to Phòng Nội vụ's reviewers."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from .. import audit, storage
from ..deadlines import is_late, last_day, today, utcnow
from ..extensions import db
from ..models import (
    Evidence,
    EvidenceKind,
    Extension,
    FindingReview,
    Measure,
    Progress,
    ProgressStatus,
    TaskKind,
    Unit,
    User,
)
from ..notifications import events as notify
from ..permissions import heads_unit


class ItemLocked(ValueError):
    """The item is with the reviewer (or approved) and cannot be changed by the unit."""


class NotReadyToSubmit(ValueError):
    """What is still missing before the item can be submitted, in Vietnamese."""


def snapshot(item: Progress) -> dict:
    """The item's state as the audit log keeps it, before and after a change."""
    return {
        "status": item.status.value,
        "note": item.note,
        "numerator": item.numerator,
        "denominator": item.denominator,
        "quantity": item.quantity,
        "late_reason": item.late_reason,
        "review_comment": item.review_comment,
        "awaiting_head": item.awaiting_head_since is not None,
        "head_comment": item.head_comment,
    }


AWAITING_HEAD = ("Nhiệm vụ đang chờ lãnh đạo đơn vị xem xét; cán bộ chỉ sửa tiếp khi lãnh đạo "
                 "trả lại.")


def check_editable(item: Progress, user: User) -> None:
    if not item.status.editable_by_unit:
        raise ItemLocked(
            f"Nhiệm vụ đang ở trạng thái «{item.status.label}», đơn vị không thể sửa."
        )
    if item.awaiting_head and not heads_unit(user, item.unit_id):
        raise ItemLocked(AWAITING_HEAD)


def _touch(item: Progress) -> None:
    """Mark the item changed; a first change also moves it to 'in progress'."""
    now = utcnow()
    if item.status is ProgressStatus.NOT_STARTED:
        item.status = ProgressStatus.IN_PROGRESS
        item.started_at = now
    item.updated_at = now


def start(item: Progress, user: User) -> None:
    check_editable(item, user)
    if item.status is not ProgressStatus.NOT_STARTED:
        return
    before = snapshot(item)
    _touch(item)
    audit.record("progress.start", item, unit_id=item.unit_id, before=before,
                 after=snapshot(item), user=user)
    db.session.commit()


def save(item: Progress, user: User, note: str, figures: dict[str, int | None]) -> None:
    check_editable(item, user)
    before = snapshot(item)
    item.note = note.strip()
    for name, value in figures.items():
        setattr(item, name, value)
    after = snapshot(item)
    if after == before:
        return
    _touch(item)
    audit.record("progress.save", item, unit_id=item.unit_id, before=before,
                 after=snapshot(item), user=user)
    db.session.commit()


def add_file(item: Progress, user: User, upload: FileStorage,
             finding_id: int | None = None) -> Evidence:
    """Keep an uploaded file; raises storage.EvidenceRejected with the reason if it cannot be
    (storage.QuotaExceeded when the unit's files would pass its quota). The file is on disk
    before its row is committed, and removed again if the commit fails."""
    check_editable(item, user)
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * storage.MB
    # Checked while reading, so that an upload over the quota stops early...
    stored = storage.save(upload, max_bytes, unit_quota(item.unit_id))
    try:
        # ...and again under the unit's lock, against uploads committed meanwhile.
        db.session.execute(
            select(Unit.id).where(Unit.id == item.unit_id).with_for_update(key_share=True)
        )
        quota = unit_quota(item.unit_id)
        if stored.size > quota.room:
            raise quota.refuse(stored.size)
        evidence = Evidence(
            progress_id=item.id,
            finding_id=finding_id,
            kind=EvidenceKind.FILE,
            file_name=stored.file_name,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            created_at=utcnow(),
            created_by_id=user.id,
        )
        db.session.add(evidence)
        _touch(item)
        db.session.flush()
        audit.record("evidence.add", item, unit_id=item.unit_id, user=user, after={
            "evidence_id": evidence.id, "file_name": stored.file_name, "size": stored.size,
            "sha256": stored.sha256,
        } | ({"finding_id": finding_id} if finding_id else {}))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.discard(stored.stored_name)
        raise
    return evidence


def unit_quota(unit_id: int) -> storage.Quota:
    """What the unit's evidence files take now, against UNIT_QUOTA_MB."""
    used = db.session.scalar(
        select(func.coalesce(func.sum(Evidence.size), 0))
        .join(Progress, Progress.id == Evidence.progress_id)
        .where(Progress.unit_id == unit_id, Evidence.kind == EvidenceKind.FILE)
    )
    return storage.Quota(used=int(used), limit=current_app.config["UNIT_QUOTA_MB"] * storage.MB)


def add_link(item: Progress, user: User, url: str) -> Evidence:
    check_editable(item, user)
    evidence = Evidence(
        progress_id=item.id,
        kind=EvidenceKind.LINK,
        url=url,
        created_at=utcnow(),
        created_by_id=user.id,
    )
    db.session.add(evidence)
    _touch(item)
    db.session.flush()
    audit.record("evidence.add", item, unit_id=item.unit_id, user=user,
                 after={"evidence_id": evidence.id, "url": url})
    db.session.commit()
    return evidence


def remove_evidence(item: Progress, user: User, evidence: Evidence) -> None:
    """Delete one piece of evidence; the file goes only after its row is gone."""
    check_editable(item, user)
    before = {"evidence_id": evidence.id, "kind": evidence.kind.value,
              "file_name": evidence.file_name, "url": evidence.url, "sha256": evidence.sha256}
    stored_name = evidence.stored_name
    audit.record("evidence.remove", item, unit_id=item.unit_id, user=user, before=before)
    db.session.delete(evidence)
    _touch(item)
    db.session.commit()
    if stored_name:
        storage.discard(stored_name)


def missing_for_submission(item: Progress) -> list[str]:
    """What the item still lacks before it can go to Phòng Nội vụ."""
    task = item.task
    has_file = any(e.kind is EvidenceKind.FILE for e in item.evidence)
    missing = []
    open_findings = [f for f in item.findings
                     if f.answer is None or f.review is FindingReview.RETURNED]
    if open_findings:
        missing.append(f"Trả lời {len(open_findings)} hạn chế còn lại (đã khắc phục, kèm tài liệu; "
                       "hoặc chưa khắc phục được, kèm giải trình).")
    if task.measure is Measure.PERCENT and item.percent is None:
        missing.append("Nhập số đạt và tổng số để tính tỷ lệ.")
    if task.measure is Measure.COUNT and item.quantity is None:
        missing.append("Nhập số lượng.")
    if task.kind in (TaskKind.REPORT, TaskKind.DOCUMENT) and not has_file:
        missing.append("Đính kèm tệp văn bản (báo cáo, kế hoạch) làm tài liệu kiểm chứng.")
    if task.kind is TaskKind.ACTION and not item.evidence and not item.note.strip():
        missing.append("Ghi kết quả thực hiện hoặc đính kèm tài liệu kiểm chứng (tệp, đường dẫn).")
    return missing


SUPPORTING_ONLY = ("Đơn vị phối hợp không gửi duyệt và không xin gia hạn: tài liệu, ghi chú đã "
                   "đính kèm được đơn vị chủ trì và Phòng Nội vụ xem cùng nhiệm vụ.")


def _ready(item: Progress, late_reason: str) -> str:
    """The explanation (giải trình) the item goes with, or NotReadyToSubmit with what it lacks:
    after the deadline one is needed (the one an officer sent up with it counts for the head)."""
    if item.supporting:
        raise NotReadyToSubmit(SUPPORTING_ONLY)
    missing = missing_for_submission(item)
    if item.awaiting_head:  # the head sends on what the officer explained, unless rewritten
        late_reason = late_reason.strip() or item.late_reason.strip()
    late_reason = late_reason.strip()
    if is_late(item) and not late_reason:
        missing.append("Nhiệm vụ đã quá hạn: hãy ghi giải trình lý do chậm trước khi gửi.")
    if missing:
        raise NotReadyToSubmit(" ".join(missing))
    return late_reason if is_late(item) else ""


def submit(item: Progress, user: User, late_reason: str = "") -> None:
    """Send the item to Phòng Nội vụ; after the deadline only with an explanation (giải trình).
    Where the directive asks for sign-off only the unit's head sends (`permissions.may_submit`);
    the item then names who prepared it and who signed it off."""
    check_editable(item, user)
    item.late_reason = _ready(item, late_reason)
    before = snapshot(item)
    now = utcnow()
    signing = heads_unit(user, item.unit_id)
    item.prepared_by_id = item.prepared_by_id if item.awaiting_head else user.id
    item.signed_off_by_id = user.id if signing else None
    item.awaiting_head_since = None
    item.status = ProgressStatus.SUBMITTED
    item.started_at = item.started_at or now
    item.submitted_at = now
    item.submitted_by_id = user.id
    item.updated_at = now
    audit.record("progress.submit", item, unit_id=item.unit_id, before=before,
                 after=snapshot(item) | {"prepared_by_id": item.prepared_by_id,
                                         "signed_off_by_id": item.signed_off_by_id}, user=user)
    notify.item_submitted(item)
    db.session.commit()


def send_up(item: Progress, user: User, late_reason: str = "") -> None:
    """Trình lãnh đạo đơn vị: an officer sends finished work to the unit's head, who sends it on
    or returns it. It must be as complete as a submission; officers cannot change it meanwhile."""
    check_editable(item, user)
    if item.awaiting_head:
        raise NotReadyToSubmit("Nhiệm vụ đã được trình lãnh đạo đơn vị, đang chờ xem xét.")
    late_reason = _ready(item, late_reason)
    before = snapshot(item)
    now = utcnow()
    item.late_reason = late_reason
    item.awaiting_head_since = now
    item.prepared_by_id = user.id
    item.head_comment = ""
    item.started_at = item.started_at or now
    if item.status is ProgressStatus.NOT_STARTED:
        item.status = ProgressStatus.IN_PROGRESS
    item.updated_at = now
    audit.record("progress.send_up", item, unit_id=item.unit_id, before=before,
                 after=snapshot(item), user=user)
    notify.sign_off_requested(item, user)
    db.session.commit()


class NotAwaitingHead(ValueError):
    """The item is not waiting for the head's sign-off (sent on or returned meanwhile)."""


def return_to_officer(item: Progress, head: User, comment: str) -> None:
    """The head sends an item back to the officer who prepared it, saying what to change."""
    check_editable(item, head)
    if not item.awaiting_head:
        raise NotAwaitingHead("Nhiệm vụ không ở trạng thái chờ lãnh đạo đơn vị xem xét.")
    before = snapshot(item)
    item.awaiting_head_since = None
    item.head_comment = comment.strip()
    item.updated_at = utcnow()
    audit.record("progress.return_to_officer", item, unit_id=item.unit_id, before=before,
                 after=snapshot(item), user=head)
    told = {user.id: user for user in item.assignment.officers} if item.assignment else {}
    if item.prepared_by_id and item.prepared_by_id not in told:
        told[item.prepared_by_id] = db.session.get(User, item.prepared_by_id)
    notify.sign_off_returned(item, head, [u for u in told.values() if u.active], comment)
    db.session.commit()


class ExtensionRefused(ValueError):
    """Why an extension cannot be asked for, in Vietnamese."""


def request_extension(item: Progress, user: User, reason: str, proposed: date) -> Extension:
    """Ask once, before the deadline, for a later one (gia hạn)."""
    check_editable(item, user)
    if item.supporting:
        raise ExtensionRefused(SUPPORTING_ONLY)
    deadline = item.task.deadline
    if deadline is None:
        raise ExtensionRefused("Nhiệm vụ không quy định hạn nên không cần gia hạn.")
    if item.extension is not None:
        raise ExtensionRefused("Mỗi nhiệm vụ chỉ được xin gia hạn một lần; đơn vị đã xin rồi.")
    if today() > last_day(deadline, item.task.directive.deadline_day_counts):
        raise ExtensionRefused("Đã quá hạn: chỉ được xin gia hạn trước khi hết hạn.")
    if proposed <= deadline:
        raise ExtensionRefused(
            f"Ngày đề nghị phải sau hạn hiện tại ({deadline.strftime('%d/%m/%Y')})."
        )
    extension = Extension(progress_id=item.id, reason=reason.strip(), proposed_deadline=proposed,
                          requested_at=utcnow(), requested_by_id=user.id)
    db.session.add(extension)
    db.session.flush()
    audit.record("extension.request", item, unit_id=item.unit_id, user=user,
                 after={"extension_id": extension.id, "reason": extension.reason,
                        "proposed_deadline": proposed.isoformat()})
    notify.extension_requested(item, extension)
    db.session.commit()
    return extension
