"""What a reviewer decides: approve, return with a comment, reopen, grant or refuse an extension.
Each decision is audited with the item, told to the unit (but reopening, which asks nothing of
it) and committed here."""

from __future__ import annotations

from datetime import date

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..models import ExtensionStatus, FindingReview, Progress, ProgressStatus, User
from ..notifications import events as notify
from .actions import snapshot


class NotReviewable(ValueError):
    """The item is not in a state for this decision; the message says why, in Vietnamese."""


def _decide(item: Progress, user: User, action: str, status: ProgressStatus,
            comment: str) -> None:
    before = snapshot(item)
    item.status = status
    item.review_comment = comment.strip()
    item.reviewed_at = utcnow()
    item.reviewed_by_id = user.id
    audit.record(action, item, unit_id=item.unit_id, user=user, before=before,
                 after=snapshot(item))


def approve(item: Progress, user: User, comment: str = "") -> None:
    if item.status is not ProgressStatus.SUBMITTED:
        raise NotReviewable(f"Chỉ duyệt được nhiệm vụ «Chờ duyệt» (hiện: {item.status.label}).")
    _decide(item, user, "review.approve", ProgressStatus.APPROVED, comment)
    approve_findings(item, user)
    notify.item_approved(item, item.review_comment)
    db.session.commit()


def approve_many(items: list[Progress], user: User) -> int:
    """Approve every item still waiting, in one transaction; returns how many."""
    approved = 0
    for item in items:
        if item.status is ProgressStatus.SUBMITTED:
            _decide(item, user, "review.approve", ProgressStatus.APPROVED, "")
            approve_findings(item, user)
            notify.item_approved(item)
            approved += 1
    db.session.commit()
    return approved


def approve_findings(item: Progress, user: User) -> None:
    """Approving an item approves each of its findings answered and not yet decided: Phòng Nội
    vụ reviews all of a task's findings at once (or one by one, `portal.findings`)."""
    for finding in item.findings:
        if finding.answer is not None and finding.review is None:
            finding.review = FindingReview.APPROVED
            finding.reviewed_at = utcnow()
            finding.reviewed_by_id = user.id


def return_for_more(item: Progress, user: User, comment: str) -> None:
    if item.status is not ProgressStatus.SUBMITTED:
        raise NotReviewable(
            f"Chỉ trả lại được nhiệm vụ «Chờ duyệt» (hiện: {item.status.label})."
        )
    if not comment.strip():
        raise NotReviewable("Hãy ghi rõ nội dung đơn vị cần bổ sung.")
    _decide(item, user, "review.return", ProgressStatus.RETURNED, comment)
    notify.item_returned(item, item.review_comment)
    db.session.commit()


def reopen(item: Progress, user: User, comment: str = "") -> None:
    """Unlock an approved item so that its unit can change it again."""
    if item.status is not ProgressStatus.APPROVED:
        raise NotReviewable("Chỉ mở lại được nhiệm vụ đã «Đạt».")
    _decide(item, user, "review.reopen", ProgressStatus.IN_PROGRESS, comment)
    db.session.commit()


def decide_extension(item: Progress, user: User, grant: bool, note: str = "",
                     granted: date | None = None) -> None:
    extension = item.extension
    if extension is None or extension.status is not ExtensionStatus.PENDING:
        raise NotReviewable("Không có đề nghị gia hạn nào đang chờ xem xét.")
    if grant and granted is not None and item.task.deadline and granted <= item.task.deadline:
        raise NotReviewable("Ngày gia hạn phải sau hạn ban đầu.")
    extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    extension.granted_deadline = (granted or extension.proposed_deadline) if grant else None
    extension.decision_note = note.strip()
    extension.decided_at = utcnow()
    extension.decided_by_id = user.id
    audit.record("extension.grant" if grant else "extension.refuse", item, unit_id=item.unit_id,
                 user=user, after={
                     "extension_id": extension.id,
                     "granted_deadline": extension.granted_deadline.isoformat()
                     if extension.granted_deadline else None,
                     "note": extension.decision_note,
                 })
    notify.extension_decided(item, extension)
    db.session.commit()
