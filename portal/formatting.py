"""How dates, numbers and sizes read on screen: dd/mm/yyyy, the city's time, Vietnamese decimals."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from .audit import describe
from .deadlines import city_zone, deadline_text, local_date, reading_text, state_of, today
from .storage import ACCEPT_ATTRIBUTE


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    """A stored UTC moment as the city's local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(city_zone()).strftime("%H:%M %d/%m/%Y")


def format_moment(value: datetime | None, on: date | None = None) -> str:
    """A stored UTC moment as the city's time of day, "09:41", and its date as well, "09:41 ngày
    05/12/2026", when that is not the day `on` (today in the city by default)."""
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone(city_zone())
    said = local.strftime("%H:%M")
    if local.date() != (on or today()):
        said += local.strftime(" ngày %d/%m/%Y")
    return said


def format_number(value: Decimal | int | float | None) -> str:
    """Vietnamese writes 90,5 and 1.234."""
    if value is None:
        return ""
    if isinstance(value, int) or value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_number(round(size / 1024, 1))} KB"
    return f"{format_number(round(size / 1024 / 1024, 1))} MB"


# Years a date typed in a form may have: beyond is a slip of the keyboard (01/01/0001,
# 31/12/9999), and moving such a deadline to the next cycle would leave the calendar (a 500).
DATE_YEARS = range(1900, 3000)


def parse_date(text: str) -> date:
    """dd/mm/yyyy (or the yyyy-mm-dd a date picker sends) as a date; ValueError in Vietnamese."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    value = None
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            value = date(year, month, day)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            value = date.fromisoformat(text)
    except ValueError:
        pass
    if value is None:
        raise ValueError("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 30/06/2023.")
    if value.year not in DATE_YEARS:
        raise ValueError(f"Năm của ngày phải từ {DATE_YEARS[0]} đến {DATE_YEARS[-1]}.")
    return value


# What a spreadsheet takes for the start of a formula when it opens a CSV or a typed cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text for a CSV field that Excel and LibreOffice never run: one that starts like a formula
    (`=HYPERLINK(…)`, `+1`, `@SUM`, a tab) gets a leading apostrophe, so that the spreadsheet
    shows it as text, apostrophe included (OWASP's advice on CSV injection). A sheet needs none:
    XlsxWriter's `write_string` stores any text as text, where its `write` would make `=…` a
    formula (portal/sheets.py)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def register(app) -> None:
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, moment=format_moment,
        number=format_number, size=format_size
    )
    # city_today(): the day in the city, for a printed page's "In ngày dd/mm/yyyy";
    # local_date(moment): the city's day of a stored moment (a directive's closing day).
    # deadline_text(day, day_counts): a deadline with the reading its directive gives it;
    # deadline_reading(day_counts): that reading as one sentence, for a page of many deadlines.
    app.jinja_env.globals.update(deadline_state=state_of, accept_files=ACCEPT_ATTRIBUTE,
                                 city_today=today, local_date=local_date,
                                 deadline_text=deadline_text, deadline_reading=reading_text)
    app.jinja_env.filters["describe"] = describe
