"""Reading an uploaded letter's file in the portal, outside the request that brought it.

A .txt or .docx is read at once, in the request. A PDF, a scan or a .doc may take from a second
to a minute (LibreOffice, Tesseract page by page), so its upload only checks what is cheap
(`quick_check`), keeps the bytes in a `LetterRead` row and starts `flask read-letter ID` as a
process of its own (`start`): it works the same under gunicorn and the development server, does
not hold a request or a worker, survives the request, and its memory is its own, bounded by
RLIMIT_AS (`run`). The process writes the pages it has read into the row as it goes, makes the
draft (or ends the row with the Vietnamese message of the refusal), and drops the bytes. The
upload's page polls the row (`refresh`, which also ends a read whose process died).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..config import ROOT
from ..deadlines import local_date, utcnow
from ..extensions import db
from ..models import Directive, LetterRead, LetterReadStatus, User
from . import drafts
from .importer import LetterImportError, import_letter
from .importer import doc as doc_reader
from .importer.ocr import Limits
from .importer.reading import SLOW_FORMATS, letter_format, read_letter_file
from .importer.signature import SignatureReport, read_signatures
from .lifecycle import Refused

UNEXPECTED = ("Có lỗi không lường trước khi đọc tệp; chưa có gì được lưu. Hãy thử lại, hoặc "
              "dùng bản Word (.docx) của công văn.")
DIED = ("Việc đọc tệp đã dừng giữa chừng (quá thời gian hoặc quá bộ nhớ cho phép); chưa có gì "
        "được lưu. Hãy thử lại, hoặc dùng bản Word (.docx) của công văn.")


def limits(config: Mapping) -> Limits:
    """The bounds on reading one letter, from the portal's LETTER_* settings."""
    return Limits(
        max_pages=config["LETTER_MAX_PAGES"],
        max_pixels=config["LETTER_MAX_PIXELS"],
        page_seconds=config["LETTER_PAGE_SECONDS"],
        convert_seconds=config["LETTER_CONVERT_SECONDS"],
        memory_mb=config["LETTER_MEMORY_MB"],
        workers=config["LETTER_OCR_WORKERS"],
    )


def is_slow(data: bytes, filename: str) -> bool:
    """Whether the file is read outside the request (a PDF, an image, a .doc)."""
    return letter_format(data, filename or "") in SLOW_FORMATS


def quick_check(data: bytes, filename: str) -> None:
    """What can be refused at once, before a process is started: an empty file, a .doc that
    is not one, a PDF that does not start as one."""
    name = filename or "tệp"
    if not data:
        raise LetterImportError(f"Tệp «{name}» trống, không có nội dung để nhập.")
    kind = letter_format(data, name)
    if kind == "doc":
        doc_reader.check_doc(data, name)
    if kind == "pdf" and b"%PDF-" not in data[:1024]:
        raise LetterImportError(
            f"Tệp «{name}» mang đuôi .pdf nhưng không phải PDF; hãy tải lại bản gốc của công văn."
        )


# --------------------------------------------------------------------------------------------
# In the request


def start(data: bytes, filename: str, slug: str, user: User) -> LetterRead:
    """Keep the file in a new read, commit, and start the process that reads it."""
    now = utcnow()
    read = LetterRead(user_id=user.id, filename=(filename or "tệp")[:255], slug=slug or "",
                      data=data, status=LetterReadStatus.QUEUED, source="", pages=0,
                      pages_done=0, message="", signatures=[], created_at=now, updated_at=now)
    db.session.add(read)
    db.session.commit()
    try:
        _spawn(read.id)
    except OSError:
        _fail(read, UNEXPECTED)
    return read


def _spawn(read_id: int) -> None:
    """`flask read-letter ID` in a session of its own, with the settings it needs to reach the
    same database; a thread reaps it when it ends, so that no zombie is left."""
    config = current_app.config
    env = dict(os.environ)
    env["PORTAL_DATABASE_URL"] = config["DATABASE_URL"]
    # The same key: the process then never writes instance/secret_key of its own.
    env["PORTAL_SECRET_KEY"] = config["SECRET_KEY"]
    for name in ("LETTER_MAX_PAGES", "LETTER_MAX_PIXELS", "LETTER_PAGE_SECONDS",
                 "LETTER_CONVERT_SECONDS", "LETTER_MEMORY_MB", "LETTER_OCR_WORKERS"):
        env[f"PORTAL_{name}"] = str(config[name])
    child = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "read-letter", str(read_id)],
        # Its errors go where the server's go (gunicorn's log, the journal).
        cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        start_new_session=True, close_fds=True)
    threading.Thread(target=child.wait, daemon=True, name=f"letter-read-{read_id}").start()


