"""Evidence files on disk: checked by content, written atomically under generated names, counted
against the unit's quota, and compared with the database (check-storage). A file attached to an
item's conversation (`portal/talk`) is checked and kept the same way, but is not evidence and is
not counted against the quota.

A file lives at UPLOAD_DIR/<first two characters>/<stored name>; its original name is kept only in
the database, for display and download. A file is written to a temporary name in its folder,
flushed to disk, renamed, and only then is its row committed; if the commit fails the file is
removed. A crash between the rename and the commit leaves an orphan file, never a row without a
file: `flask --app portal check-storage --fix` removes such orphans once they are a day old.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Response, abort, current_app, send_file
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from .extensions import db
from .models import Evidence, EvidenceKind, Message

# Extension -> (content family, MIME type).
ALLOWED = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
}
FAMILY_NAMES = {
    "pdf": "PDF",
    "ole": "Word/Excel (DOC, XLS)",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "jpeg": "ảnh JPG",
    "png": "ảnh PNG",
}
SERVED_TYPES = {content_type for _, content_type in ALLOWED.values()}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)
# An Office package with more entries or a larger unpacked size than this is refused (zip bomb).
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
CHUNK = 64 * 1024
MB = 1024 * 1024
# Files being written are named .tmp-<stored name> in their folder.
TEMP_PREFIX = ".tmp-"
# check-storage --fix removes an orphan file only when it is older than this: a younger one may
# belong to an upload whose row is being committed right now.
ORPHAN_MIN_AGE = 24 * 3600


class EvidenceRejected(ValueError):
    """The file cannot be kept; the message tells the user why, in Vietnamese."""


class EvidenceTooLarge(EvidenceRejected):
    pass


@dataclass(frozen=True)
class Quota:
    """A unit's storage: bytes its evidence files take and bytes it may take."""

    used: int
    limit: int

    @property
    def room(self) -> int:
        return max(0, self.limit - self.used)

    def refuse(self, size: int | None = None) -> QuotaExceeded:
        return QuotaExceeded(self, size)


class QuotaExceeded(EvidenceTooLarge):
    """The file would take the unit over its quota; nothing is kept."""

    def __init__(self, quota: Quota, size: int | None = None):
        self.quota = quota
        this = f" tệp này {_megabytes(size)} MB;" if size else ""
        super().__init__(
            f"Đơn vị đã dùng {_megabytes(quota.used)} MB trong hạn mức {_megabytes(quota.limit)} "
            f"MB lưu trữ tài liệu kiểm chứng;{this} tệp không được nhận. Hãy xoá bớt tệp không "
            "cần thiết hoặc đề nghị Phòng Nội vụ nâng hạn mức."
        )


def _megabytes(size: int) -> str:
    """Megabytes the Vietnamese way: 1.536,5."""
    text = f"{size / MB:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.removesuffix(",0")


@dataclass
class StoredFile:
    stored_name: str
    file_name: str
    content_type: str
    size: int
    sha256: str


def served_type(content_type: str) -> str:
    """The Content-Type to serve a stored file with: one of ours, or a plain download."""
    return content_type if content_type in SERVED_TYPES else "application/octet-stream"


# A stored file is whatever users sent: a browser that opens it anyway runs nothing in it.
SANDBOXED = "default-src 'none'; img-src 'self'; sandbox"


def send_download(stored_name: str, content_type: str, file_name: str) -> Response:
    """A stored file (evidence or a message's attachment) as a download under its own name,
    never cached, sandboxed; 404 when the file is missing on disk."""
    path = path_for(stored_name) if stored_name else None
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=served_type(content_type), as_attachment=True,
                         download_name=file_name, max_age=0)
    response.headers["Content-Security-Policy"] = SANDBOXED
    return response


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_for(stored_name: str) -> Path:
    return upload_root() / stored_name[:2] / stored_name


def clean_file_name(name: str | None) -> str:
    """The name to show and download with: no folders, no control characters, at most 255."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 254 - len(ext)] + dot + ext if dot and len(ext) <= 10 else name[:255]
    return name


def save(upload: FileStorage, max_bytes: int, quota: Quota | None = None) -> StoredFile:
    """Check an uploaded file and write it to disk; raise EvidenceRejected if it cannot be kept
    (QuotaExceeded when it does not fit in `quota`). Nothing is left on disk when it is refused."""
    file_name = clean_file_name(upload.filename)
    if not file_name:
        raise EvidenceRejected("Chưa chọn tệp, hoặc tên tệp không hợp lệ.")
    ext = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    if ext not in ALLOWED:
        raise EvidenceRejected(
            "Chỉ nhận tệp PDF, Word (DOC, DOCX), Excel (XLS, XLSX) hoặc ảnh JPG, PNG."
        )
    family, content_type = ALLOWED[ext]

    stored_name = secrets.token_hex(16)
    final = path_for(stored_name)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.parent / f"{TEMP_PREFIX}{stored_name}"
    try:
        size, digest = _write(upload, temp, max_bytes, quota)
        if size == 0:
            raise EvidenceRejected("Tệp rỗng (0 byte), hãy chọn lại tệp.")
        if _family_of(temp) != family:
            raise EvidenceRejected(
                f"Nội dung tệp «{file_name}» không phải {FAMILY_NAMES[family]} như đuôi .{ext}; "
                "tệp không được nhận."
            )
        os.replace(temp, final)
        _fsync_dir(final.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, file_name, content_type, size, digest)


def discard(stored_name: str) -> None:
    """Remove a stored file (its database row was not written, or was deleted)."""
    path_for(stored_name).unlink(missing_ok=True)


def _write(upload: FileStorage, temp: Path, max_bytes: int,
           quota: Quota | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(temp, "xb") as out:
        while chunk := upload.stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise EvidenceTooLarge(
                    f"Tệp vượt quá giới hạn {max_bytes // MB} MB; hãy nén hoặc chia nhỏ."
                )
            if quota is not None and size > quota.room:
                raise quota.refuse()
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _family_of(path: Path) -> str | None:
    """What the bytes are, whatever the name says."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return _office_package(path)
    return None


