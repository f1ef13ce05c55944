"""Bulk import of units and of accounts from a CSV file (UTF-8 with or without BOM, comma or
semicolon) or an Excel workbook (.xlsx, its first sheet).

The import goes in three steps, and nothing reaches the database before the last:
1. `read` turns the upload into rows of text, or refuses the whole file (not CSV/XLSX, not UTF-8,
   a required column missing) with a message naming what is wrong;
2. `check` checks every row against the others and against the database, giving each row its
   errors in Vietnamese; it runs again at confirmation, since the database may have changed;
3. `write` creates everything in one transaction, one audit event per unit or account.

Between the preview and the confirmation the rows wait in a file of their own under the instance
folder (`pending-imports/`), named by a random token that only the administrator's session holds:
a thousand rows do not fit in a cookie, and the file holds exactly what was previewed. The first
passwords of imported accounts wait there too, for one download at most, and for ten minutes.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ... import audit
from ...auth.passwords import hash_first_password
from ...extensions import db
from ...models import Role, Unit, UnitKind, UnitPosition, User
from ...notifications.mail import address_error
from ...sheets import csv_bytes
from ...vietnamese import fold
from ..fields import clean
from . import actions

MAX_ROWS = 5000
XLSX_MAX_UNPACKED = 50 * 1024 * 1024  # a workbook that unpacks to more is a zip bomb
ROWS_KEPT_FOR = 60 * 60  # seconds a previewed import waits for its confirmation
PASSWORDS_KEPT_FOR = 10 * 60  # seconds the first passwords wait for their one download
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class FileRejected(ValueError):
    """The whole file cannot be imported; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    # Header words that name this column, compared without diacritics, case or punctuation.
    names: tuple[str, ...]


COLUMNS: dict[str, tuple[Column, ...]] = {
    "units": (
        Column("name", "Tên đơn vị", True, ("ten don vi", "ten", "name")),
        Column("short_name", "Tên viết tắt", False, ("ten viet tat", "viet tat", "short name")),
        Column("kind", "Loại đơn vị", True, ("loai don vi", "loai", "kind")),
        Column("position", "Thứ tự", False, ("thu tu", "position")),
    ),
    "users": (
        Column("username", "Tên đăng nhập", True, ("ten dang nhap", "tai khoan", "username")),
        Column("full_name", "Họ và tên", True, ("ho va ten", "ho ten", "full name")),
        Column("role", "Vai trò", True, ("vai tro", "role")),
        Column("unit_position", "Vị trí trong đơn vị", False,
               ("vi tri trong don vi", "vi tri", "position")),
        Column("title", "Chức vụ", False, ("chuc vu", "chuc danh", "title")),
        Column("unit", "Đơn vị", False, ("don vi", "ten don vi", "unit")),
        Column("email", "Thư điện tử", False, ("thu dien tu", "dia chi thu dien tu", "dia chi thu",
                                               "email", "e mail", "mail")),
    ),
}

# The words a file may use for a kind or a role: the stored value, the label, common short forms.
KIND_WORDS = {
    UnitKind.OFFICE: ("phong chuyen mon", "phong"),
    UnitKind.SERVICE: ("don vi su nghiep", "su nghiep"),
    UnitKind.COMMUNE: ("xa phuong", "phuong xa", "xa", "phuong"),
}
ROLE_WORDS = {
    Role.UNIT: ("can bo don vi", "don vi", "can bo"),
    Role.REVIEWER: ("phong noi vu", "noi vu", "duyet"),
    Role.LEADER: ("lanh dao",),
    Role.ADMIN: ("quan tri", "quan tri vien"),
}
POSITION_WORDS = {
    UnitPosition.HEAD: ("lanh dao don vi", "lanh dao", "thu truong", "truong don vi"),
    UnitPosition.OFFICER: ("can bo", "chuyen vien", "cong chuc", "vien chuc"),
}
KIND_HINT = "dùng «Phòng chuyên môn», «Đơn vị sự nghiệp công lập» hoặc «Xã, phường»"
ROLE_HINT = "dùng «Cán bộ đơn vị», «Phòng Nội vụ», «Lãnh đạo» hoặc «Quản trị»"
POSITION_HINT = "dùng «Lãnh đạo đơn vị» hoặc «Cán bộ»; để trống là «Cán bộ»"


