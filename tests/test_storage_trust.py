"""Trust in what the portal keeps: uploads are atomic and within the unit's quota, check-storage
finds files and rows that disagree, backups are consistent under writes and restore only what the
manifest vouches for, SQLite takes many writers at once, and two app servers share one
PostgreSQL database and one upload folder."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import sqlite3
import threading
import time
import traceback
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.demo import sample_pdf
from portal.extensions import db
from portal.items import actions
from portal.models import AuditEvent, Directive, Evidence, Progress, User

from .support.apps import test_settings
from .support.clients import PASSWORD, Browser, PortalClient
from .support.marks import SERVERS
from .support.servers import APP_SETTINGS, Gunicorn, free_port, portal_environment

PDF = sample_pdf("kiem chung")
POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --------------------------------------------------------------------------- atomic uploads

def test_upload_whose_commit_fails_leaves_no_file(app, report_item, upload_dir):
    """The file is on disk before its row; a transaction the database refuses (here a real
    foreign key: the uploader's account does not exist) takes the file away with it."""
    with app.app_context():
        item = db.session.get(Progress, report_item)
        ghost = User(id=987654, username="khong-ton-tai")
        upload = FileStorage(io.BytesIO(PDF), "bao-cao.pdf")
        with pytest.raises(Exception, match="(?i)foreign key"):
            actions.add_file(item, ghost, upload)
    assert files_under(upload_dir) == []
    assert count(app, Evidence) == 0
    assert count(app, AuditEvent, AuditEvent.action == "evidence.add") == 0


def test_upload_over_the_unit_quota_is_refused_with_nothing_written(app, ward, report_item,
                                                                    upload_dir, ids):
    app.config["UNIT_QUOTA_MB"] = 1
    half = PDF + b"%" * (600 * 1024)
    assert ward.upload(report_item, half, "lan-1.pdf").status_code == 200
    other_item = ids.item("Phường 1", "1.2")  # the quota is the unit's, not the item's
    response = ward.upload(other_item, half, "lan-2.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "hạn mức 1 MB" in html and "tệp không được nhận" in html
    assert count(app, Evidence) == 1 and len(files_under(upload_dir)) == 1
    # Another unit has a quota of its own.
    other = PortalClient(app.test_client())
    other.login("phuong2")
    assert other.upload(ids.item("Phường 2", "1.1"), half, "p2.pdf").status_code == 200


def zip_package(entries: dict[str, bytes | int]) -> bytes:
    """An Office-looking package; an int is that many zero bytes, written in chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries.items():
            with package.open(name, "w", force_zip64=isinstance(content, int)) as part:
                if isinstance(content, int):
                    chunk = bytes(1024 * 1024)
                    for _ in range(content // len(chunk)):
                        part.write(chunk)
                else:
                    part.write(content)
    return buffer.getvalue()


@pytest.mark.parametrize("entries", [
    # 210 MB of zeros in 21 parts: about 200 KB on the wire.
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>",
     **{f"word/media/image{i}.bin": 10 * 1024 * 1024 for i in range(21)}},
    # More parts than any real document has.
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>",
     **{f"word/p{i}.xml": b"" for i in range(2001)}},
], ids=["unpacked-size", "entries"])
def test_zip_bomb_in_office_clothing_is_refused(app, ward, report_item, upload_dir, entries):
    bomb = zip_package(entries)
    assert len(bomb) < 1024 * 1024  # under the upload limit: only the content check stops it
    response = ward.upload(report_item, bomb, "ke-hoach.docx")
    assert response.status_code == 422
    assert "Tệp nén Office có quá nhiều thành phần" in response.get_data(as_text=True)
    assert files_under(upload_dir) == [] and count(app, Evidence) == 0


# --------------------------------------------------------------------------- check-storage

def test_check_storage_lists_disagreements_and_fix_removes_only_old_orphans(app, ward,
                                                                            report_item,
                                                                            upload_dir):
    for name in ("mat.pdf", "hong.pdf", "cu.pdf"):
        assert ward.upload(report_item, PDF, name).status_code == 200
    with app.app_context():
        rows = {e.file_name: e.stored_name for e in db.session.scalars(select(Evidence))}
    path = {name: upload_dir / stored[:2] / stored for name, stored in rows.items()}
    two_days_ago = time.time() - 2 * 24 * 3600
    path["mat.pdf"].unlink()  # a row without its file
    path["hong.pdf"].write_bytes(PDF + b"changed")  # a file that is no longer what was uploaded
    os.utime(path["hong.pdf"], (two_days_ago, two_days_ago))
    os.utime(path["cu.pdf"], (two_days_ago, two_days_ago))  # old, but it has a row
    old_orphan = upload_dir / "ab" / ("ab" + "0" * 30)
    old_orphan.parent.mkdir(exist_ok=True)
    old_orphan.write_bytes(PDF)
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    old_temp = upload_dir / "cd" / (".tmp-cd" + "1" * 30)  # a crash in the middle of a write
    old_temp.parent.mkdir(exist_ok=True)
    old_temp.write_bytes(b"%PDF-half")
    os.utime(old_temp, (two_days_ago, two_days_ago))
    new_orphan = upload_dir / "ef" / ("ef" + "2" * 30)  # perhaps a commit in progress
    new_orphan.parent.mkdir(exist_ok=True)
    new_orphan.write_bytes(PDF)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-storage"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Tệp không có bản ghi (3)" in out
    for orphan in (old_orphan, old_temp, new_orphan):
        assert str(orphan.relative_to(upload_dir)) in out
    assert "Bản ghi không có tệp (1)" in out and "«mat.pdf»" in out
    assert "Tệp có SHA-256 khác bản ghi (1)" in out and "«hong.pdf»" in out
    assert all(p.exists() for p in (old_orphan, old_temp, new_orphan))  # no --fix, no change

    result = runner.invoke(args=["check-storage", "--fix"])
    assert "Đã xoá 2 tệp không có bản ghi" in result.output
    assert not old_orphan.exists() and not old_temp.exists()
    assert new_orphan.exists() and path["hong.pdf"].exists() and path["cu.pdf"].exists()
    assert result.exit_code == 1  # a missing and a changed file are still there to look at

    new_orphan.unlink()
    path["hong.pdf"].write_bytes(PDF)
    with app.app_context():
        db.session.execute(text("DELETE FROM evidence WHERE file_name = 'mat.pdf'"))
        db.session.commit()
    result = runner.invoke(args=["check-storage"])
    assert result.exit_code == 0 and "Không có sai lệch." in result.output


# --------------------------------------------------------------------------- backup and restore

@pytest.fixture
def second_database(tmp_path):
    """The URL of another, empty database for a second instance: a SQLite file, or a PostgreSQL
    database created next to TEST_DATABASE_URL's and dropped afterwards."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite3'}"
        return
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_restore_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Writer(threading.Thread):
    """A ward working through the app: uploads and notes, until told to stop."""

    def __init__(self, app, item_id: int):
        super().__init__(daemon=True)
        self.client = PortalClient(app.test_client())
        self.item_id = item_id
        self.stop = threading.Event()
        self.done: list[float] = []  # when each change was answered
        self.failures: list[int] = []

    def run(self) -> None:
        self.client.login("phuong1")
        n = 0
        while not self.stop.is_set():
            n += 1
            if n % 2:
                response = self.client.upload(self.item_id, PDF + str(n).encode(), f"{n}.pdf")
            else:
                response = self.client.post(f"/items/{self.item_id}/save",
                                            {"note": f"Lần {n}"}, htmx=True)
            if response.status_code == 200:
                self.done.append(time.monotonic())
            else:
                self.failures.append(response.status_code)


@SERVERS
def test_backup_under_writes_restores_into_a_new_instance(app, report_item, tmp_path,
                                                          second_database):
    writer = Writer(app, report_item)
    writer.start()
    while len(writer.done) < 6:
        time.sleep(0.01)
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    finished = time.monotonic()
    while len(writer.done) < len([t for t in writer.done if t < finished]) + 4:
        time.sleep(0.01)
    writer.stop.set()
    writer.join()
    assert result.exit_code == 0, "".join(traceback.format_exception(*result.exc_info))
    assert writer.failures == []
    assert writer.done[0] < started and writer.done[-1] > finished  # writes went on throughout

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["warnings"] == []
    restored = create_app(test_settings(tmp_path / "restored", second_database))
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output

    with restored.app_context():
        if db.engine.dialect.name == "sqlite":
            path = db.engine.url.database
            with sqlite3.connect(path) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table, expected in manifest["counts"].items():
            assert db.session.scalar(text(f'SELECT count(*) FROM "{table}"')) == expected, table
        evidence = manifest["counts"]["evidence"]
        assert 3 <= evidence < count(app, Evidence)  # a snapshot of a database that went on
        # One snapshot: each upload's row came with its audit event, each file with its row.
        audited = db.session.scalar(select(func.count()).where(
            AuditEvent.action == "evidence.add"))
        assert audited == evidence
        from portal import storage

        report, _ = storage.check_database()
        assert report.clean and report.rows == evidence == report.files
    restored_client = PortalClient(restored.test_client())
    restored_client.login("phuong1")
    assert restored_client.get(f"/items/{report_item}").status_code == 200
    with restored.app_context():
        db.engine.dispose()


def test_restore_refuses_a_tampered_backup_naming_the_file(app, ward, report_item, tmp_path,
                                                          second_database):
    ward.upload(report_item, PDF, "a.pdf")
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    [copied] = files_under(tmp_path / "b" / "uploads")
    copied.write_bytes(PDF + b"tampered")
    restored = create_app(test_settings(tmp_path / "restored", second_database))
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    relative = copied.relative_to(tmp_path / "b").as_posix()
    assert f"{relative}: nội dung khác với manifest" in result.output
    assert files_under(Path(restored.config["UPLOAD_DIR"])) == []
    with restored.app_context():  # nothing written: no database file, or no tables
        if db.engine.dialect.name == "sqlite":
            assert not Path(db.engine.url.database).exists()
        else:
            assert db.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_restore_will_not_overwrite_a_database_with_data_unless_forced(app, ward, report_item,
                                                                      tmp_path, upload_dir):
    ward.upload(report_item, PDF, "a.pdf")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    assert "đã có dữ liệu" in runner.invoke(args=["backup", str(tmp_path / "b")]).output
    ward.upload(report_item, PDF + b"2", "b.pdf")  # after the backup

    result = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1 and "dùng --force để ghi đè" in result.output
    assert count(app, Evidence) == 2

    result = runner.invoke(args=["restore", "--force", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert count(app, Evidence) == 1
    assert len(files_under(upload_dir)) == 1
    assert "Tệp cũ được chuyển sang" in result.output  # kept aside, not deleted


# --------------------------------------------------------------------------- many writers

WRITERS = 4
CHANGES = 300


def save_notes(settings: dict, username: str, item_id: int, changes: int) -> dict:
    """One process: its own app on the shared database, saving notes through the unit's action,
    each change in a POST request context of its own, as the save route runs it (without the
    HTML around it, so that 1,200 changes take seconds)."""
    from sqlalchemy.exc import OperationalError

    app = create_app(settings)
    locked = failed = 0
    for n in range(changes):
        with app.test_request_context(f"/items/{item_id}/save", method="POST"):
            try:
                user = db.session.scalar(select(User).where(User.username == username))
                actions.save(db.session.get(Progress, item_id), user, f"{username} lần {n}", {})
            except OperationalError as error:
                locked += "database is locked" in str(error)
                failed += 1
    with app.app_context():
        db.engine.dispose()
    return {"locked": locked, "failed": failed}


@SERVERS
def test_four_processes_save_at_once_without_database_is_locked(app, ids, tmp_path, database_url):
    wards = [(f"phuong{n}", ids.item(f"Phường {n}", "1.1")) for n in range(1, WRITERS + 1)]
    directive_id = ids.directive()
    with app.app_context():
        revision = db.session.get(Directive, directive_id).revision
    context = multiprocessing.get_context("spawn")  # no engine or lock inherited from pytest
    with context.Pool(WRITERS) as pool:
        results = pool.starmap(save_notes, [
            (test_settings(tmp_path / f"process{n}", database_url), username, item_id, CHANGES)
            for n, (username, item_id) in enumerate(wards)
        ])
    assert results == [{"locked": 0, "failed": 0}] * WRITERS
    total = WRITERS * CHANGES
    assert count(app, AuditEvent, AuditEvent.action == "progress.save") == total
    with app.app_context():
        assert db.session.get(Directive, directive_id).revision == revision + total
        for username, item_id in wards:
            assert db.session.get(Progress, item_id).note == f"{username} lần {CHANGES - 1}"


# --------------------------------------------------------------------------- two app servers

def serve(app, port: int, log: Path, **settings: str) -> Gunicorn:
    """gunicorn serving the portal with the test app's database, key and upload folder, and
    `settings` as PORTAL_* variables."""
    return Gunicorn(
        "portal:create_app()", log, ["--workers", "1", "--threads", "2", "--error-logfile", "-"],
        env=portal_environment(app.config, APP_SETTINGS) | portal_environment(settings),
        port=port)


@SERVERS
def test_two_app_servers_on_one_database_see_each_others_changes(app, ids, tmp_path):
    """Two gunicorn servers on one database (PostgreSQL in CI's second pass, the SQLite file
    otherwise) and one upload folder: what one writes the other shows, a session opened on one is
    good on the other, and failed logins count across both."""
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"server{n}.log" for n in range(2)]
    servers = [serve(app, port, log, LOGIN_MAX_FAILURES="4")
               for port, log in zip(ports, logs, strict=True)]
    try:
        for server in servers:
            server.wait_until_serving()
        ward, reviewer = Browser(ports[0]), Browser(ports[1])
        ward.login("phuong1")
        reviewer.login("noivu.duyet")
        directive_id, item_id = ids.directive(), ids.item("Phường 1", "1.1")
        url = f"/api/directives/{directive_id}/matrix"

        def cell() -> dict:
            data = reviewer.http.get(url, headers={"Accept": "application/json"}).json()
            return next(c for c in data["cells"] if c["item_id"] == item_id)

        before = cell()
        assert before["status"] == "not_started" and before["evidence_count"] == 0
        response = ward.http.post(
            f"/items/{item_id}/files", data={"csrf_token": ward.token},
            files={"file": ("bao-cao.pdf", PDF, "application/pdf")},
            headers={"HX-Request": "true"})
        assert response.status_code == 200, response.text
        after = cell()
        assert after["status"] == "in_progress" and after["evidence_count"] == 1
        # The file went to the shared folder through one server and comes back through the other.
        with app.app_context():
            evidence_id = db.session.scalar(select(Evidence.id))
        download = reviewer.http.get(f"/evidence/{evidence_id}/download")
        assert download.status_code == 200 and download.content == PDF
        # One key for both: a session from one server is valid on the other (no sticky sessions).
        ward.http.base_url = f"http://127.0.0.1:{ports[1]}"
        assert ward.http.get(f"/items/{item_id}").status_code == 200

        # Four wrong passwords for one account, through one server then the other: the fourth
        # locks the account, and it then waits on both servers, even with the right password.
        guessers = [Browser(port) for port in ports]
        for attempt in range(3):
            response = guessers[attempt % 2].try_login("phuong2", f"doan-bua-{attempt}")
            assert response.status_code == 401, (attempt, response.status_code)
            assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
        assert guessers[1].try_login("phuong2", "doan-bua-3").status_code == 429
        for guesser in guessers:
            response = guesser.try_login("phuong2", PASSWORD)
            assert response.status_code == 429
            assert "quá nhiều lần" in response.text and int(response.headers["Retry-After"]) > 0
    finally:
        for server in servers:
            server.stop()
