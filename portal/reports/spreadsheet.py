"""The matrix as a spreadsheet (.xlsx) and the long list of items as CSV.

The workbook holds three sheets: "Ma trận" (units × tasks, each cell the status symbol and word,
coloured as on screen, completion per row and per column), "Nhiệm vụ" (each task with its
completion) and "Chi tiết" (one row per unit and task, for the reviewer's own pivot tables: a
figure, its unit, numerator and denominator and the target each a column of its own, numbers as
numbers). The CSV is "Chi tiết" alone, in the form `portal.sheets` gives every CSV. Every figure
is the matrix's (`matrix.model.matrix`); the words around them come from
`reports.queries.details`. Every sheet prints on A4 (`sheets.print_on_a4`), and no text a user
typed ever becomes a formula: text is always written as text (`sheets.StreamedRows`).

The workbook is written with XlsxWriter in constant_memory mode: rows stream to a temporary file,
so a 1000 × 50 directive (50,000 detail rows) is never held as cells in memory. It replaced
openpyxl's write-only mode, whose ~20 µs a cell made that workbook take 13.0 s (bench/reports.py);
XlsxWriter takes 7.8 s for the same workbook, with the same peak memory (47 MB). Its rows are
written by `sheets.StreamedRows` (the XML XlsxWriter's writers give, without their per-cell
objects), the matrix sheet and the long one side by side from one pass over the units: a
3,321 × 30 workbook took 10.9 s of CPU through XlsxWriter's writers, 5.3 s this way
(bench/matrix.py --only-excel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..deadlines import DeadlineState, city_zone, reading_text
from ..formatting import format_date, format_moment
from ..matrix.areas import NO_AREA, every_area, places
from ..matrix.model import Cell, Column, Matrix, Row
from ..models import ProgressStatus, TargetResult
from ..sheets import StreamedRows, csv_bytes, print_on_a4
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
    "Tình trạng so với hạn", "Số liệu", "Đơn vị tính", "Tử số", "Mẫu số", "Chỉ tiêu",
    "Loại chỉ tiêu", "Đáp ứng chỉ tiêu", "Ghi chú", "Giải trình", "Số tài liệu kiểm chứng",
    "Tài liệu kiểm chứng", "Gửi duyệt bởi", "Gửi duyệt lúc", "Duyệt bởi", "Duyệt lúc",
    "Ý kiến duyệt", "Người chuẩn bị", "Lãnh đạo đơn vị ký duyệt",
]
LONG_WIDTHS = [30, 22, 10, 50, 14, 12, 22, 26, 10, 16, 10, 10, 10, 14, 12, 50, 30, 12, 50, 28,
               17, 28, 17, 40, 28, 28]
DATE_COLUMNS = {LONG_HEADER.index("Hạn")}
MOMENT_COLUMNS = {LONG_HEADER.index("Gửi duyệt lúc"), LONG_HEADER.index("Duyệt lúc")}
# A target is at least (≥) or at most (≤) its number.
AT_LEAST, AT_MOST = "Tối thiểu (≥)", "Tối đa (≤)"


def measure_unit(column: Column) -> str:
    """What a task's figure counts in: "%" for a rate, the task's unit for a count."""
    if column.measure == "percent":
        return "%"
    return column.measure_unit if column.measure == "count" else ""


def target_kind(column: Column) -> str:
    if column.target is None:
        return ""
    return AT_MOST if column.target_at_most else AT_LEAST


def long_rows(m, details: Details, rows: list[Row] | None = None) -> Iterator[list]:
    """Each unit's items in matrix order (unit, then task), as typed values: dates, local
    datetimes, numbers and text."""
    zone = city_zone()

    def local(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) if (
            moment) else None

    units = {column.task_id: measure_unit(column) for column in m.columns}
    kinds = {column.task_id: target_kind(column) for column in m.columns}
    for row in m.rows if rows is None else rows:
        for column in m.columns:
            cell = row.cells.get(column.task_id)
            if cell is None:
                continue
            found = details.of(cell.item_id)
            reached = None if cell.supporting else column.reached(cell.figure)
            rate = column.measure == "percent"  # a count has no numerator nor denominator
            yield [
                row.name, row.kind.label, column.code, column.title, role_text(cell),
                cell.deadline, f"{cell.status.symbol} {cell.status.label}", cell.state.label,
                cell.figure, units[column.task_id], found.numerator if rate else None,
                found.denominator if rate else None, column.target, kinds[column.task_id],
                "" if reached is None else TargetResult.of(reached).label,
                found.note, found.late_reason, cell.evidence_count, "; ".join(found.evidence),
                found.submitted_by, local(cell.submitted_at), found.reviewed_by,
                local(found.reviewed_at), found.review_comment, found.prepared_by,
                found.signed_off_by,
            ]


# Where units have areas, the CSV says each unit's after its kind: the area, and the path of
# names from the top of the tree down to it.
AREA_HEADER = ["Địa bàn", "Thuộc địa bàn (đầy đủ)"]
AREA_AT = LONG_HEADER.index("Loại đơn vị") + 1


def write_csv(m: Matrix, details: Details) -> bytes:
    """The long list as CSV (`sheets.csv_bytes`: ";"-separated UTF-8 with a BOM, decimal
    commas, for Excel on a Vietnamese-format PC), each unit's area in two columns after its kind
    where units have areas (a unit in no area: "Chưa phân địa bàn")."""
    place_of = places(m)
    if not place_of:
        return csv_bytes(LONG_HEADER, long_rows(m, details))
    header = [*LONG_HEADER[:AREA_AT], *AREA_HEADER, *LONG_HEADER[AREA_AT:]]
    rows = zip((row for row in m.rows for column in m.columns if column.task_id in row.cells),
               long_rows(m, details), strict=True)
    return csv_bytes(header, (
        [*values[:AREA_AT], *_area_words(place_of.get(row.unit_id)), *values[AREA_AT:]]
        for row, values in rows))


def _area_words(place) -> list[str]:
    return [place.name, place.path_text] if place else [NO_AREA, ""]


# --- the workbook --------------------------------------------------------------------------


class _Styles:
    """The workbook's cell formats, each made once and shared by every cell that wears it (the
    colours, borders and number formats of the openpyxl version, which this replaced). A styled
    value is a (value, format) pair for `_Rows.append`."""

    def __init__(self, book: Workbook):
        self.book = book
        self.cache: dict[tuple, Format] = {}

    def format(self, key: tuple, **style) -> Format:
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.book.add_format(style)
        return found

    def cell(self, value, key: tuple, **style) -> tuple:
        return value, self.format(key, **style)

    def title(self, value):
        return self.cell(value, ("title",), bold=True, font_size=14)

    def meta(self, value):
        return self.cell(value, ("meta",), italic=True, font_color=f"#{MUTED}")

    def header(self, value):
        return self.cell(value, ("header",), bold=True, **_fill("DDE5EE"), **GRID,
                         text_wrap=True, valign="top")

    def status(self, cell: Cell | None):
        if cell is None:
            return self.cell(NOT_ASSIGNED, ("none",), font_color=f"#{MUTED}", **_fill("F0F0F0"),
                             **GRID, align="center")
        if cell.supporting:
            return self.cell(SUPPORTING, ("supporting",), font_color=f"#{MUTED}", italic=True,
                             **_fill(TINT), **GRID)
        key = ("status", cell.status, cell.state)
        if key in self.cache:
            return cell_text(cell), self.cache[key]
        background, colour = STATUS_COLOURS[cell.status]
        # Overdue: a strong red frame; done late: a thick amber line underneath (as on screen).
        border = GRID
        if cell.state is DeadlineState.OVERDUE:
            border = {"border": 2, "border_color": f"#{BAD}"}  # medium
        elif cell.state is DeadlineState.DONE_LATE:
            border = {**GRID, "bottom": 5, "bottom_color": f"#{WARN}"}  # thick
        style = {"font_color": f"#{colour}", "bold": cell.status is ProgressStatus.APPROVED,
                 **border}
        if background:
            style.update(_fill(background))
        return self.cell(cell_text(cell), key, **style)

    def number(self, value, key: str = "number", bold: bool = False):
        return self.cell(value, ("number", key, bold), **GRID, bold=bold,
                         font_color=f"#{BAD if key == 'late' else '000000'}")

    def date(self, value):
        return self.cell(value, ("date",), num_format="DD/MM/YYYY")

    def moment(self, value):
        return self.cell(value, ("moment",), num_format="HH:MM DD/MM/YYYY")

    def wrap(self, value):
        return self.cell(value, ("wrap",), text_wrap=True, valign="top")

    def bold(self, value):
        return self.cell(value, ("bold",), bold=True, **GRID)


# A thin grey line around the cell (XlsxWriter's border 1 is "thin", 2 "medium", 5 "thick").
GRID = {"border": 1, "border_color": "#C9CED4"}


def _fill(colour: str) -> dict:
    return {"pattern": 1, "bg_color": f"#{colour}"}  # solid


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    """Column widths in characters, stored as given (as openpyxl stored them): XlsxWriter's
    set_column would add Excel's 5-pixel padding; 7 pixels a character is Calibri 11's."""
    for index, width in enumerate(widths):
        sheet.set_column_pixels(index, index, 7 * width)


# Full rows and their details, a slice of units at a time, in the matrix's order: what the
# workbook is written from (`write_xlsx`), so that it never holds every cell at once.
Batches = Callable[[bool], Iterator[tuple[list[Row], Details | None]]]


def write_xlsx(m, batches: Batches, findings: list, out: IO[bytes]) -> None:
    """The workbook, written to `out`. `m` is the matrix's index (`matrix.model.matrix_index`:
    directive, day, columns, the rows' counts in order, totals) or a whole `Matrix`;
    `batches(True)` gives the full rows and their details slice after slice, gone through once:
    each slice's rows go to the matrix sheet and their items to the long one (two sheets written
    side by side, each in row order)."""
    # constant_memory: each sheet's rows go to a temporary file of its own as they are written
    # (so rows are written in order, and in_memory stays off: it would turn constant_memory off).
    with Workbook(out, {"constant_memory": True}) as book:
        styles = _Styles(book)
        matrix_rows = _matrix_sheet(book.add_worksheet("Ma trận"), styles, m)
        _tasks_sheet(book.add_worksheet("Nhiệm vụ"), styles, m)
        long_rows_of = _long_sheet(book.add_worksheet("Chi tiết"), styles, m)
        for batch, details in batches(True):
            for row in batch:
                matrix_rows(row)
            long_rows_of(batch, details)
        matrix_rows(None)  # the totals
        if findings:
            _findings_sheet(book.add_worksheet("Hạn chế"), styles, m, findings)
        by_area = every_area(m)
        if by_area:
            _areas_sheet(book.add_worksheet("Theo địa bàn"), styles, m, by_area)


def whole(m: Matrix, details: Details) -> Batches:
    """A whole matrix as one batch (the bench, and exports already holding it)."""
    return lambda with_details: iter([(m.rows, details if with_details else None)])


AREAS_HEADER = ["Địa bàn", "Cấp", "Đơn vị", "Nhiệm vụ được giao", "Chờ duyệt", "Đạt",
                "Quá hạn", "Tỷ lệ hoàn thành (%)"]


def _areas_sheet(sheet: Worksheet, styles: _Styles, m, by_area: list) -> None:
    """Each area's roll-up over its sub-areas (the tree's order, a deeper area indented), then
    the units in no area."""
    _widths(sheet, [44, 6, 10, 12, 12, 10, 10, 12])
    sheet.freeze_panes("A4")
    print_on_a4(sheet, header_row=2)
    rows = StreamedRows(sheet)
    _heading(rows, styles, m, "Tiến độ theo địa bàn")
    rows.append([styles.header(text) for text in AREAS_HEADER])
    for area in by_area:
        name = ("    " * area.node.depth + area.node.name) if area.node else NO_AREA
        rows.append([styles.bold(name) if area.node and not area.node.depth else name,
                     area.node.depth + 1 if area.node else "", area.units, area.assigned,
                     area.submitted, area.done, area.overdue, area.percent])


def _heading(rows: StreamedRows, styles: _Styles, m: Matrix, title: str) -> None:
    directive = m.directive
    rows.append([styles.title(f"{title}: {directive.title}")])
    number = f"số {directive.number}" if directive.number else "(chưa có số)"
    rows.append([styles.meta(
        f"Văn bản {number} của {directive.issuer or 'UBND Thành phố'} · Số liệu ngày "
        f"{format_date(m.on)}"
        + (f", cập nhật lúc {format_moment(directive.changed_at, m.on)}" if directive.changed_at
           else "")
        + f" · {reading_text(directive.deadline_day_counts)} · Hoàn thành là nhiệm vụ đã được "
        "Phòng Nội vụ duyệt «Đạt»")])


def _matrix_sheet(sheet: Worksheet, styles: _Styles, m) -> Callable[[Row | None], None]:
    """The sheet's heading; then what writes each row in turn, and the totals after None."""
    codes = len(m.columns)
    widths = [34, 24, *([22] * codes), 10, 12, 12, 10]
    _widths(sheet, widths)
    sheet.freeze_panes("C5")
    print_on_a4(sheet, header_row=3)
    first, last = 4, 4 + len(m.rows)
    sheet.autofilter(f"A{first}:{xl_col_to_name(len(widths) - 1)}{max(last, first + 1)}")

    rows = StreamedRows(sheet)
    _heading(rows, styles, m, "Ma trận theo dõi")
    rows.append([styles.meta(LEGEND)])
    rows.append([styles.header(text) for text in (
        "Đơn vị", "Loại đơn vị", *(f"{c.code} {c.title}" for c in m.columns),
        "Đạt", "Được giao", "Tỷ lệ hoàn thành (%)", "Quá hạn")])

    def write(row: Row | None) -> None:
        if row is not None:
            rows.append(_matrix_row(styles, m, row))
            return
        totals = m.totals()
        rows.append([])
        rows.append([
            styles.bold("Hoàn thành theo nhiệm vụ"), styles.bold(""),
            *(styles.bold(f"{c.done}/{c.assigned} ({c.percent} %)") for c in m.columns),
            styles.number(totals["done"], bold=True),
            styles.number(totals["assigned"], bold=True),
            styles.number(totals["percent"], bold=True),
            styles.number(totals["overdue"], bold=True),
        ])

    return write


