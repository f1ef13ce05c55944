"""Bringing a unit's findings in from the inspection report itself: a Word report (.docx) whose
tables list unit and finding, or a table (.xlsx, .csv) made from the portal's template.

Like the import of units and accounts (`admin/people/imports.py`, with which it shares
`portal/table_import.py`), it goes in three steps and nothing reaches the database before the
last:
1. `read` turns the upload into rows of text, or refuses the whole file (not .docx/.xlsx/.csv, a
   macro-enabled file, a file that is not what its name says, no table with a unit and a
   finding column) with a message in Vietnamese;
2. `check` matches each row to a unit (`UnitFinder`, without diacritics, case or the "UBND",
   "Phòng" in front), a task of the directive and the unit's item of it, and gives each row its
   errors; it runs again at confirmation, since the database may have changed;
3. `write` records every finding in one transaction through `items.findings.add_many`, each
   audited as "finding.add" with the file's name.

The Word reading was tuned on the layout of the 2023 Sa Đéc report as rebuilt in
`tests/data/make_report.py` (a unit cell merged down over its findings, STT first, the table
running over pages with its header repeated) and is tested on a second layout, a unit named in a
row of its own across the table above its findings (tests/support/findings_files.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from ..admin.fields import clean
from ..extensions import db
from ..items.findings import TEXT_MAX
from ..models import Directive, Finding, FindingField, Progress, ProgressStatus, Task, Unit
from ..table_import import FileRejected, UnitFinder, csv_table, words, xlsx_table

PENDING = "findings"  # the kind of pending file (table_import.keep)
MAX_ROWS = 2000
CODE_MAX = 20  # findings.code
UNPACKED_MAX = 50 * 1024 * 1024
SUFFIXES = (".docx", ".xlsx", ".csv")
MACRO_SUFFIXES = (".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".xlam")
# Written in front of a unit's name in reports, left out when the name is matched.
UNIT_PREFIXES = ("uy ban nhan dan", "ubnd", "phong")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    names: tuple[str, ...]  # header words, without diacritics, that name exactly this column
    hint: str = ""


COLUMNS = (
    Column("unit", "Đơn vị", True,
           ("don vi", "ten don vi", "co quan don vi", "don vi duoc kiem tra", "ten co quan don vi"),
           "Tên đơn vị như trong hệ thống; có thể ghi «UBND», «Phòng» ở đầu hoặc không dấu"),
    Column("task", "Mã nhiệm vụ", False, ("ma nhiem vu", "nhiem vu", "ma nv"),
           "Mã nhiệm vụ của văn bản, ví dụ 1.1; để trống là nhiệm vụ giao cho các đơn vị được "
           "kiểm tra"),
    Column("code", "Mã hạn chế", False, ("ma han che", "ma", "ky hieu", "so hieu"),
           "Để trống thì hệ thống đánh số"),
    Column("text", "Nội dung hạn chế", True,
           ("noi dung han che", "han che", "ton tai han che", "han che khuyet diem",
            "noi dung han che khuyet diem", "ton tai", "noi dung"),
           "Bắt buộc"),
    Column("field", "Lĩnh vực", False, ("linh vuc",), "Một lĩnh vực trong danh mục"),
    Column("deadline", "Hạn khắc phục", False,
           ("han khac phuc", "thoi han khac phuc", "thoi han"), "Ngày, dạng dd/mm/yyyy"),
)
LABELS = {column.key: column.label for column in COLUMNS}
# Numbering columns, read past.
NUMBERING = ("stt", "tt", "so tt", "so thu tu")
# Words that, inside a longer header, say which column it is; the first that fits wins.
HEADER_HINTS = (
    ("deadline", ("han khac phuc", "thoi han")),
    ("code", ("ma han che",)),
    ("task", ("nhiem vu",)),
    ("field", ("linh vuc",)),
    ("text", ("han che", "ton tai", "khuyet diem")),
    ("unit", ("don vi",)),
)
ROW_NUMBER = re.compile(r"\(?\d+\)?")
# "I.", "1.", "a)", "II-" in front of a unit's name in a heading row.
HEADING_NUMBER = re.compile(r"^\s*(?:[IVXLC]+|\d+|[a-zđ])\s*[.)\-–:]\s*", re.I)


# --- 1. reading the file -----------------------------------------------------------------------


def read(file_name: str, raw: bytes) -> list[dict]:
    """The file's rows as {"where": "Dòng 5" / "Bảng 1, dòng 5", "values": {column: text}};
    FileRejected when the file as a whole cannot be imported."""
    suffix = Path(file_name).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise FileRejected(
            f"Tệp «{file_name}» có chứa macro ({suffix}), không được nhận: hãy mở bằng Word hoặc "
            "Excel và «Lưu thành» .docx hoặc .xlsx.")
    if suffix not in SUFFIXES:
        raise FileRejected("Chỉ nhận báo cáo Word (.docx), bảng Excel (.xlsx) hoặc CSV (.csv).")
    if not raw.strip():
        raise FileRejected("Tệp rỗng, không có dữ liệu.")
    if suffix == ".csv":
        if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
            raise FileRejected(f"Tệp «{file_name}» không phải tệp CSV như tên của nó.")
        return _table_rows(csv_table(raw))
    _check_package(file_name, raw, "word/document.xml" if suffix == ".docx" else "xl/workbook.xml")
    if suffix == ".xlsx":
        return _table_rows(xlsx_table(raw))
    return _docx_rows(file_name, raw)


def _check_package(file_name: str, raw: bytes, main_part: str) -> None:
    """A .docx or .xlsx is a zip holding its main part and no macros, whatever its name says."""
    kind = "Word (.docx)" if main_part.startswith("word/") else "Excel (.xlsx)"
    if not raw.startswith(b"PK\x03\x04"):
        raise FileRejected(f"Tệp «{file_name}» không phải tệp {kind} như tên của nó.")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            types = (archive.read("[Content_Types].xml")[:200_000]
                     if "[Content_Types].xml" in names else b"")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        raise FileRejected(f"Tệp «{file_name}» bị hỏng, không mở được.") from None
    if main_part not in names:
        raise FileRejected(f"Tệp «{file_name}» không phải tệp {kind} như tên của nó.")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or \
            b"macroenabled" in types.lower():
        raise FileRejected(
            f"Tệp «{file_name}» có chứa macro, không được nhận: hãy «Lưu thành» {kind} "
            "không macro.")
    if unpacked > UNPACKED_MAX:
        raise FileRejected(f"Tệp «{file_name}» quá lớn khi giải nén; hãy chia nhỏ tệp.")


def column_of(header: str) -> str | None:
    """The column a header cell names, or None (numbering, or a column not read)."""
    name = words(header)
    if not name or name in NUMBERING:
        return None
    for column in COLUMNS:
        if name in column.names:
            return column.key
    for key, hints in HEADER_HINTS:
        if any(hint in name for hint in hints):
            return key
    return None


def _header(cells: list[str], needs: frozenset = frozenset({"unit", "text"})
            ) -> dict[str, int] | None:
    """Where each column is, when these cells are a header row naming the columns `needs`."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = column_of(cell)
        if key is not None and key not in positions:
            positions[key] = index
    return positions if needs <= positions.keys() else None


