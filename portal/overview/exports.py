"""The ranking of units as files: an Excel workbook (numbers in columns of their own, A4) and a
Word annex in the layout of Nghị định 30/2020 (reports/layout.py), each with the formula printed
above the table."""

from __future__ import annotations

import io
from datetime import date

from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from xlsxwriter import Workbook

from ..formatting import format_date
from ..models import ReportSettings, UnitKind
from ..reports.layout import Layout, clean
from ..reports.official import date_words
from ..sheets import print_on_a4, write_cell
from .queries import Period, Ranked
from .scoring import Formula

HEADER = ["Xếp hạng trong loại", "Đơn vị", "Loại đơn vị", "Nhiệm vụ được giao",
          "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn chưa hoàn thành", "Chờ duyệt",
          "Nhiệm vụ bị yêu cầu bổ sung", "Số lần yêu cầu bổ sung", "Tỷ lệ đúng hạn (%)", "Điểm"]


def _values(entry: Ranked, kind: UnitKind) -> list:
    f = entry.figures
    return [entry.rank, entry.unit.name, kind.label, f.assigned, f.on_time, f.late, f.overdue,
            f.waiting, f.returned_items, f.returns, f.on_time_percent, entry.score]


def file_name(period: Period, extension: str) -> str:
    years = str(period.first) if period.first == period.last else f"{period.first}-{period.last}"
    return f"Xếp loại đơn vị {years}.{extension}"


def write_xlsx(groups: list[tuple[UnitKind, list[Ranked]]], period: Period, formula: Formula,
               on: date) -> bytes:
    out = io.BytesIO()
    with Workbook(out, {"in_memory": True}) as book:
        sheet = book.add_worksheet("Xếp loại")
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
        score = book.add_format({"num_format": "0.00"})
        write_cell(sheet, 0, 0, f"Kết quả xếp loại đơn vị {period.label}", bold)
        write_cell(sheet, 1, 0, formula.text())
        write_cell(sheet, 2, 0, f"Số liệu ngày {format_date(on)}; chỉ tính nhiệm vụ của đơn vị "
                                "chủ trì, không tính nhiệm vụ đã rút, đã ẩn.")
        for column, text in enumerate(HEADER):
            write_cell(sheet, 4, column, text, head)
        row = 5
        for kind, ranked in groups:
            for entry in ranked:
                for column, value in enumerate(_values(entry, kind)):
                    write_cell(sheet, row, column, value, score if column == 11 else None)
                row += 1
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 2, 24)
        sheet.set_column(3, 11, 13)
        sheet.freeze_panes(5, 2)
        print_on_a4(sheet, 4)
    return out.getvalue()


def write_docx(groups: list[tuple[UnitKind, list[Ranked]]], period: Period, formula: Formula,
               on: date, settings: ReportSettings) -> bytes:
    """A landscape annex (Phụ lục) that goes with Phòng Nội vụ's report of the evaluation."""
    layout = Layout()
    section = layout.document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(30), Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    layout.paragraph("Phụ lục", "Report Annex Number")
    layout.paragraph(f"KẾT QUẢ XẾP LOẠI ĐƠN VỊ {period.label.upper()}", "Report Annex Title")
    layout.paragraph(
        f"(Kèm theo Báo cáo số        /{clean(settings.number_symbol)} {date_words(on)} của "
        f"{clean(settings.office)})", "Report Annex Note")
    layout.paragraph(f"Cách tính: {formula.text()}", "Report Body")
    layout.paragraph(f"Số liệu ngày {format_date(on)}, từ Cổng theo dõi CCHC; chỉ tính nhiệm vụ "
                     "của đơn vị chủ trì, không tính nhiệm vụ đã rút hoặc không còn giao cho "
                     "đơn vị.", "Report Body")
    rows: list = []
    for kind, ranked in groups:
        rows.append(f"{kind.label} ({len(ranked)} đơn vị)")
        for entry in ranked:
            f = entry.figures
            rows.append([str(entry.rank), entry.unit.name, str(f.assigned), str(f.on_time),
                         str(f.late), str(f.overdue), str(f.returned_items),
                         f"{f.on_time_percent}%", f"{entry.score:.2f}".replace(".", ",")])
    layout.table(["Hạng", "Đơn vị", "Được giao", "Đúng hạn", "Quá hạn đã xong",
                  "Quá hạn chưa xong", "Bị yêu cầu bổ sung", "Tỷ lệ đúng hạn", "Điểm"],
                 rows, [Mm(w) for w in (17, 77, 22, 22, 24, 24, 24, 22, 20)])
    layout.paragraph("", "Report Table")  # Word wants a paragraph, not a table, at the end
    out = io.BytesIO()
    layout.document.save(out)
    return out.getvalue()