def refresh(read: LetterRead) -> LetterRead:
    """The read as it stands; one that shows no progress for LETTER_READ_STALE_SECONDS (its
    process was killed, the server restarted) is ended as failed."""
    db.session.refresh(read)
    stale = timedelta(seconds=current_app.config["LETTER_READ_STALE_SECONDS"])
    if read.status in (LetterReadStatus.QUEUED, LetterReadStatus.READING) and (
            utcnow() - read.updated_at > stale):
        _fail(read, DIED)
    return read


def signature_lines(reports: list[SignatureReport]) -> list[str]:
    """Each signature in one Vietnamese sentence, for the draft's page and the command line."""
    lines = []
    for report in reports:
        who = report.signer + (f" ({report.organization})" if report.organization else "")
        when = ""
        if report.signed_at:
            moment = datetime.fromisoformat(report.signed_at)
            local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
            when = f", ký lúc {local:%H:%M} ngày {local:%d/%m/%Y}"
        lines.append(f"Ký số bởi {who}{when}: {report.verdict}.")
    return lines


def signatures_of(read: LetterRead | None) -> list[str]:
    if read is None:
        return []
    return signature_lines([SignatureReport.from_dict(item) for item in read.signatures or []])


def read_for(directive: Directive) -> LetterRead | None:
    """The read a draft was made from, if it was made from a file read outside the request."""
    return db.session.scalar(
        select(LetterRead).where(LetterRead.directive_id == directive.id)
        .order_by(LetterRead.id.desc()).limit(1))


# --------------------------------------------------------------------------------------------
# In the reading process


def bound_memory(memory_mb: int) -> None:
    """The reading process's own address space bounded (its soft limit: LibreOffice, started
    from it, sets its own); a file that would need more fails with MemoryError."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = (memory_mb + 1024) * 1024 * 1024  # the interpreter and its libraries besides
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run(read_id: int) -> LetterRead | None:
    """Read the file of `read_id`, make its draft, and end the read (done or failed)."""
    read = db.session.get(LetterRead, read_id)
    if read is None or read.status is not LetterReadStatus.QUEUED or read.data is None:
        return read
    data, filename = read.data, read.filename
    read.status = LetterReadStatus.READING
    read.updated_at = utcnow()
    # Committed before the long part: no transaction (and none of SQLite's write lock) is held
    # while the file is read; each page's progress is a short transaction of its own.
    db.session.commit()
    config = current_app.config

    def progress(done: int, pages: int) -> None:
        read.pages, read.pages_done = pages, done
        read.source = "scan"
        read.updated_at = utcnow()
        db.session.commit()

    try:
        kind = letter_format(data, filename)
        text = read_letter_file(data, filename, limits=limits(config), progress=progress)
        if kind == "doc":
            read.source = "doc"
        elif not read.source:
            read.source = "pdf" if kind == "pdf" else "scan"
        if kind == "pdf":
            read.signatures = [report.as_dict() for report in read_signatures(data)]
        user = db.session.get(User, read.user_id) if read.user_id else None
        draft = import_letter(text, drafts.unit_refs(), received=local_date(read.created_at))
        slug = read.slug or drafts.slug_from(draft.title or draft.subject, draft.year)
        directive = drafts.draft_from_letter(draft, slug, user=user)
    except (LetterImportError, Refused) as error:
        db.session.rollback()
        return _fail(db.session.get(LetterRead, read_id), str(error))
    except MemoryError:
        db.session.rollback()
        return _fail(db.session.get(LetterRead, read_id), DIED)
    except Exception:
        db.session.rollback()
        _fail(db.session.get(LetterRead, read_id), UNEXPECTED)
        raise
    read.status = LetterReadStatus.DONE
    read.directive_id = directive.id
    read.data = None
    read.pages_done = read.pages
    read.updated_at = utcnow()
    db.session.commit()
    return read


def _fail(read: LetterRead, message: str) -> LetterRead:
    read.status = LetterReadStatus.FAILED
    read.message = message
    read.data = None
    read.updated_at = utcnow()
    db.session.commit()
    return read

