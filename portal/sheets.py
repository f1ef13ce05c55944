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
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from xlsxwriter.format import Format
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


A4 = 9  # XlsxWriter's (and Excel's) paper size number


def print_on_a4(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide (as many pages down as it takes), the header row (0-based)
    repeated at the top of every printed page, and "Trang 2/5" at the foot."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_footer("&CTrang &P/&N")
