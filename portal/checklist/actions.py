"""What a unit does to its item: start, note and figures, evidence, submit. Each change is audited
in the same transaction as the change itself, and committed here."""

from __future__ import annotations

from flask import current_app
from werkzeug.datastructures import FileStorage

from .. import audit, storage
from ..deadlines import utcnow
from ..extensions import db
from ..models import Evidence, EvidenceKind, Measure, Progress, ProgressStatus, TaskKind, User


class ItemLocked(ValueError):
    """The item is with the reviewer (or approved) and cannot be changed by the unit."""


class NotReadyToSubmit(ValueError):
    """What is still missing before the item can be submitted, in Vietnamese."""


def _snapshot(item: Progress) -> dict:
    return {
        "status": item.status.value,
        "note": item.note,
        "numerator": item.numerator,
        "denominator": item.denominator,
        "quantity": item.quantity,
    }


def _check_editable(item: Progress) -> None:
    if not item.status.editable_by_unit:
        raise ItemLocked(
            f"Nhiệm vụ đang ở trạng thái «{item.status.label}», đơn vị không thể sửa."
        )


def _touch(item: Progress) -> None:
    """Mark the item changed; a first change also moves it to 'in progress'."""
    now = utcnow()
    if item.status is ProgressStatus.NOT_STARTED:
        item.status = ProgressStatus.IN_PROGRESS
        item.started_at = now
    item.updated_at = now


def start(item: Progress, user: User) -> None:
    _check_editable(item)
    if item.status is not ProgressStatus.NOT_STARTED:
        return
    before = _snapshot(item)
    _touch(item)
    audit.record("progress.start", item, unit_id=item.unit_id, before=before,
                 after=_snapshot(item), user=user)
    db.session.commit()


def save(item: Progress, user: User, note: str, figures: dict[str, int | None]) -> None:
    _check_editable(item)
    before = _snapshot(item)
    item.note = note.strip()
    for name, value in figures.items():
        setattr(item, name, value)
    after = _snapshot(item)
    if after == before:
        return
    _touch(item)
    audit.record("progress.save", item, unit_id=item.unit_id, before=before,
                 after=_snapshot(item), user=user)
    db.session.commit()


def add_file(item: Progress, user: User, upload: FileStorage) -> Evidence:
    """Keep an uploaded file; raises storage.EvidenceRejected with the reason if it cannot be."""
    _check_editable(item)
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    stored = storage.save(upload, max_bytes)
    try:
        evidence = Evidence(
            progress_id=item.id,
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
        audit.record("evidence.add", evidence, unit_id=item.unit_id, user=user, after={
            "progress_id": item.id, "file_name": stored.file_name, "size": stored.size,
            "sha256": stored.sha256,
        })
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.discard(stored.stored_name)
        raise
    return evidence


def add_link(item: Progress, user: User, url: str) -> Evidence:
    _check_editable(item)
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
    audit.record("evidence.add", evidence, unit_id=item.unit_id, user=user,
                 after={"progress_id": item.id, "url": url})
    db.session.commit()
    return evidence


def remove_evidence(item: Progress, user: User, evidence: Evidence) -> None:
    """Delete one piece of evidence; the file goes only after its row is gone."""
    _check_editable(item)
    before = {"progress_id": item.id, "kind": evidence.kind.value, "file_name": evidence.file_name,
              "url": evidence.url, "sha256": evidence.sha256}
    stored_name = evidence.stored_name
    audit.record("evidence.remove", evidence, unit_id=item.unit_id, user=user, before=before)
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
    if task.measure is Measure.PERCENT and item.percent is None:
        missing.append("Nhập số đạt và tổng số để tính tỷ lệ.")
    if task.measure is Measure.COUNT and item.quantity is None:
        missing.append("Nhập số lượng.")
    if task.kind in (TaskKind.REPORT, TaskKind.DOCUMENT) and not has_file:
        missing.append("Đính kèm tệp văn bản (báo cáo, kế hoạch) làm tài liệu kiểm chứng.")
    if task.kind is TaskKind.ACTION and not item.evidence and not item.note.strip():
        missing.append("Ghi kết quả thực hiện hoặc đính kèm tài liệu kiểm chứng (tệp, đường dẫn).")
    return missing


def submit(item: Progress, user: User) -> None:
    _check_editable(item)
    missing = missing_for_submission(item)
    if missing:
        raise NotReadyToSubmit(" ".join(missing))
    before = _snapshot(item)
    now = utcnow()
    item.status = ProgressStatus.SUBMITTED
    item.started_at = item.started_at or now
    item.submitted_at = now
    item.submitted_by_id = user.id
    item.updated_at = now
    audit.record("progress.submit", item, unit_id=item.unit_id, before=before,
                 after=_snapshot(item), user=user)
    db.session.commit()
