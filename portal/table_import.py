"""What every import of a table shares (units and accounts in `admin/people/imports.py`, a unit's
findings in `findings/imports.py`): the rows of an uploaded CSV (UTF-8 with or without BOM, comma
or semicolon) or Excel workbook (.xlsx, its first sheet) as text; header words compared without
diacritics (`words`); a unit named in a file (`UnitFinder`); and the pending import kept between
its preview and its confirmation.

A pending import waits in a file of its own under the instance folder (`pending-imports/`), named
by a random token that only its uploader's session holds: a thousand rows do not fit in a cookie,
and the file holds exactly what was previewed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import tempfile
import time
import zipfile
from pathlib import Path

from flask import current_app

from .admin.fields import clean
from .models import Unit
from .vietnamese import fold

XLSX_MAX_UNPACKED = 50 * 1024 * 1024  # a workbook that unpacks to more is a zip bomb
ROWS_READ_MAX = 5100  # rows of a sheet read at most; each import says what its limit is
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class FileRejected(ValueError):
    """The whole file cannot be imported; the message says why, in Vietnamese."""


def words(text: str) -> str:
    """'Xã, phường' -> 'xa phuong': how headers, kinds and roles are compared."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def name_key(text: str) -> str:
    """Two unit names that differ only by case or spacing are the same name."""
    return clean(text).casefold()


# --- reading a table ---------------------------------------------------------------------------


def csv_table(raw: bytes) -> list[tuple[int, list[str]]]:
    """The rows of a CSV file with their line numbers."""
    if b"\x00" in raw:
        raise FileRejected("Tệp không phải văn bản CSV.")
    try:
        text = raw.decode("utf-8-sig")  # Excel's «CSV UTF-8» starts with a BOM
    except UnicodeDecodeError:
        raise FileRejected(
            "Tệp CSV không ở mã UTF-8. Trong Excel hãy chọn «Lưu thành» → «CSV UTF-8 "
            "(Comma delimited)», hoặc tải lên tệp .xlsx."
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel writes ';' where the list separator is ';' (Vietnamese regional settings).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise FileRejected(f"Tệp CSV sai định dạng ở dòng {reader.line_num}.") from error


def xlsx_table(raw: bytes) -> list[tuple[int, list[str]]]:
    """The rows of a workbook's first sheet with their line numbers, each cell as text."""
    import openpyxl  # only an import needs it

    unreadable = "Không đọc được tệp Excel (.xlsx); hãy kiểm tra tệp hoặc lưu thành CSV UTF-8."
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED:
                raise FileRejected("Tệp Excel quá lớn khi giải nén; hãy chia nhỏ tệp.")
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except FileRejected:
        raise
    except Exception as error:  # a damaged or foreign file fails in many ways inside openpyxl
        raise FileRejected(unreadable) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [cell_text(value) for value in row]))
            if len(rows) > ROWS_READ_MAX:  # the import's own size check reports it
                break
    except Exception as error:
        raise FileRejected(unreadable) from error
    finally:
        workbook.close()
    return rows


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 3 as 3.0
    if hasattr(value, "strftime"):  # a date cell: as it reads on screen
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- a unit named in a file --------------------------------------------------------------------


class UnitFinder:
    """A unit named in a file: by its exact name, else by its name or short name without
    diacritics ("Phuong 1", "P1") when that names exactly one unit. With `prefixes` (words
    without diacritics, such as "ubnd", "phong"), a name is also found without them: "UBND
    Phường An Hòa" and "An Hoà" are Phường An Hòa."""

    def __init__(self, units: list[Unit], prefixes: tuple[str, ...] = ()):
        self.prefixes = prefixes
        self.exact = {name_key(u.name): u for u in units}
        self.loose: dict[str, list[Unit]] = {}
        for unit in units:
            for name in {words(unit.name), words(unit.short_name),
                         self._bare(unit.name)} - {""}:
                if unit not in self.loose.get(name, []):
                    self.loose.setdefault(name, []).append(unit)

    def _bare(self, text: str) -> str:
        name = words(text)
        changed = True
        while changed and self.prefixes:
            changed = False
            for prefix in self.prefixes:
                if name.startswith(prefix + " ") and len(name) > len(prefix) + 1:
                    name, changed = name[len(prefix) + 1:], True
        return name

    def find(self, text: str) -> tuple[Unit | None, str | None]:
        found = self.exact.get(name_key(text))
        if found is None:
            candidates = self.loose.get(words(text), [])
            if not candidates and self.prefixes:
                candidates = self.loose.get(self._bare(text), [])
            if len(candidates) > 1:
                names = ", ".join(f"«{unit.name}»" for unit in candidates)
                return None, (f"«{text}» khớp nhiều đơn vị ({names}); hãy ghi đúng tên đơn vị, "
                              "có dấu.")
            found = candidates[0] if candidates else None
        if found is None:
            return None, f"Không có đơn vị «{text}» trong hệ thống."
        if not found.active:
            return None, f"Đơn vị «{found.name}» đã ngừng hoạt động."
        return found, None


# --- between preview and confirmation: files under instance/pending-imports ---------------------

# Seconds each kind of pending file waits: rows for their confirmation, first passwords for
# their one download.
KEPT_FOR = {"rows": 60 * 60, "passwords": 10 * 60, "findings": 60 * 60}


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "pending-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def keep(kind: str, payload: dict) -> str:
    """Write the payload to a new file readable by the portal only; its token."""
    token = secrets.token_urlsafe(24)
    folder = _folder()
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # created 0600
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False)
    os.replace(temporary, folder / f"{token}.{kind}.json")
    return token


def take(kind: str, token: str | None, admin_id: int) -> dict | None:
    """The payload kept under `token`, removed as it is read: it can be taken only once. None when
    there is none (taken already, expired, another user's)."""
    if not token or not TOKEN.fullmatch(token):
        return None
    path = _folder() / f"{token}.{kind}.json"
    claimed = path.with_name(f".taken-{secrets.token_hex(8)}")
    try:
        os.rename(path, claimed)  # atomic: two requests cannot both take it
    except FileNotFoundError:
        return None
    try:
        if time.time() - claimed.stat().st_mtime > KEPT_FOR[kind]:
            return None
        payload = json.loads(claimed.read_text(encoding="utf-8"))
    finally:
        claimed.unlink(missing_ok=True)
    return payload if payload.get("admin_id") == admin_id else None


def peek(kind: str, token: str | None, admin_id: int) -> dict | None:
    """The payload kept under `token`, left in place (the preview may be reloaded)."""
    if not token or not TOKEN.fullmatch(token):
        return None
    path = _folder() / f"{token}.{kind}.json"
    try:
        if time.time() - path.stat().st_mtime > KEPT_FOR[kind]:
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return payload if payload.get("admin_id") == admin_id else None


def discard(kind: str, token: str | None) -> None:
    if token and TOKEN.fullmatch(token):
        (_folder() / f"{token}.{kind}.json").unlink(missing_ok=True)


def sweep() -> None:
    """Remove what waited too long: unconfirmed imports after an hour, unread first passwords
    after ten minutes; leftovers of interrupted writes and reads too."""
    folder = Path(current_app.instance_path) / "pending-imports"
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.iterdir():
        kind = path.name.split(".")[-2] if path.name.count(".") >= 2 else ""
        limit = KEPT_FOR.get(kind, min(KEPT_FOR.values()))
        try:
            if now - path.stat().st_mtime > limit:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