def _office_package(path: Path) -> str | None:
    """DOCX or XLSX by the parts inside; a package that would unpack into too many entries or too
    many bytes is refused outright (a zip bomb), before anything reads its contents."""
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    # Sizes as the central directory declares them: Python's zipfile never unpacks more than
    # that (it stops and fails the CRC), so the declared total bounds what any reader of ours
    # would unpack.
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_UNPACKED:
        raise EvidenceRejected(
            f"Tệp nén Office có quá nhiều thành phần (tối đa {ZIP_MAX_ENTRIES}) hoặc khi giải nén "
            f"vượt quá {ZIP_MAX_UNPACKED // MB} MB; tệp không được nhận."
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


# --------------------------------------------------------------------------- check-storage

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files(root: Path | None = None) -> Iterator[Path]:
    """Every file under the upload folder, temporary ones included, in a stable order."""
    root = root or upload_root()
    if root.is_dir():
        yield from sorted(p for p in root.glob("*/*") if p.is_file())


def stored_name_of(path: Path) -> str:
    return path.name.removeprefix(TEMP_PREFIX)


@dataclass
class StorageReport:
    """Files and rows that disagree. Paths are relative to the upload folder."""

    files: int = 0
    rows: int = 0
    orphans: list[Path] = field(default_factory=list)  # files without a row
    missing: list[str] = field(default_factory=list)  # rows (stored names) without a file
    corrupt: list[Path] = field(default_factory=list)  # files whose SHA-256 is not the row's

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.missing or self.corrupt)


def check(rows: Iterable[tuple[str, str]], root: Path | None = None) -> StorageReport:
    """Compare the files on disk with the database's (stored name, sha256) rows."""
    root = root or upload_root()
    expected = dict(rows)
    report = StorageReport(rows=len(expected))
    seen = set()
    for path in stored_files(root):
        report.files += 1
        name = path.name
        if name.startswith(TEMP_PREFIX) or name not in expected \
                or path.parent.name != name[:2]:
            report.orphans.append(path.relative_to(root))
            continue
        seen.add(name)
        if sha256_of(path) != expected[name]:
            report.corrupt.append(path.relative_to(root))
    report.missing = sorted(set(expected) - seen)
    return report


def remove_orphans(report: StorageReport, has_row, root: Path | None = None,
                   min_age: float = ORPHAN_MIN_AGE) -> list[Path]:
    """Remove the report's orphan files older than `min_age` seconds. `has_row(stored_name)` is
    asked again just before each removal: a file that has a row is never removed."""
    root = root or upload_root()
    removed = []
    now = time.time()
    for relative in report.orphans:
        path = root / relative
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if age < min_age or has_row(stored_name_of(path)):
            continue
        path.unlink(missing_ok=True)
        removed.append(relative)
    return removed


def check_database() -> tuple[StorageReport, dict[str, str]]:
    """check-storage: the files against every file evidence row and every message's file; also
    each row's label by stored name, for the report."""
    rows = db.session.execute(
        select(Evidence.id, Evidence.file_name, Evidence.stored_name, Evidence.sha256)
        .where(Evidence.kind == EvidenceKind.FILE)
    ).all()
    rows += db.session.execute(
        select(Message.id, Message.file_name, Message.stored_name, Message.sha256)
        .where(Message.stored_name != "")
    ).all()
    labels = {r.stored_name: f"#{r.id} «{r.file_name}»" for r in rows}
    return check((r.stored_name, r.sha256) for r in rows), labels


def has_row(stored_name: str) -> bool:
    return any(db.session.scalar(select(table.id).where(table.stored_name == stored_name).limit(1))
               is not None for table in (Evidence, Message))


def report_lines(report: StorageReport, labels: dict[str, str]) -> list[str]:
    """The check-storage report, in Vietnamese, one line each."""
    lines = [f"Tệp trên đĩa: {report.files}; tệp trong cơ sở dữ liệu: {report.rows}."]
    if report.orphans:
        lines.append(f"Tệp không có bản ghi ({len(report.orphans)}):")
        now = time.time()
        for relative in report.orphans:
            try:
                age = (now - (upload_root() / relative).stat().st_mtime) / 3600
            except FileNotFoundError:
                continue
            lines.append(f"  {relative}  ({age:.0f} giờ trước)")
    if report.missing:
        lines.append(f"Bản ghi không có tệp ({len(report.missing)}):")
        lines += [f"  {labels.get(name, '')}  {name[:2]}/{name}" for name in report.missing]
    if report.corrupt:
        lines.append(f"Tệp có SHA-256 khác bản ghi ({len(report.corrupt)}):")
        lines += [f"  {labels.get(path.name, '')}  {path}" for path in report.corrupt]
    if report.clean:
        lines.append("Không có sai lệch.")
    return lines
