"""The filtered audit log as an Excel workbook: one row per event, newest first, with its
before and after as readable text. Every text a person typed (a note, a name, a path) is written
with `write_string`, so that `=HYPERLINK(…)` stays text and never runs as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from xlsxwriter import Workbook

from ...formatting import format_datetime
from .queries import EXPORT_MAX, Row
from .view import action_label, changes, summary, target_text

HEADERS = ("Mã sự kiện", "Thời điểm", "Tên đăng nhập", "Họ tên", "Đơn vị", "Loại sự kiện",
           "Tóm tắt", "Đối tượng", "Trước", "Sau", "Địa chỉ IP", "Mã băm")
WIDTHS = (10, 17, 18, 24, 28, 28, 40, 22, 40, 40, 15, 20)


def _side(row: Row, which: str) -> str:
    lines = []
    for change in changes(row.event):
        value = getattr(change, which)
        if value:
            lines.append(f"{change.label}: {value}" if change.label else value)
    return "\n".join(lines)


def write_xlsx(rows: Iterable[Row], filter_text: str, out: IO[bytes],
               limit: int = EXPORT_MAX) -> int:
    """The workbook, written to `out`: `limit` events at most, then a line saying that older
    ones were left out; returns the number of events written."""
    with Workbook(out, {"constant_memory": True}) as book:
        sheet = book.add_worksheet("Nhật ký")
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                "bg_color": "#E4EEF9", "border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for column, width in enumerate(WIDTHS):
            sheet.set_column(column, column, width)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(1)
        sheet.write_string(0, 0, f"Nhật ký hệ thống{': ' + filter_text if filter_text else ''}")
        for column, header in enumerate(HEADERS):
            sheet.write_string(1, column, header, bold)
        sheet.freeze_panes(2, 0)
        count = 0
        for row in rows:
            if count == limit:
                sheet.write_string(count + 2, 0, f"Chỉ xuất {limit:,} sự kiện mới nhất khớp bộ "
                                   "lọc; hãy lọc hẹp hơn (theo thời gian) để xuất các sự kiện cũ "
                                   "hơn.".replace(",", "."))
                break
            count += 1
            event = row.event
            line = count + 1
            sheet.write_number(line, 0, event.id, wrap)
            texts = (format_datetime(event.at), event.username, row.full_name, row.unit_name,
                     action_label(event), summary(event), target_text(event),
                     _side(row, "before"), _side(row, "after"), event.ip, event.hash or "")
            for column, text in enumerate(texts, start=1):
                sheet.write_string(line, column, text, wrap)
        sheet.autofilter(1, 0, max(count, 1) + 1, len(HEADERS) - 1)
    return count
