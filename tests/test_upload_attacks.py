"""Upload attacks (issue 7, point 14): polyglots, hostile file names, a thousand files in one
request, and a body that is sent slowly or never finished, against the real portal served by
gunicorn. Each is refused or bounded, with a message in Vietnamese, and leaves nothing behind: no
row anywhere, no file in the upload folder, no temporary file. (The zip bomb is in
tests/test_storage_trust.py; empty, wrongly named and oversized files in tests/test_uploads.py.)

What we decided: a file whose bytes are what its name says is kept even when it is also something
else (a PDF with HTML or a ZIP after its header, a JPEG with a page in it), as real scans and
exports carry all sorts of trailing bytes; what keeps that safe is how it is served: its
Content-Type from our own list (never the browser's), `nosniff`, a download as an attachment,
and a sandbox wherever a browser may open it itself. Names only ever reach the database and the
Content-Disposition header; on disk a file has a random name inside UPLOAD_DIR.
"""

from __future__ import annotations

import io
import re
import signal
import socket
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from portal import CONTENT_SECURITY_POLICY
from portal.checklist.routes import ONE_FILE
from portal.demo import sample_pdf
from portal.directives import lifecycle
from portal.extensions import db
from portal.items.queries import CLOSED_DIRECTIVE
from portal.models import Directive, Evidence

from .support.apps import MAX_UPLOAD_MB
from .support.clients import Browser
from .support.databases import writes, written_since
from .support.marks import SERVERS
from .support.records import stored_files
from .support.servers import APP_SETTINGS, Gunicorn, portal_environment

PDF = sample_pdf("kiem chung")
PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
TOO_MANY_PARTS = "Biểu mẫu gửi lên có quá nhiều phần (tối đa 100)"
SANDBOX = "default-src 'none'; img-src 'self'; sandbox"