def _values(cells: list[str], positions: dict[str, int]) -> dict[str, str]:
    return {key: _text(cells[i]) if i < len(cells) else "" for key, i in positions.items()}


def _text(cell: str) -> str:
    """A cell's text, each line cleaned (`clean`), its lines kept."""
    return "\n".join(line for line in (clean(part) for part in cell.splitlines()) if line)


def _is_numbering(values: dict[str, str]) -> bool:
    """A row of column numbers under the header: (1) (2) (3)."""
    filled = [value for value in values.values() if value]
    return bool(filled) and all(ROW_NUMBER.fullmatch(value) for value in filled)


def _table_rows(table: list[tuple[int, list[str]]]) -> list[dict]:
    """A sheet's rows below its header row, which need not be the first (a title above it)."""
    positions = None
    header_words: list[str] = []
    rows: list[dict] = []
    for line, cells in table:
        if positions is None:
            positions = _header(cells)
            header_words = [words(cell) for cell in cells]
            continue
        if not any(cell.strip() for cell in cells) or [words(c) for c in cells] == header_words:
            continue
        values = _values(cells, positions)
        if _is_numbering(values):
            continue
        rows.append({"where": f"Dòng {line}", "values": values})
        if len(rows) > MAX_ROWS:
            raise FileRejected(f"Tệp có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp."
                               .replace(",", "."))
    if positions is None:
        raise FileRejected(
            "Không tìm thấy dòng tiêu đề có cột «Đơn vị» và «Nội dung hạn chế»; hãy dùng tệp "
            "mẫu của hệ thống.")
    if not rows:
        raise FileRejected("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    return rows


def _docx_rows(file_name: str, raw: bytes) -> list[dict]:
    try:
        from docx import Document

        tables = []
        for table in Document(io.BytesIO(raw)).tables:
            tables.append([[cell.text for cell in row.cells] for row in table.rows])
    except Exception as error:  # python-docx/lxml raise many kinds on a damaged file
        raise FileRejected(
            f"Tệp «{file_name}» không đọc được như văn bản Word (.docx).") from error
    rows: list[dict] = []
    for number, table in enumerate(tables, start=1):
        rows += _docx_table(number, table)
        if len(rows) > MAX_ROWS:
            raise FileRejected(f"Báo cáo có hơn {MAX_ROWS:,} hạn chế; hãy chia thành nhiều tệp."
                               .replace(",", "."))
    if not rows:
        raise FileRejected(
            f"Tệp «{file_name}» không có bảng nào liệt kê đơn vị và hạn chế (cần một bảng có "
            "cột «Đơn vị» và cột «Hạn chế» hoặc «Nội dung hạn chế»).")
    return rows


def _docx_table(number: int, table: list[list[str]]) -> list[dict]:
    """One Word table's findings. A unit cell merged down over its findings reads the same on
    each row; an empty unit cell is the unit above; a row of one text across the table (a
    heading) names the unit of the rows below it; the header repeated where the table runs on
    to the next page, and a row of column numbers, are read past."""
    positions = None
    header_words: list[str] = []
    unit = ""
    headings = 0
    rows: list[dict] = []
    for line, cells in enumerate(table, start=1):
        if positions is None:
            # Without a unit column, the units are the table's heading rows.
            positions = _header(cells, frozenset({"text"}))
            header_words = [words(cell) for cell in cells]
            continue
        if [words(cell) for cell in cells] == header_words:
            continue
        distinct = {_text(cell) for cell in cells} - {""}
        if len(distinct) == 1 and len(cells) > 1 and all(_text(c) for c in cells):
            unit = HEADING_NUMBER.sub("", distinct.pop())  # a heading row: the unit below
            headings += 1
            continue
        values = _values(cells, positions)
        # Nothing but a unit (a merged unit cell running on past its findings, a unit listed
        # with none): no finding to import.
        if _is_numbering(values) or not any(v for k, v in values.items() if k != "unit"):
            if values.get("unit"):
                unit = values["unit"]
            continue
        if values.get("unit"):
            unit = values["unit"]
        else:
            values["unit"] = unit
        rows.append({"where": f"Bảng {number}, dòng {line}", "values": values})
    if positions is None or ("unit" not in positions and not headings):
        return []  # not a table of units and their findings
    return rows


# --- 2. checking every row ---------------------------------------------------------------------


@dataclass
class Row:
    where: str
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    # What will be written, once the row has no error.
    data: dict = field(default_factory=dict)
    # How the row was understood, for the preview: "Phường 1 · nhiệm vụ 1.1".
    meaning: str = ""


def parse_day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S",
                    "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def default_task(tasks: list[Task]) -> Task | None:
    """The directive's one task for the inspected units, if it has exactly one (the Sa Đéc
    letter's 1.1: report how the findings were fixed)."""
    found = [task for task in tasks if task.audience == "inspected" and not task.withdrawn]
    return found[0] if len(found) == 1 else None


def check(directive: Directive, rows: list[dict]) -> list[Row]:
    checked = [Row(row["where"], row["values"]) for row in rows]
    units = UnitFinder(db.session.scalars(select(Unit)).all(), prefixes=UNIT_PREFIXES)
    tasks = list(db.session.scalars(select(Task).where(Task.directive_id == directive.id)
                                    .order_by(Task.position)))
    by_code = {task.code: task for task in tasks if not task.withdrawn}
    fallback = default_task(tasks)
    items = {(item.task_id, item.unit_id): item for item in db.session.scalars(
        select(Progress).join(Task).where(Task.directive_id == directive.id))}
    fields = list(db.session.scalars(select(FindingField).order_by(FindingField.position)))
    field_by_words = {words(f.name): f for f in fields}
    known_fields = "; ".join(f"«{f.name}»" for f in fields)
    existing = {(progress_id, words(text)) for progress_id, text in db.session.execute(
        select(Finding.progress_id, Finding.text).join(Progress).join(Task)
        .where(Task.directive_id == directive.id, Finding.withdrawn.is_(False)))}
    first_seen: dict[tuple, str] = {}
    for row in checked:
        values, errors = row.values, row.errors
        unit = None
        if not values.get("unit"):
            errors.append("Thiếu tên đơn vị.")
        else:
            unit, message = units.find(values["unit"])
            if message:
                errors.append(message)
        task = None
        code = values.get("task", "")
        if code:
            task = by_code.get(code.removeprefix("Nhiệm vụ ").strip())
            if task is None:
                errors.append(f"Văn bản không có nhiệm vụ «{code}».")
        elif fallback is not None:
            task = fallback
        else:
            errors.append("Thiếu mã nhiệm vụ: văn bản không có đúng một nhiệm vụ cho các đơn vị "
                          "được kiểm tra; hãy thêm cột «Mã nhiệm vụ».")
        item = None
        if unit is not None and task is not None:
            item = items.get((task.id, unit.id))
            if item is None or item.hidden:
                errors.append(f"Nhiệm vụ {task.code} không giao cho đơn vị {unit.name}.")
                item = None
            elif item.supporting:
                errors.append(f"{unit.name} phối hợp, không chủ trì nhiệm vụ {task.code}: hạn "
                              "chế ghi cho đơn vị chủ trì.")
                item = None
            elif item.status is ProgressStatus.APPROVED:
                errors.append(f"Nhiệm vụ {task.code} của {unit.name} đã «Đạt»: mở lại nhiệm vụ "
                              "trước khi thêm hạn chế.")
                item = None
        text = values.get("text", "")
        if not text:
            errors.append("Thiếu nội dung hạn chế.")
        elif len(text) > TEXT_MAX:
            errors.append(f"Nội dung hạn chế dài quá {TEXT_MAX} ký tự.")
        finding_code = values.get("code", "")
        if len(finding_code) > CODE_MAX:
            errors.append(f"Mã hạn chế dài quá {CODE_MAX} ký tự.")
        found_field = None
        if values.get("field"):
            found_field = field_by_words.get(words(values["field"]))
            if found_field is None:
                errors.append(f"Lĩnh vực «{values['field']}» không có trong danh mục; dùng một "
                              f"trong: {known_fields}.")
        deadline = None
        if values.get("deadline"):
            deadline = parse_day(values["deadline"])
            if deadline is None or not 2000 <= deadline.year <= 2100:
                errors.append(f"Hạn khắc phục «{values['deadline']}» không phải ngày "
                              "dd/mm/yyyy.")
                deadline = None
        if unit is not None and task is not None and text:
            key = (unit.id, task.id, words(text))
            if key in first_seen:
                errors.append(f"Trùng với {first_seen[key].lower()} (cùng đơn vị, nhiệm vụ và "
                              "nội dung).")
            else:
                first_seen[key] = row.where
            if item is not None and (item.id, words(text)) in existing:
                errors.append("Hạn chế này đã có trong hệ thống.")
        row.meaning = " · ".join(part for part in (
            unit.name if unit else "", f"nhiệm vụ {task.code}" if task else "",
            found_field.name if found_field else "") if part)
        row.data = {"item_id": item.id if item else None, "code": finding_code, "text": text,
                    "field_id": found_field.id if found_field else None,
                    "deadline": deadline.isoformat() if deadline else None}
    return checked


# --- the template offered for download ---------------------------------------------------------


def template_xlsx(directive: Directive) -> bytes:
    """A workbook to fill in: a title, a line of guidance, the header row (row 3), one column a
    field; a second sheet lists the directive's inspected units, its tasks and the fields."""
    import xlsxwriter

    from ..sheets import print_on_a4, write_cell

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1,
                            "bg_color": "#E8EEF7"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    as_text = book.add_format({"num_format": "@", "valign": "top"})  # 1.10 stays 1.10
    day = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    sheet = book.add_worksheet("Hạn chế")
    write_cell(sheet, 0, 0, f"Hạn chế, khuyết điểm theo báo cáo kiểm tra: {directive.title}",
               book.add_format({"bold": True}))
    write_cell(sheet, 1, 0, "Mỗi dòng một hạn chế của một đơn vị. Cột «Đơn vị» và «Nội dung hạn "
                            "chế» bắt buộc; các cột khác có thể để trống.", wrap)
    widths = {"unit": 32, "task": 12, "code": 12, "text": 70, "field": 34, "deadline": 16}
    for index, column in enumerate(COLUMNS):
        write_cell(sheet, 2, index, column.label, bold)
        style = {"deadline": day, "task": as_text, "code": as_text}.get(column.key, wrap)
        sheet.set_column(index, index, widths[column.key], style)
    sheet.freeze_panes(3, 0)
    print_on_a4(sheet, 2)
    lists = book.add_worksheet("Danh mục")
    tasks = list(db.session.scalars(select(Task).where(Task.directive_id == directive.id,
                                                       Task.withdrawn.is_(False))
                                    .order_by(Task.position)))
    inspected = list(db.session.scalars(
        select(Unit.name).join(Progress, Progress.unit_id == Unit.id)
        .where(Progress.task_id.in_([t.id for t in tasks if t.audience == "inspected"]))
        .distinct().order_by(Unit.name)))
    fields = list(db.session.scalars(select(FindingField.name).order_by(FindingField.position)))
    for index, heading in enumerate(("Đơn vị được kiểm tra", "Mã nhiệm vụ", "Nhiệm vụ",
                                     "Lĩnh vực")):
        write_cell(lists, 0, index, heading, bold)
    for row, name in enumerate(inspected, start=1):
        write_cell(lists, row, 0, name)
    for row, task in enumerate(tasks, start=1):
        write_cell(lists, row, 1, task.code)
        write_cell(lists, row, 2, task.title)
    for row, name in enumerate(fields, start=1):
        write_cell(lists, row, 3, name)
    lists.set_column(0, 0, 40)
    lists.set_column(2, 3, 60)
    book.close()
    return out.getvalue()
