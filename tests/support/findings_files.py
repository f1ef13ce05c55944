"""Real files of findings to import (tests/test_findings_import.py), made with python-docx and
openpyxl as Word and Excel would save them: a Word report in the two usual layouts (a unit cell
merged down over its findings; a unit named in a row across the table above them), a workbook
whose header row is not its first, a CSV as Excel writes it on a Vietnamese-format PC."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

Finding = tuple[str, str] | tuple[str, str, str]  # unit, text[, field]
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _repeat_as_header(row) -> None:
    """Word's «Repeat as header row at the top of each page»."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def report_merged(findings: list[Finding], *, repeat_header_at: int | None = None,
                  with_field: bool = True) -> bytes:
    """A report whose table reads STT | Đơn vị | Nội dung hạn chế | Lĩnh vực, each unit's cell
    merged down over its findings, a row of column numbers under the header and, at
    `repeat_header_at` (a finding's index), the header typed again as a table continued on a new
    page often has it."""
    document = Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC")
    document.add_paragraph("BÁO CÁO Kết quả kiểm tra công tác cải cách hành chính năm 2023")
    header = ["STT", "Đơn vị", "Nội dung hạn chế", "Lĩnh vực"][: 4 if with_field else 3]
    extra = 1 if repeat_header_at is not None else 0
    table = document.add_table(rows=2 + len(findings) + extra, cols=len(header))
    table.style = "Table Grid"
    for column, text in enumerate(header):
        table.cell(0, column).text = text
        table.cell(1, column).text = f"({column + 1})"
    _repeat_as_header(table.rows[0])
    row = 2
    spans: list[tuple[int, int, str]] = []
    for index, finding in enumerate(findings):
        if index == repeat_header_at:
            for column, text in enumerate(header):
                table.cell(row, column).text = text
            row += 1
        unit, text = finding[0], finding[1]
        table.cell(row, 0).text = str(index + 1)
        table.cell(row, 2).text = text
        if with_field and len(finding) > 2:
            table.cell(row, 3).text = finding[2]
        if spans and spans[-1][2] == unit and row == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], row, unit)
        else:
            spans.append((row, row, unit))
        row += 1
    for first, last, unit in spans:
        cell = table.cell(first, 1).merge(table.cell(last, 1)) if last > first else \
            table.cell(first, 1)
        cell.text = unit
    document.add_paragraph("Nơi nhận: như trên.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_headings(findings: list[Finding]) -> bytes:
    """A report whose table reads TT | Tồn tại, hạn chế | Mã, each unit named in a row of its own
    across the table ("I. UBND Phường 1") above its findings; a signature table without
    findings follows."""
    document = Document()
    document.add_paragraph("Phụ lục: Tồn tại, hạn chế của từng đơn vị")
    table = document.add_table(rows=1, cols=3)
    for column, text in enumerate(("TT", "Tồn tại, hạn chế", "Mã")):
        table.cell(0, column).text = text
    unit, group = None, 0
    for number, finding in enumerate(findings, start=1):
        if finding[0] != unit:
            unit, group = finding[0], group + 1
            cells = table.add_row().cells
            merged = cells[0].merge(cells[2])
            merged.text = f"{ROMAN[group - 1]}. {unit}"
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(number), finding[1], f"HC{number}"
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:"
    signature.cell(0, 1).text = "TRƯỞNG ĐOÀN KIỂM TRA"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def no_table_docx() -> bytes:
    document = Document()
    document.add_paragraph("Báo cáo kiểm tra: các hạn chế được nêu trong phụ lục gửi kèm.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nơi nhận:", "KT. CHỦ TỊCH"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def findings_xlsx(rows: list[list], header_line: int = 4,
                  header: tuple[str, ...] = ("Đơn vị", "Mã nhiệm vụ", "Mã hạn chế",
                                             "Nội dung hạn chế", "Lĩnh vực",
                                             "Hạn khắc phục")) -> bytes:
    """A workbook with a title above its header row, which is on line `header_line`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH HẠN CHẾ, KHUYẾT ĐIỂM QUA KIỂM TRA CCHC NĂM 2023"])
    for _ in range(header_line - 2):
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def findings_csv(rows: list[list[str]],
                 header: tuple[str, ...] = ("Đơn vị", "Mã nhiệm vụ", "Nội dung hạn chế",
                                            "Lĩnh vực")) -> bytes:
    """A CSV as Excel saves it on a Vietnamese-format PC: ';' and a BOM."""
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def with_macro(package: bytes) -> bytes:
    """The same package with a VBA project inside, as Word or Excel saves a macro-enabled file."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        folder = "word" if any(n.startswith("word/") for n in source.namelist()) else "xl"
        target.writestr(f"{folder}/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()