def docx() -> bytes:
    """A Word package with an HTML page inside; its parts dated once and for all, so that the
    tests' names (which show it) are the same in every test process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in (("[Content_Types].xml", "<Types/>"),
                              ("word/document.xml", "<document/>"), ("word/trang.html", PAGE)):
            package.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The system temporary folder for this test alone, so that what a request leaves there shows
    (Werkzeug spools large form parts to it)."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def nothing_left(app, temp_dir):
    """`with nothing_left():` the block changes no row of any table, no file in UPLOAD_DIR
    (temporary ones included) and leaves no temporary file."""

    @contextmanager
    def check():
        counted, files = writes(app), stored_files(app)
        yield
        assert written_since(app, counted) == set()
        assert stored_files(app) == files
        assert list(temp_dir.iterdir()) == []

    return check


def upload(client, item_id: int, files: list[tuple[bytes, str]] | tuple[bytes, str],
           htmx: bool = True, **fields):
    """Post the upload form with these file parts (content, name) under "file", the part's
    Content-Type claimed by the client as text/html."""
    if isinstance(files, tuple):
        files = [files]
    data = {"file": [(io.BytesIO(content), name, "text/html") for content, name in files],
            **fields}
    return client.post(f"/items/{item_id}/files", data, htmx=htmx,
                       content_type="multipart/form-data")


def upload_as_sent(client, item_id: int, content: bytes, filename: str):
    """Post the upload form with the part's filename exactly as a browser writes it in the
    multipart header, between the quotes (old browsers send a whole Windows path unescaped)."""
    boundary = "----ten-tep"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{client.csrf_token()}\r\n--{boundary}\r\nContent-Disposition: form-data; '
        f'name="file"; filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return client.client.post(f"/items/{item_id}/files", data=body,
                              content_type=f"multipart/form-data; boundary={boundary}",
                              headers={"HX-Request": "true"})


def evidence_rows(app) -> list[Evidence]:
    with app.app_context():
        rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def files_on_disk(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --------------------------------------------------------------------------- polyglots

@pytest.mark.parametrize("content, name, content_type", [
    (PDF + PAGE, "bao-cao.pdf", "application/pdf"),
    (PDF + docx(), "bao-cao-kem-zip.pdf", "application/pdf"),
    (JPEG + PAGE, "anh-niem-yet.jpg", "image/jpeg"),
    (PNG + PAGE + SVG, "bang.png", "image/png"),
], ids=["pdf+html", "pdf+zip", "jpeg+html", "png+html"])
def test_polyglot_that_is_what_its_name_says_is_kept_but_never_served_as_a_page(
        app, ward, report_item, content, name, content_type):
    response = upload(ward, report_item, (content, name))
    assert response.status_code == 200
    assert f"Đã đính kèm tệp «{name}»." in response.get_data(as_text=True)
    [row] = evidence_rows(app)
    assert row.content_type == content_type  # from the extension, not the client's text/html

    download = ward.get(f"/evidence/{row.id}/download")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"] == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Security-Policy"] == SANDBOX

    view = ward.get(f"/evidence/{row.id}/view")
    assert view.status_code == 200 and view.data == content
    assert view.headers["Content-Type"] == content_type
    assert view.headers["X-Content-Type-Options"] == "nosniff"
    assert view.headers["Content-Disposition"].startswith("inline;")
    policy = view.headers["Content-Security-Policy"]
    if content_type.startswith("image/"):
        assert policy == SANDBOX
    else:
        assert policy == CONTENT_SECURITY_POLICY  # no inline script, no plugin, no framing
        assert "unsafe" not in policy and "object-src 'none'" in policy


def test_office_file_is_only_ever_a_download(app, ward, report_item):
    package = docx()  # with an HTML page inside
    assert upload(ward, report_item, (package, "ke-hoach.docx")).status_code == 200
    [row] = evidence_rows(app)
    assert ward.get(f"/evidence/{row.id}/view").status_code == 404
    download = ward.get(f"/evidence/{row.id}/download")
    assert download.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert download.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("content, name, message", [
    (PAGE, "anh.jpg", "không phải ảnh JPG"),
    (GIF + PAGE, "anh.gif", "Chỉ nhận tệp PDF"),
    (GIF + PAGE, "anh.jpg", "không phải ảnh JPG"),
    (SVG, "so-do.svg", "Chỉ nhận tệp PDF"),
    (SVG, "so-do.png", "không phải ảnh PNG"),
    (PAGE, "ke-hoach.docx", "không phải Word (DOCX)"),
    (PAGE + docx(), "ke-hoach.docx", "không phải Word (DOCX)"),
    (PDF + docx(), "ke-hoach.docx", "không phải Word (DOCX)"),
    (docx(), "bao-cao.pdf", "không phải PDF"),
    (PAGE + PDF, "bao-cao.pdf", "không phải PDF"),
    (PDF, "bao-cao.html", "Chỉ nhận tệp PDF"),
], ids=["html-as-jpg", "gif", "gif-as-jpg", "svg", "svg-as-png", "html-as-docx",
        "html+zip-as-docx", "pdf+zip-as-docx", "zip-as-pdf", "html+pdf", "pdf-as-html"])
def test_polyglot_that_is_not_what_its_name_says_is_refused(app, ward, report_item, nothing_left,
                                                            content, name, message):
    with nothing_left():
        response = upload(ward, report_item, (content, name))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="item-{report_item}"' in html


# --------------------------------------------------------------------------- names

LONG = "Báo cáo kết quả khắc phục hạn chế CCHC năm 2023 " * 7 + ".pdf"


# As written in the multipart header: a backslash escapes the next character in a quoted string,
# so an unescaped Windows path (as old browsers send it) loses its backslashes on parsing, and an
# escaped one keeps them for clean_file_name to cut at.
@pytest.mark.parametrize("sent, kept", [
    (r"..\..\x.pdf", "x.pdf"),
    (r"..\\..\\x.pdf", "x.pdf"),
    ("../../x.pdf", "x.pdf"),
    ("/etc/passwd.pdf", "passwd.pdf"),
    (r"C:\Windows\x.pdf", "C:Windowsx.pdf"),
    (r"C:\\Windows\\x.pdf", "x.pdf"),
    (r"\\\\may-chu\\chia-se\\x.pdf", "x.pdf"),
    ("bao\x00cao.pdf", "baocao.pdf"),
    ("bao\u202ecao.pdf", "baocao.pdf"),
    ("..x.pdf", "x.pdf"),
    (LONG, LONG[:251] + ".pdf"),
], ids=["windows-up", "windows-up-escaped", "posix-up", "absolute", "drive", "drive-escaped",
        "unc", "nul", "rtl", "dots", "long"])
def test_hostile_name_is_stored_under_a_random_name_inside_the_upload_folder(
        app, ward, report_item, tmp_path, sent, kept):
    outside = {p for p in tmp_path.parent.rglob("*") if not p.name.endswith(("-wal", "-shm"))}
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    response = upload_as_sent(ward, report_item, PDF, sent)
    assert response.status_code == 200
    [row] = evidence_rows(app)
    assert row.file_name == kept and len(kept) <= 255
    [path] = files_on_disk(app)
    assert re.fullmatch(r"[0-9a-f]{32}", row.stored_name)
    assert path.resolve() == upload_dir / row.stored_name[:2] / row.stored_name
    # Nothing new anywhere else: not beside the test's folder, not at the name's own path.
    now = {p for p in tmp_path.parent.rglob("*") if not p.name.endswith(("-wal", "-shm"))}
    assert {p for p in now - outside if not p.resolve().is_relative_to(upload_dir)} == set()
    assert not Path("/etc/passwd.pdf").exists() and not (Path.cwd() / "x.pdf").exists()

    page = ward.get(f"/items/{report_item}").get_data(as_text=True)
    assert kept in page and "\u202e" not in page
    disposition = ward.get(f"/evidence/{row.id}/download").headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "/" not in disposition and "\\" not in disposition and "\x00" not in disposition
    # The name itself (RFC 6266 filename*, after an ASCII stand-in when it is not ASCII).
    assert parse_options_header(disposition) == ("attachment", {"filename": kept})
    assert kept.isascii() or "filename*=UTF-8''" in disposition


@pytest.mark.parametrize("sent, message", [
    ("hoadon\u202efdp.exe", "Chỉ nhận tệp PDF"),  # shows as "hoadonexe.pdf"
    ("bao-cao.pdf\x00.exe", "Chỉ nhận tệp PDF"),
    ("bao-cao.pdf.exe", "Chỉ nhận tệp PDF"),
    ("....", "tên tệp không hợp lệ"),
    ("..", "tên tệp không hợp lệ"),
    ("../", "tên tệp không hợp lệ"),
    (r"C:\\", "tên tệp không hợp lệ"),
    ("   ", "tên tệp không hợp lệ"),
    ("\u202e\u200b", "tên tệp không hợp lệ"),
], ids=["rtl-exe", "nul-exe", "double-extension", "dots", "dot-dot", "folder", "drive",
        "spaces", "invisible"])
def test_name_that_hides_no_allowed_file_is_refused(app, ward, report_item, nothing_left, sent,
                                                    message):
    with nothing_left():
        response = upload_as_sent(ward, report_item, PDF, sent)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


# --------------------------------------------------------------------------- many parts at once

def test_a_thousand_files_in_one_request_are_refused_before_any_is_read(app, ward, report_item,
                                                                        nothing_left):
    files = [(PDF + str(n).encode(), f"bao-cao-{n}.pdf") for n in range(1000)]
    with nothing_left():
        response = upload(ward, report_item, files)
    assert response.status_code == 413
    assert TOO_MANY_PARTS in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#messages"
    with nothing_left():
        plain = upload(ward, report_item, files, htmx=False)
    assert plain.status_code == 413 and TOO_MANY_PARTS in plain.get_data(as_text=True)


def test_a_thousand_form_fields_with_a_file_are_refused(app, ward, report_item, nothing_left):
    fields = {f"o{n}": "x" for n in range(1000)}
    with nothing_left():
        response = upload(ward, report_item, (PDF, "bao-cao.pdf"), **fields)
    assert response.status_code == 413
    assert TOO_MANY_PARTS in response.get_data(as_text=True)


def test_a_text_field_over_the_form_memory_limit_is_refused(app, ward, report_item,
                                                           nothing_left):
    with nothing_left():
        response = upload(ward, report_item, (PDF, "bao-cao.pdf"), note="x" * 600_000)
    assert response.status_code == 413
    assert "một ô nhập quá dài" in response.get_data(as_text=True)


@pytest.mark.parametrize("parts", [
    [(PDF, "a.pdf"), (PDF, "b.pdf")],
    [(PDF, "a.pdf")] * 99,
    # Each over Werkzeug's 500 KB in memory: spooled to the temporary folder, and gone after.
    [(PDF + b"%" * 520_000, "a.pdf"), (PDF + b"%" * 520_000, "b.pdf")],
], ids=["two", "ninety-nine", "two-spooled"])
def test_more_than_one_file_at_once_is_refused_and_none_is_kept(app, ward, report_item,
                                                                nothing_left, parts):
    with nothing_left():
        response = upload(ward, report_item, parts)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ONE_FILE in html and f'id="item-{report_item}"' in html


def test_a_file_under_another_field_name_counts_too(app, ward, report_item, nothing_left):
    with nothing_left():
        response = ward.post(f"/items/{report_item}/files", {
            "file": (io.BytesIO(PDF), "a.pdf"), "tep": (io.BytesIO(PDF), "b.pdf"),
        }, htmx=True, content_type="multipart/form-data")
    assert response.status_code == 422 and ONE_FILE in response.get_data(as_text=True)


# --------------------------------------------------------------------------- the form's edges

def test_upload_with_a_wrong_csrf_token_is_refused(app, ward, report_item, nothing_left):
    for token in ("gia-mao", ""):
        with nothing_left():
            response = upload(ward, report_item, (PDF, "bao-cao.pdf"), csrf_token=token)
        assert response.status_code == 400
        assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ" in \
            response.get_data(as_text=True)


def test_upload_to_a_closed_directive_is_refused(app, ward, report_item, ids, nothing_left):
    with app.app_context():
        lifecycle.close(db.session.get(Directive, ids.directive()))
        db.session.commit()
    with nothing_left():
        response = upload(ward, report_item, (PDF, "bao-cao.pdf"))
    assert response.status_code == 409
    assert CLOSED_DIRECTIVE in response.get_data(as_text=True)


def test_file_of_exactly_the_limit_is_kept_and_one_byte_more_is_refused(app, ward, report_item,
                                                                        nothing_left):
    limit = MAX_UPLOAD_MB * 1024 * 1024
    exact = PDF + b"%" * (limit - len(PDF))
    with nothing_left():
        response = upload(ward, report_item, (exact + b"%", "lon.pdf"))
    assert response.status_code == 413
    assert f"Tệp vượt quá giới hạn {MAX_UPLOAD_MB} MB" in response.get_data(as_text=True)

    response = upload(ward, report_item, (exact, "vua-du.pdf"))
    assert response.status_code == 200
    [row] = evidence_rows(app)
    assert row.size == limit and files_on_disk(app)[0].stat().st_size == limit


# --------------------------------------------------------------------------- a slow body

BODY_TIMEOUT = 2  # seconds a body may pause; the production default is 30
MIN_RATE_KB = 1  # after that, the least average rate; the production default is 16


@pytest.fixture
def served(app, tmp_path):
    """The portal under gunicorn as `make serve` runs it (gthread workers, --timeout 60,
    keep-alive 75 s, wsgi:app), with one worker of two threads, body limits short enough for a
    test, a temporary folder of its own and no control socket (shared by every gunicorn)."""
    log, temp = tmp_path / "gunicorn.log", tmp_path / "server-tmp"
    temp.mkdir()
    env = portal_environment(app.config, APP_SETTINGS) | portal_environment({
        "REQUEST_BODY_TIMEOUT": BODY_TIMEOUT, "REQUEST_BODY_MIN_RATE_KB": MIN_RATE_KB})
    server = Gunicorn(
        "wsgi:app", log,
        ["--workers", "1", "--worker-class", "gthread", "--threads", "2", "--timeout", "60",
         "--graceful-timeout", "5", "--keep-alive", "75", "--access-logfile", "-",
         "--error-logfile", "-", "--no-control-socket"],
        env={**env, "TMPDIR": str(temp)})
    try:
        server.wait_until_serving()
        yield server.port, log, temp
    finally:
        server.stop(signal.SIGINT)  # a quick shutdown: nothing is left to finish


class SlowUpload:
    """A browser on a bad line: it sends the upload's headers at once, then its body `step`
    bytes every `every` seconds (never, with step 0) until the server answers or closes."""

    def __init__(self, port: int, browser: Browser, item_id: int, step: int, every: float):
        boundary = "----gioi-han"
        self.body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{browser.token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="cham.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode() + PDF + b"%" * 2000 + f"\r\n--{boundary}--\r\n".encode()
        cookies = "; ".join(f"{k}={v}" for k, v in browser.http.cookies.items())
        self.head = (
            f"POST /items/{item_id}/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: {cookies}\r\nHX-Request: true\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(self.body)}\r\n\r\n"
        ).encode()
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.step, self.every = step, every
        self.answer = b""
        self.ended_after: float | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> SlowUpload:
        self.started = time.monotonic()
        self.sock.sendall(self.head + self.body[:100])
        self.thread.start()
        return self

    def _run(self) -> None:
        self.sent = 100
        self.sock.settimeout(self.every)
        try:
            while True:
                try:
                    chunk = self.sock.recv(65536)
                except TimeoutError:
                    if self.step and self.sent < len(self.body):
                        self.sock.sendall(self.body[self.sent:self.sent + self.step])
                        self.sent += self.step
                    continue
                if not chunk:
                    break
                self.answer += chunk
        except OSError:
            pass  # reset by the server after it gave up: ended all the same
        self.ended_after = time.monotonic() - self.started
        self.sock.close()

    def wait(self, seconds: float) -> SlowUpload:
        self.thread.join(seconds)
        assert not self.thread.is_alive(), "the server still waits for this body"
        return self


@SERVERS
def test_slow_body_is_cut_off_while_other_requests_are_answered(app, ids, served):
    port, log, server_temp = served
    item_id = ids.item("Phường 1", "1.1")
    ward = Browser(port)
    ward.login("phuong1")
    counted, files = writes(app), stored_files(app)
    other = Browser(port)

    # 1. Headers and a little of the body, then nothing: one thread waits, the other serves.
    stalled = SlowUpload(port, ward, item_id, step=0, every=0.2).start()
    time.sleep(0.5)
    began = time.monotonic()
    assert other.http.get("/login").status_code == 200
    assert time.monotonic() - began < 1
    stalled.wait(BODY_TIMEOUT + 5)
    assert BODY_TIMEOUT - 0.5 < stalled.ended_after < BODY_TIMEOUT + 3
    answer = stalled.answer.decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 408")
    assert "Dữ liệu gửi lên bị ngừng hoặc quá chậm nên máy chủ đã thôi nhận" in answer

    # 2. Two bodies that never pause but trickle at 64 bytes a second take both threads; they
    # are cut off when their length at MIN_RATE_KB is spent, and a page waiting for a thread
    # is answered then, not never.
    trickles = [SlowUpload(port, ward, item_id, step=16, every=0.25).start() for _ in range(2)]
    deadline = BODY_TIMEOUT + len(trickles[0].body) / (MIN_RATE_KB * 1024)
    time.sleep(0.5)
    began = time.monotonic()
    assert other.http.get("/login", timeout=deadline + 5).status_code == 200
    waited = time.monotonic() - began
    assert deadline - 1.5 < waited < deadline + 2
    for trickle in trickles:
        trickle.wait(5)
        assert trickle.ended_after < deadline + 2 and trickle.sent < len(trickle.body)

    # 3. A client that gives up half-way.
    quitter = SlowUpload(port, ward, item_id, step=0, every=0.2)
    quitter.sock.sendall(quitter.head + quitter.body[: len(quitter.body) // 2])
    quitter.sock.close()
    assert other.http.get("/login").status_code == 200

    # The server is well, and nothing of the three uploads is anywhere.
    assert ward.http.get(f"/items/{item_id}").status_code == 200
    server_log = log.read_text()
    assert server_log.count(f'"POST /items/{item_id}/files HTTP/1.1" 408') == 3, server_log
    assert "Traceback" not in server_log and "[ERROR]" not in server_log, server_log
    assert written_since(app, counted) == set()
    assert stored_files(app) == files == {}
    assert list(server_temp.iterdir()) == []
