"""A letter's PDF, scan or .doc uploaded through the real import page: read by `flask
read-letter` in a process of its own while the page polls its progress, then the draft; a refused
file ends its read with the Vietnamese message and leaves no draft, no bytes and nothing running.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.config import ROOT
from portal.deadlines import utcnow
from portal.directives import drafts
from portal.directives.importer import import_letter
from portal.extensions import db
from portal.models import Directive, LetterRead, LetterReadStatus, Task
from tests.support import bad_files, letters, signing
from tests.support.apps import seeded_app

pytestmark = pytest.mark.slow  # LibreOffice, Tesseract and a process per read


@pytest.fixture
def app(tmp_path, database_url):
    """The portal with the default upload limit, which a scan needs (the tests' is 1 MB)."""
    yield from seeded_app(tmp_path, database_url, MAX_UPLOAD_MB=20)


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return letters.letter_pdf()


@pytest.fixture(scope="module")
def scan_pdf(seed_pdf) -> bytes:
    return letters.scan_pdf(letters.scan_images(seed_pdf, dpi=200, noise=0.005))


def upload(admin, data: bytes, name: str, slug: str = ""):
    return admin.post("/admin/directives/import",
                      {"file": (io.BytesIO(data), name), "slug": slug},
                      content_type="multipart/form-data")


def poll(admin, location: str, seconds: float = 120) -> tuple[list[str], object]:
    """Poll the read's page as htmx does until it stops asking to be polled; the fragments
    seen and the last answer."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = admin.get(location, headers={"HX-Request": "true"})
        html = answer.get_data(as_text=True)
        seen.append(html)
        if "HX-Redirect" in answer.headers or 'data-hx-trigger="every 1s"' not in html:
            return seen, answer
        time.sleep(0.3)
    raise AssertionError(f"the read did not end in {seconds} s: {seen[-1]}")


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Directive.id))),
                db.session.scalar(select(func.count(Task.id))))


def test_a_scanned_pdf_is_read_page_by_page_outside_the_request(app, login, scan_pdf):
    admin = login("quantri")
    response = upload(admin, scan_pdf, "cong-van-quet.pdf", slug="cv-quet")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "/admin/directives/reads/" in location
    page = admin.get(location).get_data(as_text=True)
    assert "Đọc tệp công văn «cong-van-quet.pdf»" in page and 'data-hx-trigger="every 1s"' in page
    seen, last = poll(admin, location)
    assert any("Đang đọc trang " in html and "/4" in html for html in seen), seen
    target = last.headers["HX-Redirect"]
    with app.app_context():
        directive = db.session.scalar(select(Directive).where(Directive.slug == "cv-quet"))
        read = db.session.scalar(select(LetterRead).where(LetterRead.directive_id == directive.id))
        assert target.endswith(f"/admin/directives/{directive.id}")
        assert read.status is LetterReadStatus.DONE and read.data is None
        assert (read.source, read.pages, read.pages_done) == ("scan", 4, 4)
        assert "Sa Đéc" in directive.issuer and directive.year == 2023
        tasks = db.session.scalars(select(Task).where(Task.directive_id == directive.id)).all()
        assert len(tasks) >= 20
        assert "trước ngày 16/6/2023" in directive.full_text
    page = admin.get(target).get_data(as_text=True)
    assert "Đã đọc «cong-van-quet.pdf» và nhập thành bản nháp" in page


def test_a_pdf_with_a_text_layer_and_a_doc_become_drafts(app, login, seed_pdf):
    admin = login("quantri")
    for name, data, source in (("cv.pdf", seed_pdf, "pdf"),
                               ("cv.doc", letters.letter_doc(), "doc")):
        response = upload(admin, data, name, slug=f"cv-{source}")
        assert response.status_code == 303
        _, last = poll(admin, response.headers["Location"])
        assert "HX-Redirect" in last.headers
        with app.app_context():
            read = db.session.scalar(select(LetterRead).order_by(LetterRead.id.desc()))
            assert (read.status, read.source, read.data) == (LetterReadStatus.DONE, source, None)
            expected = len(import_letter(letters.SEED, drafts.unit_refs()).tasks)
            assert len(db.session.scalars(
                select(Task).where(Task.directive_id == read.directive_id)).all()) == expected


def test_a_file_read_outside_the_request_keeps_the_importer_s_remarks_with_its_draft(app, login):
    """A file read in the background has no page to flash the importer's remarks on: the draft
    keeps them, and the passages it set aside, for its page."""
    from tests.test_admin_directives import RALLY, docx_letter

    admin = login("quantri")
    pdf = letters.convert(docx_letter(RALLY), "docx", "pdf")
    response = upload(admin, pdf, "ra-quan.pdf", slug="ra-quan-pdf")
    _, last = poll(admin, response.headers["Location"])
    assert "HX-Redirect" in last.headers
    page = admin.get(last.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Máy đọc văn bản ghi nhận" in page and "Đoạn chưa lấy làm nhiệm vụ (1)" in page
    assert "Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường" in page
    assert "hãy nhập trích yếu" in page


def test_a_file_read_outside_the_request_reads_a_date_with_no_year_from_its_upload_day(app,
                                                                                     login):
    from tests.test_admin_directives import NO_YEAR, docx_letter

    admin = login("quantri")
    app.config["FROZEN_NOW"] = datetime(2026, 12, 7, 2, 0)
    pdf = letters.convert(docx_letter(NO_YEAR), "docx", "pdf")
    response = upload(admin, pdf, "khong-ghi-nam.pdf", slug="khong-ghi-nam-pdf")
    _, last = poll(admin, response.headers["Location"])
    assert "HX-Redirect" in last.headers
    with app.app_context():
        read = db.session.scalar(select(LetterRead).order_by(LetterRead.id.desc()))
        (task,) = db.session.scalars(select(Task).where(Task.directive_id == read.directive_id))
        assert task.deadline == date(2027, 6, 15)


@pytest.mark.parametrize("kind, words", [
    ("encrypted", "đặt mật khẩu"),
    ("broken", "PDF bị hỏng"),
    ("javascript", "JavaScript"),
    ("pages", "300 trang, quá giới hạn 50 trang"),
    ("huge", "quá lớn"),
])
def test_a_bad_file_ends_its_read_with_a_message_and_leaves_nothing(app, login, seed_pdf,
                                                                    kind, words):
    data, name = {
        "encrypted": lambda: (bad_files.encrypted_pdf(seed_pdf), "khoa.pdf"),
        "broken": lambda: (seed_pdf[: len(seed_pdf) // 2], "hong.pdf"),
        "javascript": lambda: (bad_files.pdf_with_javascript(seed_pdf), "ma.pdf"),
        "pages": lambda: (bad_files.many_pages_pdf(300), "ho-so.pdf"),
        "huge": lambda: (bad_files.huge_png(), "anh.png"),
    }[kind]()
    admin = login("quantri")
    before = counts(app)
    response = upload(admin, data, name)
    assert response.status_code == 303
    _, last = poll(admin, response.headers["Location"], seconds=60)
    html = last.get_data(as_text=True)
    assert words in html and 'role="alert"' in html
    assert counts(app) == before
    with app.app_context():
        read = db.session.scalar(select(LetterRead).order_by(LetterRead.id.desc()))
        assert read.status is LetterReadStatus.FAILED and read.data is None
        assert words in read.message


def test_a_doc_that_is_not_one_is_refused_at_once_with_no_read(app, login):
    admin = login("quantri")
    response = upload(admin, "Không phải Word".encode(), "cong-van.doc")
    assert response.status_code == 422
    assert "không phải văn bản Word 97-2003" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(LetterRead.id))) == 0


def test_a_file_over_the_upload_limit_is_refused_with_413(app, login):
    admin = login("quantri")
    too_big = b"%PDF-1.4\n" + bytes(app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(admin, too_big, "lon.pdf")
    assert response.status_code == 413
    assert "vượt quá giới hạn" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(LetterRead.id))) == 0


def test_a_read_whose_process_died_is_ended_as_failed(app, login):
    with app.app_context():
        read = LetterRead(user_id=None, filename="quet.pdf", slug="", data=b"%PDF-",
                          status=LetterReadStatus.READING, source="scan", pages=5, pages_done=2,
                          message="", signatures=[], created_at=utcnow() - timedelta(hours=1),
                          updated_at=utcnow() - timedelta(hours=1))
        db.session.add(read)
        db.session.commit()
        read_id = read.id
    html = login("quantri").get(f"/admin/directives/reads/{read_id}").get_data(as_text=True)
    assert "đã dừng giữa chừng" in html
    with app.app_context():
        read = db.session.get(LetterRead, read_id)
        assert read.status is LetterReadStatus.FAILED and read.data is None


def test_cli_prints_ocr_progress_to_stderr(app, tmp_path, scan_pdf):
    letter = tmp_path / "quet.pdf"
    letter.write_bytes(scan_pdf)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", "import-directive", str(letter)],
        cwd=str(ROOT), capture_output=True, text=True, timeout=180, check=False,
        env={"PATH": "/usr/bin:/bin", "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
             "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Đang đọc trang 1/4" in done.stderr and "Đã đọc xong 4 trang." in done.stderr
    assert "hạn 16/06/2023" in done.stdout and (tmp_path / "quet.yaml").exists()


def test_the_draft_page_shows_the_signature_and_the_text_read(app, login, seed_pdf):
    admin = login("quantri")
    for name, data, verdict in (
            ("ky-so.pdf", signing.signed_pdf(seed_pdf), "nguyên vẹn, tệp không bị sửa sau khi ký"),
            ("sua.pdf", signing.tampered(signing.signed_pdf(seed_pdf)),
             "KHÔNG còn nguyên vẹn: nội dung đã bị sửa sau khi ký")):
        response = upload(admin, data, name, slug=name[:-4])
        _, last = poll(admin, response.headers["Location"])
        page = admin.get(last.headers["HX-Redirect"]).get_data(as_text=True)
        assert "Ký số bởi Nguyễn Văn Hôn (UBND thành phố Sa Đéc), ký lúc " in page
        assert verdict in page
        assert f"Từ tệp «{name}», lớp chữ của tệp PDF." in page
        assert '<textarea' in page and "Kính gửi:" in page
