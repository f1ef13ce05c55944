"""The matrix as a spreadsheet (.xlsx) and the long list of items as CSV.

The workbook holds three sheets: "Ma trận" (units × tasks, each cell the status symbol and word,
coloured as on screen, completion per row and per column), "Nhiệm vụ" (each task with its
completion) and "Chi tiết" (one row per unit and task, for the reviewer's own pivot tables). The
CSV is "Chi tiết" alone. Every figure is the matrix's (`review.queries.matrix`); the words around
them come from `reports.queries.details`.

The workbook is written in openpyxl's write-only mode: rows stream to the file, so a 1000 × 50
directive (50,000 detail rows) is never held as cells in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from copy import copy
from datetime import UTC, date, datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..dashboard.charts import target_text
from ..deadlines import DeadlineState, city_zone
from ..formatting import format_date, format_number
from ..models import ProgressStatus
from ..review.queries import Cell, Column, Matrix, Row
from .queries import Details

# States worth adding to a cell's words: the others follow from its status (as on screen).
WORTH_SAYING = (DeadlineState.DONE_LATE, DeadlineState.DUE_SOON, DeadlineState.OVERDUE)
SUPPORTING = "PH Phối hợp (không tính)"
NOT_ASSIGNED = "– Không giao"
LEGEND = ("Ký hiệu: ○ Chưa thực hiện · ◐ Đang thực hiện · → Chờ duyệt · ✓ Đạt · ↩ Yêu cầu bổ sung"
          " · ! quá hạn · – không giao · PH phối hợp (không tính vào kết quả)")

# The portal's colours (static/portal.css) by status: background, text.
STATUS_COLOURS = {
    ProgressStatus.APPROVED: ("E3F3E7", "1D6B33"),
    ProgressStatus.SUBMITTED: ("ECE8FB", "4A3A8C"),
    ProgressStatus.RETURNED: ("FBE4E4", "A01C1C"),
    ProgressStatus.IN_PROGRESS: ("E4EEF9", "174A7C"),
    ProgressStatus.NOT_STARTED: (None, "555E68"),
}
BAD, WARN, MUTED, TINT = "A01C1C", "9A6400", "555E68", "F3F5F7"


def cell_text(cell: Cell) -> str:
    """A matrix cell in words, as the screen reads it: symbol, "!" when overdue, status, and the
    deadline state where the status does not say it already."""
    if cell.supporting:
        return SUPPORTING
    text = f"{cell.status.symbol}{'!' if cell.state.is_overdue else ''} {cell.status.label}"
    if cell.state in WORTH_SAYING:
        text += f" · {cell.state.label}"
    return text


def role_text(cell: Cell) -> str:
    return "Phối hợp (không tính)" if cell.supporting else "Thực hiện"


def export_name(what: str, m: Matrix, extension: str) -> str:
    """"Ma trận theo dõi - sa-dec-2023-cchc - 05-07-2023.xlsx": what, the directive, the day."""
    return f"{what} - {m.directive.slug} - {m.on.strftime('%d-%m-%Y')}.{extension}"


# --- the long list: one row per unit and task ----------------------------------------------

LONG_HEADER = [
    "Đơn vị", "Loại đơn vị", "Mã nhiệm vụ", "Nhiệm vụ", "Vai trò", "Hạn", "Trạng thái",
    "Tình trạng so với hạn", "Số liệu", "Chỉ tiêu", "Đạt chỉ tiêu", "Ghi chú", "Giải trình",
    "Số tài liệu kiểm chứng", "Tài liệu kiểm chứng", "Gửi duyệt bởi", "Gửi duyệt lúc",
    "Duyệt bởi", "Duyệt lúc", "Ý kiến duyệt",
]
LONG_WIDTHS = [30, 22, 10, 50, 14, 12, 22, 26, 10, 16, 12, 50, 30, 12, 50, 28, 17, 28, 17, 40]
DATE_COLUMNS = {5}
MOMENT_COLUMNS = {16, 18}


def long_rows(m: Matrix, details: Details) -> Iterator[list]:
    """Each unit's items in matrix order (unit, then task), as typed values: dates, local
    datetimes, numbers and text."""
    zone = city_zone()

    def local(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) if (
            moment) else None

    for row in m.rows:
        for column in m.columns:
            cell = row.cells.get(column.task_id)
            if cell is None:
                continue
            found = details.of(cell.item_id)
            reached = None if cell.supporting else column.reached(cell.figure)
            yield [
                row.name, row.kind.label, column.code, column.title, role_text(cell),
                cell.deadline, f"{cell.status.symbol} {cell.status.label}", cell.state.label,
                cell.figure, target_text(column),
                "" if reached is None else ("Đạt" if reached else "Chưa đạt"),
                found.note, found.late_reason, cell.evidence_count, "; ".join(found.evidence),
                found.submitted_by, local(cell.submitted_at), found.reviewed_by,
                local(found.reviewed_at), found.review_comment,
            ]


def write_csv(m: Matrix, details: Details) -> bytes:
    """The long list as CSV, UTF-8 with a BOM so that Excel reads the Vietnamese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LONG_HEADER)
    for values in long_rows(m, details):
        writer.writerow([_as_text(value) for value in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float | int):
        return format_number(value)
    return str(value)


# --- the workbook --------------------------------------------------------------------------


class _Styles:
    """Prototype cells whose styles are copied onto written cells: cheaper than building a style
    for each of 50,000 cells."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.cache: dict[tuple, WriteOnlyCell] = {}
        thin = Side(style="thin", color="C9CED4")
        self.grid = Border(left=thin, right=thin, top=thin, bottom=thin)

    def cell(self, value, key: tuple, **style) -> WriteOnlyCell:
        proto = self.cache.get(key)
        if proto is None:
            proto = WriteOnlyCell(self.sheet)
            for name, setting in style.items():
                setattr(proto, name, setting)
            self.cache[key] = proto
        written = WriteOnlyCell(self.sheet, value)
        written._style = copy(proto._style)
        return written

    def title(self, value):
        return self.cell(value, ("title",), font=Font(bold=True, size=14))

    def meta(self, value):
        return self.cell(value, ("meta",), font=Font(italic=True, color=MUTED))

    def header(self, value):
        return self.cell(value, ("header",), font=Font(bold=True),
                         fill=PatternFill("solid", fgColor="DDE5EE"), border=self.grid,
                         alignment=Alignment(wrap_text=True, vertical="top"))

    def status(self, cell: Cell | None):
        if cell is None:
            return self.cell(NOT_ASSIGNED, ("none",), font=Font(color=MUTED),
                             fill=PatternFill("solid", fgColor="F0F0F0"), border=self.grid,
                             alignment=Alignment(horizontal="center"))
        if cell.supporting:
            return self.cell(SUPPORTING, ("supporting",), font=Font(color=MUTED, italic=True),
                             fill=PatternFill("solid", fgColor=TINT), border=self.grid)
        background, colour = STATUS_COLOURS[cell.status]
        key = ("status", cell.status, cell.state)
        if key in self.cache:
            return self.cell(cell_text(cell), key)
        # Overdue: a strong red frame; done late: a thick amber line underneath (as on screen).
        border = self.grid
        if cell.state is DeadlineState.OVERDUE:
            strong = Side(style="medium", color=BAD)
            border = Border(left=strong, right=strong, top=strong, bottom=strong)
        elif cell.state is DeadlineState.DONE_LATE:
            thin = Side(style="thin", color="C9CED4")
            border = Border(left=thin, right=thin, top=thin,
                            bottom=Side(style="thick", color=WARN))
        style = {"font": Font(color=colour, bold=cell.status is ProgressStatus.APPROVED),
                 "border": border}
        if background:
            style["fill"] = PatternFill("solid", fgColor=background)
        return self.cell(cell_text(cell), key, **style)

    def number(self, value, key: str = "number", bold: bool = False):
        return self.cell(value, ("number", key, bold), border=self.grid,
                         font=Font(bold=bold, color=BAD if key == "late" else "000000"))

    def date(self, value):
        return self.cell(value, ("date",), number_format="DD/MM/YYYY")

    def moment(self, value):
        return self.cell(value, ("moment",), number_format="HH:MM DD/MM/YYYY")

    def wrap(self, value):
        return self.cell(value, ("wrap",), alignment=Alignment(wrap_text=True, vertical="top"))

    def bold(self, value):
        return self.cell(value, ("bold",), font=Font(bold=True), border=self.grid)


def write_xlsx(m: Matrix, details: Details, out: IO[bytes]) -> None:
    """The workbook, written to `out`."""
    book = Workbook(write_only=True)
    _matrix_sheet(book.create_sheet("Ma trận"), m)
    _tasks_sheet(book.create_sheet("Nhiệm vụ"), m)
    _long_sheet(book.create_sheet("Chi tiết"), m, details)
    book.save(out)


def _heading(sheet, styles: _Styles, m: Matrix, title: str) -> None:
    directive = m.directive
    sheet.append([styles.title(f"{title}: {directive.title}")])
    number = f"số {directive.number}" if directive.number else "(chưa có số)"
    sheet.append([styles.meta(
        f"Văn bản {number} của {directive.issuer or 'UBND Thành phố'} · Số liệu ngày "
        f"{format_date(m.on)}, đến lần thay đổi thứ {m.revision} · Hoàn thành là nhiệm vụ đã "
        "được Phòng Nội vụ duyệt «Đạt»")])


def _matrix_sheet(sheet, m: Matrix) -> None:
    styles = _Styles(sheet)
    codes = len(m.columns)
    widths = [34, 24, *([22] * codes), 10, 12, 12, 10]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C5"
    first, last = 4, 4 + len(m.rows)
    sheet.auto_filter.ref = f"A{first}:{get_column_letter(len(widths))}{max(last, first + 1)}"

    _heading(sheet, styles, m, "Ma trận theo dõi")
    sheet.append([styles.meta(LEGEND)])
    sheet.append([styles.header(text) for text in (
        "Đơn vị", "Loại đơn vị", *(f"{c.code} {c.title}" for c in m.columns),
        "Đạt", "Được giao", "Tỷ lệ hoàn thành (%)", "Quá hạn")])
    for row in m.rows:
        sheet.append(_matrix_row(styles, m, row))
    totals = m.totals()
    sheet.append([])
    sheet.append([
        styles.bold("Hoàn thành theo nhiệm vụ"), styles.bold(""),
        *(styles.bold(f"{c.done}/{c.assigned} ({c.percent} %)") for c in m.columns),
        styles.number(totals["done"], bold=True), styles.number(totals["assigned"], bold=True),
        styles.number(totals["percent"], bold=True), styles.number(totals["overdue"], bold=True),
    ])


def _matrix_row(styles: _Styles, m: Matrix, row: Row) -> list:
    return [
        styles.bold(row.name), styles.cell(row.kind.label, ("kind",), border=styles.grid),
        *(styles.status(row.cells.get(c.task_id)) for c in m.columns),
        styles.number(row.done), styles.number(row.assigned), styles.number(row.percent),
        styles.number(row.overdue, "late" if row.overdue else "number"),
    ]


def _tasks_sheet(sheet, m: Matrix) -> None:
    styles = _Styles(sheet)
    for index, width in enumerate([10, 60, 12, 18, 22, 10, 12, 12], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:H{max(3 + len(m.columns), 4)}"
    _heading(sheet, styles, m, "Nhiệm vụ")
    sheet.append([styles.header(text) for text in (
        "Mã", "Nhiệm vụ", "Hạn", "Chỉ tiêu", "Đơn vị tính", "Đạt", "Được giao",
        "Tỷ lệ hoàn thành (%)")])
    for column in m.columns:
        sheet.append(_task_row(styles, column))


def _task_row(styles: _Styles, column: Column) -> list:
    return [column.code, styles.wrap(column.title),
            styles.date(column.deadline) if column.deadline else "",
            target_text(column), column.measure_unit, column.done, column.assigned,
            column.percent]


def _long_sheet(sheet, m: Matrix, details: Details) -> None:
    styles = _Styles(sheet)
    for index, width in enumerate(LONG_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    count = sum(len(row.cells) for row in m.rows)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(LONG_HEADER))}{max(count + 1, 2)}"
    sheet.append([styles.header(text) for text in LONG_HEADER])
    date_cell, moment_cell = styles.date, styles.moment
    for values in long_rows(m, details):
        # An empty cell is not written at all (openpyxl skips None, not ""): most notes,
        # explanations and reviewers' comments are empty, and each cell costs ~10 µs.
        values = [None if value == "" else value for value in values]
        for index in DATE_COLUMNS:
            if values[index] is not None:
                values[index] = date_cell(values[index])
        for index in MOMENT_COLUMNS:
            if values[index] is not None:
                values[index] = moment_cell(values[index])
        sheet.append(values)
