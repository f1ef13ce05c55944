"""A Word 97-2003 letter (.doc) converted to .docx by LibreOffice, headless, on the server.

Each conversion runs `soffice` with a profile of its own in a throw-away folder
(-env:UserInstallation), so that two conversions at once, or one beside an office user's
LibreOffice, never share a profile or its lock; with a time limit and an address-space limit;
the .docx it writes is read and the folder deleted, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import LetterImportError
from .ocr import Limits, limit_child

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_doc(data: bytes, name: str) -> None:
    """Refuse at once a file named .doc that is not a Word 97-2003 file (an OLE container)."""
    if not data.startswith(OLE_MAGIC):
        raise LetterImportError(
            f"Tệp «{name}» mang đuôi .doc nhưng không phải văn bản Word 97-2003; hãy kiểm tra "
            "lại tệp, hoặc lưu công văn thành .docx hay .txt."
        )


def convert_doc(data: bytes, name: str, limits: Limits) -> bytes:
    """The .docx LibreOffice makes of a .doc's bytes."""
    check_doc(data, name)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise LetterImportError(
            f"Tệp «{name}» là Word 97-2003 (.doc), cần LibreOffice để chuyển đổi nhưng máy chủ "
            "chưa cài. Hãy lưu lại thành .docx, hoặc báo quản trị hệ thống."
        )
    with tempfile.TemporaryDirectory(prefix="portal-doc-") as folder:
        work = Path(folder)
        source = work / "letter.doc"
        source.write_bytes(data)
        profile = work / "profile"
        command = [office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
                   "--outdir", str(work / "out"), str(source)]
        # A session of its own: on timeout the whole group (soffice and soffice.bin) is killed.
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True,
                                 preexec_fn=limit_child(max(limits.memory_mb, 2048)))
        try:
            returncode = child.wait(timeout=limits.convert_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            raise LetterImportError(
                f"Chuyển đổi «{name}» bằng LibreOffice quá {limits.convert_seconds} giây nên đã "
                "dừng; hãy lưu công văn thành .docx."
            ) from None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # nothing of LibreOffice outlives the call
        result = work / "out" / "letter.docx"
        if returncode != 0 or not result.exists():
            raise LetterImportError(
                f"Tệp «{name}» là Word 97-2003 (.doc) nhưng LibreOffice không chuyển đổi được: "
                "tệp có thể bị hỏng. Hãy mở bằng Word và lưu lại thành .docx."
            )
        return result.read_bytes()
