"""Bulk import of units and of accounts from a CSV file (UTF-8 with or without BOM, comma or
semicolon) or an Excel workbook (.xlsx, its first sheet).

The import goes in three steps, and nothing reaches the database before the last:
1. `read` turns the upload into rows of text, or refuses the whole file (not CSV/XLSX, not UTF-8,
   a required column missing) with a message naming what is wrong;
2. `check` checks every row against the others and against the database, giving each row its
   errors in Vietnamese; it runs again at confirmation, since the database may have changed;
3. `write` creates everything in one transaction, one audit event per unit or account.

Between the preview and the confirmation the rows wait as a pending import (`table_import.keep`).
The first passwords of imported accounts wait there too, for one download at most, and for ten
minutes. Reading a table, its header words and a unit named in a file are `portal/table_import.py`,
which the import of findings shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from ... import areas, audit
from ...auth.passwords import hash_first_password
from ...extensions import db
from ...models import Role, Unit, UnitKind, UnitPosition, User
from ...notifications.mail import address_error
from ...sheets import csv_bytes
from ...table_import import (
    TOKEN,
    FileRejected,
    UnitFinder,
    discard,
    keep,
    peek,
    sweep,
    take,
    words,
)
from ...table_import import csv_table as _csv_table
from ...table_import import xlsx_table as _xlsx_table
from ..fields import clean
from . import actions

MAX_ROWS = 5000


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
        # Shown on the pages only where areas exist (`columns`); read from a file always.
        Column("area", "Địa bàn", False, ("dia ban", "area")),
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


def _rows(what: str, table: list[tuple[int, list[str]]]) -> list[dict]:
    columns = COLUMNS[what]
    table = iter(table)  # the rows after the header are read on from where it was found
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


def columns(what: str) -> tuple[Column, ...]:
    """The columns a page describes: "Địa bàn" only where there are areas to name."""
    if what == "units" and not areas.any_areas():
        return tuple(c for c in COLUMNS[what] if c.key != "area")
    return COLUMNS[what]


def _area_finder():
    """An area named in a file: by its name, without regard to marks, case or spacing; (the
    area's id, None) or (None, why not)."""
    named: dict[str, list[int]] = {}
    for node in areas.tree():
        named.setdefault(words(node.name), []).append(node.id)

    def find(text: str) -> tuple[int | None, str | None]:
        found = named.get(words(text), [])
        if not found:
            return None, (f"Địa bàn «{text}» không có trong hệ thống; hãy thêm ở mục "
                          "Địa bàn trước.")
        if len(found) > 1:
            return None, (f"Có {len(found)} địa bàn cùng tên «{text}»; hãy đổi tên cho khác "
                          "nhau ở mục Địa bàn.")
        return found[0], None

    return find


def _check_units(rows: list[Row]) -> None:
    existing = {actions.name_key(name) for name in db.session.scalars(select(Unit.name))}
    find_area = _area_finder()
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
        area_text, area_id = row.values.get("area", ""), None
        if area_text:
            area_id, problem = find_area(area_text)
            if problem:
                row.errors.append(problem)
        row.data = {"name": name, "short_name": short_name, "kind": kind, "position": position,
                    "area_id": area_id}
        row.meaning = kind.label if kind else ""


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
                                kind=kind, position=position, area_id=row.data["area_id"]))
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
__all__ = ["TOKEN", "FileRejected", "UnitFinder", "discard", "keep", "peek", "sweep", "take"]


def passwords_csv(accounts: list[list[str]]) -> bytes:
    """The first passwords as a CSV file Excel opens in columns with its Vietnamese letters
    intact; a name that starts like a formula stays text (`sheets.csv_bytes`)."""
    return csv_bytes(["Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"],
                     accounts)