def _matrix_row(styles: _Styles, m, row: Row) -> list:
    return [
        styles.bold(row.name), styles.cell(row.kind.label, ("kind",), **GRID),
        *(styles.status(row.cells.get(c.task_id)) for c in m.columns),
        styles.number(row.done), styles.number(row.assigned), styles.number(row.percent),
        styles.number(row.overdue, "late" if row.overdue else "number"),
    ]


TASKS_HEADER = ["Mã", "Nhiệm vụ", "Hạn", "Chỉ tiêu", "Loại chỉ tiêu", "Đơn vị tính", "Đạt",
                "Được giao", "Tỷ lệ hoàn thành (%)"]


def _tasks_sheet(sheet: Worksheet, styles: _Styles, m) -> None:
    _widths(sheet, [10, 60, 12, 10, 14, 22, 10, 12, 12])
    sheet.freeze_panes("A4")
    print_on_a4(sheet, header_row=2)
    last = xl_col_to_name(len(TASKS_HEADER) - 1)
    sheet.autofilter(f"A3:{last}{max(3 + len(m.columns), 4)}")
    rows = StreamedRows(sheet)
    _heading(rows, styles, m, "Nhiệm vụ")
    rows.append([styles.header(text) for text in TASKS_HEADER])
    for column in m.columns:
        rows.append(_task_row(styles, column))


