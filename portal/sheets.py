"""What every file the portal writes for a spreadsheet shares, CSV or workbook: text stays text
(never a formula), a CSV opens in columns in Excel on a PC set to Vietnamese regional format,
and a sheet prints on A4.

Excel opening a CSV (a double-click) splits it on Windows' list separator and reads numbers
with its decimal symbol. Under the Vietnamese regional format those are ";" and "," (and dates
dd/mm/yyyy), so every CSV here is ";"-separated, with decimal commas and no digit grouping
("1234", "90,5"), in UTF-8 with a BOM, which Excel needs to read the diacritics. A "sep=;" first
line would make Excel split on ";" whatever the PC's format, but Excel then ignores the BOM
and the diacritics break. On a PC with another format (English (United States): "," and "."),
no CSV reads right by a double-click (its "1.10" and "05/07/2023" become 1.1 and 7 May): there
the workbook, or Excel's Data → From Text/CSV with ";" chosen, is the way (README.md).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from xlsxwriter.format import Format
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .formatting import format_date, spreadsheet_text

# Windows' list separator and decimal symbol under the Vietnamese regional format.
SEPARATOR = ";"
DECIMAL = ","


def csv_number(value: float | int | Decimal) -> str:
    """A number as a Vietnamese-format spreadsheet reads it: 90,5; 1234 (no grouping, whose "."
    a PC with another format would take for a decimal point); never an exponent."""
    kind = value.__class__
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)  # the shortest that reads back the same: "33.3", not "33.29999…"
        if "e" not in text:
            return text.replace(".", DECIMAL)
        value = Decimal(text)
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f").replace(".", DECIMAL)


def csv_field(value) -> str:
    """One value as a CSV field: text kept from running as a formula, numbers with a decimal
    comma, dates dd/mm/yyyy and moments HH:MM dd/mm/yyyy as on screen."""
    # Most fields are text or numbers: those are tried first (a 1000 × 50 list has 1.2 million).
    kind = value.__class__
    if kind is str:
        return spreadsheet_text(value)
    if value is None:
        return ""
    if kind is int or kind is float or kind is Decimal:
        return csv_number(value)
    if isinstance(value, datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float | Decimal):
        return csv_number(value)
    return spreadsheet_text(str(value))


def csv_bytes(header: list[str], rows: Iterable[list]) -> bytes:
    """A header and rows of typed values as a CSV file for Excel on a Vietnamese-format PC."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR)  # lines end in "\r\n", as Excel's own
    writer.writerow([csv_field(text) for text in header])
    writer.writerows([csv_field(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_cell(sheet: Worksheet, row: int, column: int, value,
               style: Format | None = None) -> None:
    """One value into an XlsxWriter sheet by the writer its type needs: text always by
    `write_string`, which stores "=HYPERLINK(…)" as the text it is, where `write` would make it a
    live formula. Empty text and None write nothing unless formatted."""
    if value is None or value == "":
        if style is not None:
            sheet.write_blank(row, column, None, style)
    elif isinstance(value, str):
        sheet.write_string(row, column, value, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, date):  # datetimes too
        sheet.write_datetime(row, column, value, style)
    else:
        sheet.write_number(row, column, value, style)


# --- rows streamed into a workbook ----------------------------------------------------------

# What makes a text need more than its cell's tags around it: XML's own characters, control
# characters (written _xHHHH_), a literal "_xHHHH_" (its underscore escaped), Excel's two
# non-characters.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
# Day 0 of Excel's 1900 day numbers as XlsxWriter counts them (1900 taken for a leap year after).
_EPOCH = datetime(1899, 12, 31)
_EPOCH_DAY = _EPOCH.date()
# Texts kept escaped (unit and task names, statuses, people): forgotten past this many.
_TEXTS_KEPT = 20_000


def _inline_text(text: str, limit: int) -> str:
    """A text's cell content as XlsxWriter writes an inline string in constant_memory mode
    (control characters as _xHHHH_, leading or trailing space preserved), except that a text
    looking like XlsxWriter's rich-string markup ("<r>…</r>") is escaped like any other: what a
    user typed never becomes markup."""
    if len(text) > limit // 2 and _utf16_len(text) > limit:
        text = _utf16_truncate(text, limit)
    if _NEEDS_ESCAPING.search(text) is not None:
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda found: f"_x{ord(found.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        preserve = text[:1].isspace() or text[-1:].isspace()
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        preserve = text[:1].isspace() or text[-1:].isspace()
    space = ' xml:space="preserve"' if preserve else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


class StreamedRows:
    """A worksheet of a constant_memory workbook written row after row, each row straight into
    the sheet's row file as the XML XlsxWriter's own writers give (the same cells, formats and
    values: `write_cell`'s rules), without the cell objects, the per-cell checks and the regular
    expressions they cost for every cell: a 3,321 × 30 export writes 1.3 million cells.

    `append(items)` writes the next row, each item a value or a (value, format) pair: text always
    as text (never a formula, never markup), numbers, dates and moments as Excel's day numbers
    (`date_formats[column]`, or XlsxWriter's default date format, where the item brings none),
    booleans; empty text and None write nothing unless formatted. Every write of the sheet must
    go through it."""

    def __init__(self, sheet: Worksheet, date_formats: dict[int, Format] | None = None):
        if not sheet.constant_memory:
            raise ValueError("StreamedRows writes constant_memory worksheets only")
        self.sheet = sheet
        self.row = 0
        self.limit = sheet.xls_strmax
        self.columns: list[str] = []
        self.styles: dict[int, str] = {}  # by id of Format: ' s="N"'
        self.texts: dict[str, str] = {}
        self.date_formats = date_formats or {}

    def _style(self, style: Format | None) -> str:
        if style is None:
            return ""
        found = self.styles.get(id(style))
        if found is None:
            found = self.styles[id(style)] = f' s="{style._get_xf_index()}"'
        return found

    def _text(self, text: str) -> str:
        found = self.texts.get(text)
        if found is None:
            if len(self.texts) >= _TEXTS_KEPT:
                self.texts.clear()
            found = self.texts[text] = _inline_text(text, self.limit)
        return found

    def _date(self, value: date, column: int) -> tuple[float, Format | None]:
        """XlsxWriter's day number of a date or a naive moment (`write_datetime`'s), and the
        format it takes when it brings none."""
        kind = value.__class__
        if kind is datetime and value.tzinfo is None and value.year > 1900:
            since = value - _EPOCH
            number = since.days + (float(since.seconds) + float(since.microseconds) / 1e6) / (
                86400) + 1  # after Excel's 29/02/1900
        elif kind is date and value.year > 1900:
            number = float((value - _EPOCH_DAY).days) + 1
        else:  # 1900, an aware moment, a subclass: XlsxWriter's own conversion (or refusal)
            number = self.sheet._convert_date_time(value)
        return number, self.date_formats.get(column, self.sheet.default_date_format)

    def append(self, items: list) -> None:
        row = self.row
        self.row += 1
        columns = self.columns
        if len(columns) < len(items):
            columns.extend(xl_col_to_name(index) for index in range(len(columns), len(items)))
        number = str(row + 1)
        texts, styles = self.texts, self.styles
        parts = []
        first = last = -1
        for column, item in enumerate(items):
            if item.__class__ is tuple:
                value, style = item
                s = "" if style is None else (styles.get(id(style)) or self._style(style))
            else:
                value, s = item, ""
            kind = value.__class__
            if kind is str:
                if value:
                    text = texts.get(value) or self._text(value)
                    parts.append(f'<c r="{columns[column]}{number}"{s}{text}')
                elif s:
                    parts.append(f'<c r="{columns[column]}{number}"{s}/>')
                else:
                    continue
            elif value is None:
                if not s:
                    continue
                parts.append(f'<c r="{columns[column]}{number}"{s}/>')
            elif kind is int or kind is float or kind is Decimal:
                if kind is not int and not math.isfinite(value):
                    raise TypeError("a cell's number must be finite")
                parts.append(f'<c r="{columns[column]}{number}"{s}><v>{value:.16G}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{columns[column]}{number}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, date):
                day, default = self._date(value, column)
                if not s:
                    s = self._style(default)
                parts.append(f'<c r="{columns[column]}{number}"{s}><v>{day:.16G}</v></c>')
            else:
                raise TypeError(f"no cell is written from {kind.__name__}")
            if first < 0:
                first = column
            last = column
        if first < 0:
            return
        sheet = self.sheet
        # The sheet's dimensions, as each of XlsxWriter's writers keeps them.
        sheet._check_dimensions(row, first)
        sheet._check_dimensions(row, last)
        sheet.previous_row = row
        sheet.fh.write(f'<row r="{number}">{"".join(parts)}</row>')


A4 = 9  # XlsxWriter's (and Excel's) paper size number


def print_on_a4(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide (as many pages down as it takes), the header row (0-based)
    repeated at the top of every printed page, and "Trang 2/5" at the foot."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_footer("&CTrang &P/&N")
