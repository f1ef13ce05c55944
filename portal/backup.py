"""Backup and restore: a consistent copy of the database and the evidence files, with a manifest
of SHA-256 checksums, taken while the portal keeps serving; and its restore into an instance,
checked against the manifest before anything is written.

A backup folder holds:

    manifest.json        format, dialect, schema revision, rows per table and, for every other
                         file in the folder, its size and SHA-256 (written last: no manifest,
                         no backup)
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    database.pgdump      PostgreSQL: pg_dump --format=custom
    uploads/<ab>/<name>  the evidence files the copied database has rows for

Files are copied first, then the database; files uploaded meanwhile are copied after, and files
without a row in the copied database are left out, so every row has its file.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection

from . import storage
from .extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in Vietnamese."""


@dataclass
class Outcome:
    """What a backup or restore did, for the command to print."""

    folder: Path
    counts: dict[str, int]
    files: int
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- backup

def backup(target: Path) -> Outcome:
    """Copy the configured database and the evidence files into `target` (new or empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"Thư mục {target} đã có dữ liệu; hãy chọn một thư mục mới hoặc trống.")
    target.mkdir(parents=True, exist_ok=True)
    copies = target / UPLOADS
    upload_root = storage.upload_root()
    checksums: dict[str, dict] = {}

    # Files first: a file is on disk before its row is committed, so every row the database copy
    # below holds is either copied here or uploaded meanwhile (and copied after).
    for path in storage.stored_files(upload_root):
        if not path.name.startswith(storage.TEMP_PREFIX):
            _copy(path, copies / path.relative_to(upload_root), checksums, target)

    engine = db.engine
    if engine.dialect.name == "sqlite":
        database_file, rows, counts, revision = _backup_sqlite(target)
    elif engine.dialect.name == "postgresql":
        database_file, rows, counts, revision = _backup_postgresql(target)
    else:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {engine.dialect.name}.")
    checksums[database_file.name] = _checksum(database_file)

    warnings = []
    for stored_name in rows:
        relative = f"{UPLOADS}/{stored_name[:2]}/{stored_name}"
        if relative in checksums:
            continue
        live = storage.path_for(stored_name)
        if live.exists():  # uploaded while the files were being copied
            _copy(live, target / relative, checksums, target)
        else:  # removed meanwhile: its row is gone in the next backup
            warnings.append(f"Tệp của bản ghi đã bị xoá trong lúc sao lưu: {relative}")
    for relative in [r for r in checksums if r.startswith(f"{UPLOADS}/")]:
        if relative.rsplit("/", 1)[1] not in rows:  # no row in this copy: an orphan or too new
            (target / relative).unlink()
            del checksums[relative]
    for relative, entry in checksums.items():
        name = relative.rsplit("/", 1)[-1]
        if name in rows and rows[name] != entry["sha256"]:
            warnings.append(f"Tệp có SHA-256 khác bản ghi (đã hỏng trước khi sao lưu): {relative}")
    _remove_empty_folders(copies)

    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": engine.dialect.name,
        "database": database_file.name,
        "schema_revision": revision,
        "counts": counts,
        "files": dict(sorted(checksums.items())),
        "warnings": warnings,
    }
    _write_atomically(target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return Outcome(target, counts, len(checksums) - 1, warnings)


def _backup_sqlite(target: Path) -> tuple[Path, dict[str, str], dict[str, int], str | None]:
    source = sqlite3.connect(_sqlite_path(db.engine.url))
    copy_path = target / SQLITE_FILE
    copy = sqlite3.connect(copy_path)
    try:
        # One step (pages=-1): a single read transaction, so the copy is one consistent snapshot
        # while writers go on in the WAL.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        rows = dict(copy.execute(
            "SELECT stored_name, sha256 FROM evidence WHERE kind = 'file'"
        ).fetchall())
        counts = {table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                  for table in _tables(copy)}
        revision = _sqlite_revision(copy)
    finally:
        copy.close()
        source.close()
    _fsync(copy_path)
    return copy_path, rows, counts, revision


def _backup_postgresql(target: Path) -> tuple[Path, dict[str, str], dict[str, int], str | None]:
    dump = target / PG_FILE
    with db.engine.connect().execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    ) as connection:
        # pg_dump reads the same snapshot as the rows and counts read here.
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", f"--file={dump}", "--dbname", _libpq(db.engine.url)],
             db.engine.url)
        rows = dict(connection.execute(
            text("SELECT stored_name, sha256 FROM evidence WHERE kind = 'file'")
        ).all())
        counts = _counts(connection)
        revision = _revision(connection)
    _fsync(dump)
    return dump, rows, counts, revision


# --------------------------------------------------------------------------- restore

def verify(source: Path) -> dict:
    """The backup's manifest, once every file it lists is there with its size and SHA-256 and no
    other file is; BackupError naming the first files that differ otherwise."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"Không có {MANIFEST} trong {source}: đây không phải bản sao lưu đầy đủ.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = manifest["files"]
        database = manifest["database"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{MANIFEST} không đọc được: bản sao lưu đã bị sửa hoặc hỏng.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu theo định dạng {manifest.get('format')}, "
                          f"phiên bản này chỉ đọc định dạng {FORMAT}.")
    problems = []
    for relative, entry in listed.items():
        path = source / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            problems.append(f"{relative}: đường dẫn không hợp lệ")
        elif not path.is_file():
            problems.append(f"{relative}: thiếu tệp")
        elif path.stat().st_size != entry["size"] or storage.sha256_of(path) != entry["sha256"]:
            problems.append(f"{relative}: nội dung khác với manifest (SHA-256 không khớp)")
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()}
    problems += [f"{extra}: tệp không có trong manifest"
                 for extra in sorted(present - set(listed) - {MANIFEST})]
    if database not in listed:
        problems.append(f"{database}: thiếu trong manifest")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … và {len(problems) - 20} tệp khác" if len(problems) > 20 else ""
        raise BackupError(f"Bản sao lưu {source} đã bị thay đổi hoặc hỏng, không phục hồi:\n"
                          f"  {shown}{more}")
    return manifest


