"""Evidence files on disk: checked by content, written atomically under generated names.

A file lives at UPLOAD_DIR/<first two characters>/<stored name>; its original name is kept only in
the database, for display and download.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

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
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)
# An Office package with more entries or a larger unpacked size than this is refused (zip bomb).
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
CHUNK = 64 * 1024


class EvidenceRejected(ValueError):
    """The file cannot be kept; the message tells the user why, in Vietnamese."""


class EvidenceTooLarge(EvidenceRejected):
    pass


@dataclass
class StoredFile:
    stored_name: str
    file_name: str
    content_type: str
    size: int
    sha256: str


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


def save(upload: FileStorage, max_bytes: int) -> StoredFile:
    """Check an uploaded file and write it to disk; raise EvidenceRejected if it cannot be kept."""
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
    temp = final.parent / f".tmp-{stored_name}"
    try:
        size, digest = _write(upload, temp, max_bytes)
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


def _write(upload: FileStorage, temp: Path, max_bytes: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(temp, "xb") as out:
        while chunk := upload.stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise EvidenceTooLarge(
                    f"Tệp vượt quá giới hạn {max_bytes // (1024 * 1024)} MB; hãy nén hoặc chia nhỏ."
                )
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
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return None
            if sum(entry.file_size for entry in entries) > ZIP_MAX_UNPACKED:
                return None
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None