def _task_row(styles: _Styles, column: Column) -> list:
    return [column.code, styles.wrap(column.title),
            styles.date(column.deadline) if column.deadline else "",
            column.target, target_kind(column), measure_unit(column), column.done,
            column.assigned, column.percent]


FINDINGS_HEADER = ["Đơn vị", "Loại đơn vị", "Mã nhiệm vụ", "Mã hạn chế", "Hạn chế, khuyết điểm",
                   "Lĩnh vực", "Kết quả khắc phục", "Kết quả, giải trình", "Phòng Nội vụ duyệt"]
FINDINGS_WIDTHS = [30, 22, 10, 10, 60, 30, 20, 50, 18]


def _findings_sheet(sheet: Worksheet, styles: _Styles, m, findings: list) -> None:
    """Every unit's findings, fixed or not, with what it did or why it could not."""
    _widths(sheet, FINDINGS_WIDTHS)
    sheet.freeze_panes("A2")
    print_on_a4(sheet, header_row=0)
    sheet.autofilter(f"A1:{xl_col_to_name(len(FINDINGS_HEADER) - 1)}"
                     f"{len(findings) + 1}")
    rows = StreamedRows(sheet)
    rows.append([styles.header(text) for text in FINDINGS_HEADER])
    units = {row.unit_id: row for row in m.rows}
    for line in findings:
        unit = units.get(line.unit_id)
        rows.append([unit.name if unit else "", unit.kind.label if unit else "", line.task_code,
                     line.code, styles.wrap(line.text), line.field, line.answer,
                     styles.wrap(line.note), line.review])


def _long_sheet(sheet: Worksheet, styles: _Styles, m
                ) -> Callable[[list[Row], Details | None], None]:
    """The sheet's header; then what writes the items of each slice of rows in turn."""
    _widths(sheet, LONG_WIDTHS)
    sheet.freeze_panes("A2")
    print_on_a4(sheet, header_row=0)
    count = sum(row.cells if isinstance(row.cells, int) else len(row.cells) for row in m.rows)
    sheet.autofilter(f"A1:{xl_col_to_name(len(LONG_HEADER) - 1)}{max(count + 1, 2)}")
    formats = {index: styles.date(None)[1] for index in DATE_COLUMNS}
    formats.update({index: styles.moment(None)[1] for index in MOMENT_COLUMNS})
    rows = StreamedRows(sheet, date_formats=formats)
    rows.append([styles.header(text) for text in LONG_HEADER])

    def write(batch: list[Row], details: Details | None) -> None:
        for values in long_rows(m, details, batch):
            rows.append(values)

    return write