def restore(source: Path, force: bool = False) -> Outcome:
    """Check the backup in `source`, then put its database and files into the configured
    instance; an instance that already holds data is replaced only with `force`."""
    manifest = verify(source)
    engine = db.engine
    if manifest["dialect"] != engine.dialect.name:
        raise BackupError(f"Bản sao lưu là của {manifest['dialect']}, nhưng cổng đang cấu hình "
                          f"{engine.dialect.name}; hãy phục hồi vào cùng loại cơ sở dữ liệu.")
    upload_root = storage.upload_root()
    if engine.dialect.name == "sqlite":  # a new instance: its folder may not exist yet
        Path(_sqlite_path(engine.url)).parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        filled = [t for t, n in _counts(connection).items() if n and t != "alembic_version"]
    has_files = any(storage.stored_files(upload_root))
    if (filled or has_files) and not force:
        what = f"các bảng {', '.join(filled[:5])}" if filled else f"tệp trong {upload_root}"
        raise BackupError(f"Cơ sở dữ liệu đích đã có dữ liệu ({what}); dùng --force để ghi đè.")

    # Files into a folder beside the uploads, switched in once the database is restored.
    upload_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=upload_root.parent))
    try:
        checksums: dict[str, dict] = {}
        for relative in manifest["files"]:
            if relative.startswith(f"{UPLOADS}/"):
                _copy(source / relative, staging / relative.removeprefix(f"{UPLOADS}/"),
                      checksums, staging)
        db.session.remove()
        engine.dispose()
        if engine.dialect.name == "sqlite":
            _restore_sqlite(source / manifest["database"])
        else:
            _restore_postgresql(source / manifest["database"])
        engine.dispose()
        with engine.connect() as connection:
            counts = _counts(connection)
        differ = [f"{table}: {manifest['counts'][table]} → {counts.get(table)}"
                  for table in manifest["counts"] if counts.get(table) != manifest["counts"][table]]
        if differ:
            raise BackupError("Số bản ghi sau phục hồi khác bản sao lưu: " + "; ".join(differ))
        warnings = []
        if upload_root.exists():
            if any(storage.stored_files(upload_root)):
                aside = upload_root.with_name(
                    f"{upload_root.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
                upload_root.rename(aside)
                warnings.append(f"Tệp cũ được chuyển sang {aside}.")
            else:
                shutil.rmtree(upload_root)
        staging.rename(upload_root)
        storage._fsync_dir(upload_root.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Outcome(source, counts, len(checksums), warnings)


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(_sqlite_path(db.engine.url), timeout=30)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"Cơ sở dữ liệu sau phục hồi không toàn vẹn: {result}")
    finally:
        target.close()
        source.close()


def _restore_postgresql(dump: Path) -> None:
    with db.engine.begin() as connection:
        # Tables made by `db upgrade` but empty, or data the user chose to replace (--force).
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "--dbname", _libpq(db.engine.url), str(dump)], db.engine.url)


# --------------------------------------------------------------------------- helpers

def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay phục hồi được.")
    return url.database


def _libpq(url: URL) -> str:
    """The URL for pg_dump and pg_restore; the password goes through PGPASSWORD, never argv."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"Không tìm thấy {command[0]}; hãy cài gói postgresql-client "
                          "cùng phiên bản với máy chủ.") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} không thành công:\n{result.stderr.strip()}")


def _tables(connection: sqlite3.Connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )]


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    if "alembic_version" not in _tables(connection):
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _counts(connection: Connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _copy(source: Path, destination: Path, checksums: dict, base: Path) -> None:
    """Copy one file durably (temporary name, fsync, rename) and note its size and SHA-256."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temp = destination.with_name(f"{storage.TEMP_PREFIX}{secrets.token_hex(4)}-{destination.name}")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(source, "rb") as src, open(temp, "xb") as out:
            while chunk := src.read(storage.CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, destination)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    checksums[destination.relative_to(base).as_posix()] = {
        "size": size, "sha256": digest.hexdigest()}


def _checksum(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": storage.sha256_of(path)}


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _write_atomically(path: Path, content: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "w", encoding="utf-8") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    storage._fsync_dir(path.parent)


def _remove_empty_folders(root: Path) -> None:
    if root.is_dir():
        for folder in sorted(root.iterdir(), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