def words(text: str) -> str:
    """'Xã, phường' -> 'xa phuong': how headers, kinds and roles are compared."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _lookup(table: dict) -> dict[str, object]:
    found = {}
    for member, extra in table.items():
        for word in (member.value, member.label, *extra):
            found[words(word)] = member
    return found


KINDS = _lookup(KIND_WORDS)
ROLES = _lookup(ROLE_WORDS)
POSITIONS = _lookup(POSITION_WORDS)


# --- 1. reading the file -----------------------------------------------------------------------


def read(what: str, file_name: str, raw: bytes) -> list[dict]:
    """The file's data rows as {"line": n, "values": {column key: text}}; FileRejected when the
    file as a whole cannot be imported."""
    if not raw.strip():
        raise FileRejected("Tệp rỗng, không có dữ liệu.")
    suffix = Path(file_name).suffix.lower()
    if raw.startswith(b"PK\x03\x04"):
        table = _xlsx_table(raw)
    elif suffix in (".xlsx", ".xls", ".ods"):
        raise FileRejected(
            "Không đọc được tệp Excel. Chỉ nhận tệp .xlsx; tệp .xls cũ hãy mở bằng Excel rồi "
            "«Lưu thành» Excel Workbook (.xlsx) hoặc CSV UTF-8."
        )
    elif suffix in (".csv", ".txt", ""):
        table = _csv_table(raw)
    else:
        raise FileRejected("Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx).")
    return _rows(what, table)


def _csv_table(raw: bytes) -> Iterator[tuple[int, list[str]]]:
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
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise FileRejected(f"Tệp CSV sai định dạng ở dòng {reader.line_num}.") from error
    return iter(rows)


def _xlsx_table(raw: bytes) -> Iterator[tuple[int, list[str]]]:
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
            rows.append((number, [_cell(value) for value in row]))
            if len(rows) > MAX_ROWS + 100:  # the size check below reports it
                break
    except Exception as error:
        raise FileRejected(unreadable) from error
    finally:
        workbook.close()
    return iter(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 3 as 3.0
    return str(value)


def _rows(what: str, table: Iterator[tuple[int, list[str]]]) -> list[dict]:
    columns = COLUMNS[what]
    header = next(((n, cells) for n, cells in table if any(c.strip() for c in cells)), None)
    if header is None:
        raise FileRejected("Tệp rỗng, không có dữ liệu.")
    _, cells = header
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = words(cell)
        column = next((c for c in columns if name in c.names), None)
        if column is None:
            continue
        if column.key in positions:
            raise FileRejected(f"Cột «{column.label}» có hai lần ở dòng tiêu đề.")
        positions[column.key] = index
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        expected = ", ".join(f"«{c.label}»" for c in columns)
        raise FileRejected(
            f"Thiếu cột {', '.join(f'«{m}»' for m in missing)} ở dòng tiêu đề (dòng đầu). "
            f"Các cột của tệp: {expected}."
        )
    rows = []
    for line, cells in table:
        if not any(c.strip() for c in cells):
            continue
        values = {key: clean(cells[i]) if i < len(cells) else ""
                  for key, i in positions.items()}
        rows.append({"line": line, "values": values})
        if len(rows) > MAX_ROWS:
            raise FileRejected(f"Tệp có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp."
                               .replace(",", "."))
    if not rows:
        raise FileRejected("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    return rows


# --- 2. checking every row ---------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    # What will be written, once the row has no error: Unit/User fields.
    data: dict = field(default_factory=dict)
    # How the row was understood, for the preview: "Xã, phường", "Cán bộ đơn vị · Phường 1".
    meaning: str = ""


def check(what: str, rows: list[dict]) -> list[Row]:
    checked = [Row(row["line"], row["values"]) for row in rows]
    (_check_units if what == "units" else _check_users)(checked)
    return checked


def _check_units(rows: list[Row]) -> None:
    existing = {actions.name_key(name) for name in db.session.scalars(select(Unit.name))}
    first_line: dict[str, int] = {}
    for row in rows:
        name = row.values.get("name", "")
        if not name:
            row.errors.append("Thiếu tên đơn vị.")
        elif len(name) > actions.NAME_MAX:
            row.errors.append(f"Tên đơn vị dài quá {actions.NAME_MAX} ký tự.")
        else:
            key = actions.name_key(name)
            if key in first_line:
                row.errors.append(f"Trùng tên đơn vị với dòng {first_line[key]} trong tệp.")
            else:
                first_line[key] = row.line
            if key in existing:
                row.errors.append(f"Đơn vị «{name}» đã có trong hệ thống.")
        short_name = row.values.get("short_name", "")
        if len(short_name) > actions.SHORT_NAME_MAX:
            row.errors.append(f"Tên viết tắt dài quá {actions.SHORT_NAME_MAX} ký tự.")
        kind_text = row.values.get("kind", "")
        kind = KINDS.get(words(kind_text))
        if not kind_text:
            row.errors.append("Thiếu loại đơn vị.")
        elif kind is None:
            row.errors.append(f"Loại đơn vị «{kind_text}» không hợp lệ; {KIND_HINT}.")
        position_text = row.values.get("position", "")
        position = None
        if position_text:
            if position_text.isdecimal() and len(position_text) <= 6:
                position = int(position_text)
            else:
                row.errors.append("Thứ tự phải là số nguyên từ 0 trở lên.")
        row.data = {"name": name, "short_name": short_name, "kind": kind, "position": position}
        row.meaning = kind.label if kind else ""


class UnitFinder:
    """A unit named in a file: by its exact name, else by its name or short name without
    diacritics ("Phuong 1", "P1") when that names exactly one unit."""

    def __init__(self, units: list[Unit]):
        self.exact = {actions.name_key(u.name): u for u in units}
        self.loose: dict[str, list[Unit]] = {}
        for unit in units:
            for name in {words(unit.name), words(unit.short_name)} - {""}:
                self.loose.setdefault(name, []).append(unit)

    def find(self, text: str) -> tuple[Unit | None, str | None]:
        found = self.exact.get(actions.name_key(text))
        if found is None:
            candidates = self.loose.get(words(text), [])
            if len(candidates) > 1:
                return None, f"«{text}» khớp nhiều đơn vị; hãy ghi đúng tên đơn vị, có dấu."
            found = candidates[0] if candidates else None
        if found is None:
            return None, f"Không có đơn vị «{text}» trong hệ thống."
        if not found.active:
            return None, f"Đơn vị «{found.name}» đã ngừng hoạt động."
        return found, None


def _check_users(rows: list[Row]) -> None:
    existing = set(db.session.scalars(select(func.lower(User.username))))
    units = UnitFinder(db.session.scalars(select(Unit)).all())
    first_line: dict[str, int] = {}
    for row in rows:
        username = row.values.get("username", "").lower()
        message = actions.username_error(username)
        if message:
            row.errors.append("Thiếu tên đăng nhập." if not username else message)
        else:
            if username in first_line:
                row.errors.append(
                    f"Trùng tên đăng nhập với dòng {first_line[username]} trong tệp.")
            else:
                first_line[username] = row.line
            if username in existing:
                row.errors.append(f"Tên đăng nhập «{username}» đã có trong hệ thống.")
        full_name = row.values.get("full_name", "")
        if not full_name:
            row.errors.append("Thiếu họ và tên.")
        elif len(full_name) > actions.FULL_NAME_MAX:
            row.errors.append(f"Họ và tên dài quá {actions.FULL_NAME_MAX} ký tự.")
        role_text = row.values.get("role", "")
        role = ROLES.get(words(role_text))
        if not role_text:
            row.errors.append("Thiếu vai trò.")
        elif role is None:
            row.errors.append(f"Vai trò «{role_text}» không hợp lệ; {ROLE_HINT}.")
        position_text = row.values.get("unit_position", "")
        position = POSITIONS.get(words(position_text))
        if position_text and position is None:
            row.errors.append(f"Vị trí trong đơn vị «{position_text}» không hợp lệ; "
                              f"{POSITION_HINT}.")
        elif role is not None:
            message = actions.position_rule_error(role, position)
            if message:
                row.errors.append(message)
            position = actions.position_for(role, position)
        unit_text = row.values.get("unit", "")
        unit = None
        if unit_text:
            unit, message = units.find(unit_text)
            if message:
                row.errors.append(message)
        if role is not None and (unit is not None or not unit_text):
            message = actions.unit_rule_error(role, unit)
            if message:
                row.errors.append(message)
        title = row.values.get("title", "")
        if len(title) > actions.TITLE_MAX:
            row.errors.append(f"Chức vụ dài quá {actions.TITLE_MAX} ký tự.")
        email = row.values.get("email", "")
        message = address_error(email)
        if message:
            row.errors.append(message)
        row.data = {"username": username, "full_name": full_name, "role": role,
                    "position": position, "unit_id": unit.id if unit else None,
                    "unit_name": unit.name if unit else "", "email": email, "title": title}
        row.meaning = " · ".join(part for part in (
            role.label if role else "", position.label if position else "",
            unit.name if unit else "") if part)


# --- 3. writing --------------------------------------------------------------------------------


def write(what: str, rows: list[Row], file_name: str) -> list:
    """Create every row's unit or account in one transaction, each audited; commit. Units come
    back as created; accounts as [username, full name, role, unit, first password], the passwords
    to be shown once."""
    assert not any(row.errors for row in rows), "write only what check accepted"
    source = {"imported_from": file_name}
    if what == "units":
        positions: dict[UnitKind, int] = {}
        created = []
        for row in rows:
            kind = row.data["kind"]
            if kind not in positions:
                positions[kind] = actions.next_position(kind)
            position = row.data["position"]
            if position is None:
                position, positions[kind] = positions[kind], positions[kind] + 1
            created.append(Unit(name=row.data["name"], short_name=row.data["short_name"],
                                kind=kind, position=position))
        db.session.add_all(created)
        db.session.flush()
        for unit in created:
            audit.record("unit.create", unit, unit_id=unit.id,
                         after=actions.unit_snapshot(unit) | source)
        result: list = created
    else:
        passwords = [actions.new_password() for _ in rows]
        created = [
            User(username=row.data["username"], full_name=row.data["full_name"],
                 role=row.data["role"], position=row.data["position"], title=row.data["title"],
                 unit_id=row.data["unit_id"],
                 password_hash=hash_first_password(password), must_change_password=True,
                 email=row.data["email"])
            for row, password in zip(rows, passwords, strict=True)
        ]
        db.session.add_all(created)
        db.session.flush()
        for user in created:
            audit.record("user.create", user, unit_id=user.unit_id,
                         after=actions.user_snapshot(user) | source)
        result = [
            [row.data["username"], row.data["full_name"], row.data["role"].label,
             row.data["unit_name"], password]
            for row, password in zip(rows, passwords, strict=True)
        ]
    actions.commit_or_refuse(
        "Dữ liệu vừa được thay đổi trong lúc nhập; chưa ghi gì. Hãy tải tệp lên lại.")
    return result


# --- between the steps: files under instance/pending-imports ------------------------------------

ROWS, PASSWORDS = "rows", "passwords"
KEPT_FOR = {ROWS: ROWS_KEPT_FOR, PASSWORDS: PASSWORDS_KEPT_FOR}


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
    there is none (taken already, expired, another administrator's)."""
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


def passwords_csv(accounts: list[list[str]]) -> bytes:
    """The first passwords as a CSV file Excel opens in columns with its Vietnamese letters
    intact; a name that starts like a formula stays text (`sheets.csv_bytes`)."""
    return csv_bytes(["Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"],
                     accounts)
