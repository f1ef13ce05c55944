"""Evidence files: checked by content, stored under generated names, downloaded with their own
name, and nothing half-written when a file is refused."""

from __future__ import annotations

import hashlib
import io
import zipfile
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import AuditEvent, Evidence, Progress, ProgressStatus

from .support.apps import MAX_UPLOAD_MB

PDF = sample_pdf("kiem chung")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def office_package(main_part: str) -> bytes:
    """A minimal Office package; its parts dated once and for all, so that the tests' names
    (which show it) are the same in every test process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in (("[Content_Types].xml", "<Types/>"), (main_part, "<document/>")):
            package.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def stored_files(upload_dir) -> list:
    return [p for p in upload_dir.rglob("*") if p.is_file()] if upload_dir.exists() else []


def evidence_rows(app, item_id: int) -> list[Evidence]:
    with app.app_context():
        rows = db.session.scalars(select(Evidence).where(Evidence.progress_id == item_id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.mark.parametrize(
    "content, name, content_type",
    [
        (PDF, "Báo cáo khắc phục.pdf", "application/pdf"),
        (PNG, "Bảng niêm yết.PNG", "image/png"),
        (JPEG, "anh.jpeg", "image/jpeg"),
        (OLE, "bao-cao-cu.doc", "application/msword"),
        (OLE, "so-lieu.xls", "application/vnd.ms-excel"),
        (office_package("word/document.xml"), "Kế hoạch.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (office_package("xl/workbook.xml"), "Số liệu.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_file_is_stored_with_size_and_sha256(app, ward, report_item, upload_dir,
                                                      content, name, content_type):
    response = ward.upload(report_item, content, name)
    assert response.status_code == 200
    assert f"Đã đính kèm tệp «{name}»." in response.get_data(as_text=True)
    [row] = evidence_rows(app, report_item)
    assert row.file_name == name and row.content_type == content_type
    assert row.size == len(content) and row.sha256 == hashlib.sha256(content).hexdigest()
    [path] = stored_files(upload_dir)
    assert path.name == row.stored_name and name not in str(path)
    assert path.read_bytes() == content
    with app.app_context():
        assert db.session.get(Progress, report_item).status is ProgressStatus.IN_PROGRESS
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.add"))
        assert event.after["sha256"] == row.sha256


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "rong.pdf", "Tệp rỗng"),
        (b"MZ\x90\x00" + b"\x00" * 200, "bao-cao.pdf", "không phải PDF"),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.exe", "Chỉ nhận tệp PDF"),
        (b"<html><script>alert(1)</script></html>", "trang.html", "Chỉ nhận tệp PDF"),
        (b"<html><script>alert(1)</script></html>", "trang.pdf", "không phải PDF"),
        (PDF, "bao-cao.png", "không phải ảnh PNG"),
        (office_package("other/part.xml"), "ke-hoach.docx", "không phải Word (DOCX)"),
        (office_package("word/document.xml"), "so-lieu.xlsx", "không phải Excel (XLSX)"),
        (b"PK\x03\x04 broken zip", "ke-hoach.docx", "không phải Word (DOCX)"),
        (PDF, "khong-duoi", "Chỉ nhận tệp PDF"),
        (PDF, "", "Hãy chọn một tệp"),
    ],
)
def test_refused_file_leaves_nothing_behind(app, ward, report_item, upload_dir, content, name,
                                            message):
    response = ward.upload(report_item, content, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="item-{report_item}"' in html  # the item itself shows the message
    assert evidence_rows(app, report_item) == []
    assert stored_files(upload_dir) == []
    with app.app_context():
        assert db.session.get(Progress, report_item).status is ProgressStatus.NOT_STARTED


def test_file_over_the_limit_is_413_with_nothing_on_disk(app, ward, report_item, upload_dir):
    too_big = b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_MB * 1024 * 1024)
    response = ward.upload(report_item, too_big, "lon.pdf")
    assert response.status_code == 413
    assert f"vượt quá giới hạn {MAX_UPLOAD_MB} MB" in response.get_data(as_text=True)
    assert evidence_rows(app, report_item) == [] and stored_files(upload_dir) == []


def test_request_far_over_the_limit_is_413_before_reading_it(app, ward, report_item, upload_dir):
    huge = b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_MB * 1024 * 1024 * 2)
    response = ward.upload(report_item, huge, "rat-lon.pdf")
    assert response.status_code == 413
    assert response.headers.get("HX-Retarget") == "#messages"
    assert "vượt quá giới hạn" in response.get_data(as_text=True)
    plain = ward.upload(report_item, huge, "rat-lon.pdf", htmx=False)
    assert plain.status_code == 413 and "<html" in plain.get_data(as_text=True)
    assert evidence_rows(app, report_item) == [] and stored_files(upload_dir) == []


@pytest.mark.parametrize(
    "given, kept",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("bao\x00cao\x1b[31m.pdf", "baocao[31m.pdf"),
        ("  .an.pdf", "an.pdf"),
    ],
)
def test_file_names_lose_folders_and_control_characters(app, ward, report_item, upload_dir,
                                                        given, kept):
    response = ward.upload(report_item, PDF, given)
    assert response.status_code == 200
    [row] = evidence_rows(app, report_item)
    assert row.file_name == kept
    [path] = stored_files(upload_dir)
    assert path.resolve().is_relative_to(upload_dir.resolve())


def test_long_vietnamese_file_name_is_kept_escaped_and_downloaded(app, ward, report_item):
    name = ("Báo cáo kết quả khắc phục hạn chế, khuyết điểm CCHC năm 2023 của "
            "UBND Phường 1 <đã ký> & đóng dấu, gửi Phòng Nội vụ (bản chính).pdf")
    assert len(name) >= 120
    ward.upload(report_item, PDF, name)
    [row] = evidence_rows(app, report_item)
    assert row.file_name == name
    page = ward.get(f"/items/{report_item}").get_data(as_text=True)
    assert "&lt;đã ký&gt; &amp; đóng dấu" in page and "<đã ký>" not in page
    response = ward.get(f"/evidence/{row.id}/download")
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == name
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_ward_removes_its_own_evidence_before_submitting(app, ward, report_item, upload_dir):
    ward.upload(report_item, PDF, "a.pdf")
    [row] = evidence_rows(app, report_item)
    response = ward.post(f"/items/{report_item}/evidence/{row.id}/delete", htmx=True)
    assert response.status_code == 200
    assert "Chưa có tài liệu kiểm chứng." in response.get_data(as_text=True)
    assert evidence_rows(app, report_item) == [] and stored_files(upload_dir) == []
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.remove"))
        assert event.before["file_name"] == "a.pdf"


def test_evidence_cannot_be_removed_after_submission(app, ward, report_item, upload_dir):
    ward.upload(report_item, PDF, "a.pdf")
    assert ward.post(f"/items/{report_item}/submit",
                     {"late_reason": "Chờ số liệu tổng hợp."}).status_code == 303
    [row] = evidence_rows(app, report_item)
    response = ward.post(f"/items/{report_item}/evidence/{row.id}/delete", htmx=True)
    assert response.status_code == 409
    assert len(evidence_rows(app, report_item)) == 1 and len(stored_files(upload_dir)) == 1
    assert ward.post(f"/items/{report_item}/files", {"file": (io.BytesIO(PDF), "b.pdf")},
                     content_type="multipart/form-data").status_code == 409
    assert len(stored_files(upload_dir)) == 1


def test_report_with_file_can_be_submitted_without_js(app, ward, report_item):
    response = ward.upload(report_item, PDF, "bao-cao.pdf", htmx=False)
    assert response.status_code == 303
    response = ward.post(f"/items/{report_item}/submit", {"late_reason": "Chờ số liệu."})
    assert response.status_code == 303
    page = ward.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã gửi Phòng Nội vụ duyệt." in page
    with app.app_context():
        assert db.session.get(Progress, report_item).status is ProgressStatus.SUBMITTED


def test_file_deleted_from_disk_answers_404_not_500(app, ward, report_item, upload_dir):
    ward.upload(report_item, PDF, "a.pdf")
    [row] = evidence_rows(app, report_item)
    for path in stored_files(upload_dir):
        path.unlink()
    assert ward.get(f"/evidence/{row.id}/download").status_code == 404


def test_link_evidence_has_no_download(app, ward, ids):
    item_id = ids.item("Phường 1", "1.2")
    ward.post(f"/items/{item_id}/links", {"url": "https://sadec.dongthap.gov.vn/a"})
    [row] = evidence_rows(app, item_id)
    assert ward.get(f"/evidence/{row.id}/download").status_code == 404
