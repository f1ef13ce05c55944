"""Tables of tasks, as plans give them ("Phân công nhiệm vụ": what to do, who leads, who helps,
by when), in every layout a file gives them: tabs (a .docx table, a copied web page), " | ",
columns of spaces with a cell's wrapped lines below it, one cell to a line; from a real .docx
and from a real PDF laid out by LibreOffice."""

from __future__ import annotations

import io
from datetime import date

import pytest

from portal.directives.importer import import_letter, read_letter_file
from portal.directives.importer.tables import rows_as_items
from tests.support import letters
from tests.test_importer_shapes import PROVINCE, tasks

HEAD = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP
Số: 430/KH-UBND
Đồng Tháp, ngày 23 tháng 9 năm 2025
KẾ HOẠCH
Triển khai quy định mới về công chức
I. MỤC ĐÍCH, YÊU CẦU
Triển khai kịp thời, đồng bộ các quy định mới về công chức.
II. NHIỆM VỤ CỤ THỂ
"""
FOOT = """
III. TỔ CHỨC THỰC HIỆN
Sở Nội vụ theo dõi, đôn đốc, báo cáo UBND tỉnh trước ngày 15/12/2025.
"""
ROWS = [("TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"),
        ("1", "Xây dựng dự thảo Quy chế phối hợp quản lý công chức cấp xã", "Sở Nội vụ",
         "Các sở, ngành liên quan", "Tháng 10/2025"),
        ("2", "Rà soát, cập nhật cơ sở dữ liệu cán bộ, công chức", "UBND các xã, phường",
         "Sở Nội vụ", "30/11/2025"),
        ("3", "Bố trí kinh phí thực hiện", "Sở Tài chính", "Sở Nội vụ", "Quý IV/2025"),
        ("4", "Tuyên truyền Quy chế trên hệ thống thông tin cơ sở", "UBND các xã, phường",
         "Sở Y tế", "Thường xuyên")]
WANT = [("unit:Sở Nội vụ", date(2025, 10, 31), "Xây dựng dự thảo Quy chế phối hợp quản l"),
        ("kind:commune", date(2025, 11, 30), "Rà soát, cập nhật cơ sở dữ liệu cán bộ, "),
        ("unit:Sở Tài chính", date(2025, 12, 31), "Bố trí kinh phí thực hiện (Sở Tài chính "),
        ("kind:commune", None, "Tuyên truyền Quy chế trên hệ thống thông"),
        ("unit:Sở Nội vụ", date(2025, 12, 15), "Sở Nội vụ theo dõi, đôn đốc, báo cáo UBN")]


def spaced(rows) -> str:
    """Columns of spaces, as a PDF's text layer or a plain-text copy gives them."""
    widths = [max(len(row[i]) for row in rows) + 3 for i in range(len(rows[0]))]
    return "\n".join("".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                     .rstrip() for row in rows)


LAYOUTS = {
    "tabs": "\n".join("\t".join(row) for row in ROWS),
    "pipes": "\n".join(" | ".join(row) for row in ROWS),
    "pipes framed, blank lines between rows": "\n\n".join(
        "| " + " | ".join(row) + " |" for row in ROWS),
    "spaces": spaced(ROWS),
    "one cell to a line": "\n".join(cell for row in ROWS for cell in row),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_row_of_a_table_of_tasks_is_a_task(layout):
    assert tasks(import_letter(HEAD + LAYOUTS[layout] + FOOT, PROVINCE)) == WANT


def test_a_cells_wrapped_lines_below_it_in_its_column_are_the_cells():
    table = spaced([ROWS[0][:3] + ROWS[0][4:], ("1", "Rà soát quy hoạch mạng lưới cơ sở", "Sở Y tế",
                                                "Tháng 11/2025"),
                    ("", "giáo dục mầm non, phổ thông", "", ""),
                    ("2", "Bố trí quỹ đất xây dựng trường học", "UBND các xã, phường",
                     "Năm 2026")])
    draft = import_letter(HEAD + table + FOOT, PROVINCE)
    assert [(who, when) for who, when, _ in tasks(draft)][:2] == [
        ("unit:Sở Y tế", date(2025, 11, 30)), ("kind:commune", date(2026, 12, 31))]
    assert "phổ thông" in draft.tasks[0].text


def test_a_row_that_names_a_group_is_no_task_and_a_range_ends_on_its_last_day():
    table = "\n".join("\t".join(row) for row in [
        ("TT", "Nội dung", "Chủ trì", "Thời gian"),
        ("I", "Công tác tuyên truyền", "", ""),
        ("1", "Tuyên truyền về bảo vệ môi trường", "Sở Y tế", "Từ tháng 9 đến tháng 11/2025"),
        ("II", "Công tác kiểm tra", "", ""),
        ("2", "Kiểm tra các cụm công nghiệp", "Sở Tài chính", "15-20/10/2025"),
        ("3", "Thu gom rác thải sinh hoạt", "", "Thường xuyên")])
    draft = import_letter(HEAD + table + FOOT, PROVINCE)
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:Sở Y tế", date(2025, 11, 30)), ("unit:Sở Tài chính", date(2025, 10, 20)),
        ("all", None), ("unit:Sở Nội vụ", date(2025, 12, 15))]


def test_the_text_shown_beside_the_draft_keeps_the_table_and_reads_the_same_again():
    draft = import_letter(HEAD + LAYOUTS["tabs"] + FOOT, PROVINCE)
    assert "1 | Xây dựng dự thảo Quy chế phối hợp quản lý công chức cấp xã | Sở Nội vụ |" \
        in draft.full_text
    assert tasks(import_letter(draft.full_text, PROVINCE)) == WANT


@pytest.mark.parametrize("text", [
    "Trang chủ | Tin tức | Văn bản | Liên hệ\nSở Y tế kiểm tra an toàn thực phẩm.",
    "Họ và tên\tChức vụ\tĐơn vị\nNguyễn Văn A\tTrưởng phòng\tSở Y tế",
    "Kết quả:   đạt 95%   vượt kế hoạch",
    # what each unit did, not what it is to do
    "TT\tNhiệm vụ\tKết quả thực hiện\tGhi chú\n1\tRà soát thủ tục\tĐã hoàn thành\t",
])
def test_lines_that_are_no_table_of_tasks_are_left_as_they_are(text):
    assert rows_as_items(text) == text


def plan_docx(ruled: bool) -> bytes:
    from docx import Document

    document = Document()
    head = document.add_table(rows=1, cols=2)  # the header's two blocks, no rules
    head.rows[0].cells[0].text = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 430/KH-UBND"
    head.rows[0].cells[1].text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh "
                                  "phúc\nĐồng Tháp, ngày 23 tháng 9 năm 2025")
    for line in HEAD.split("\n")[4:]:
        if line:
            document.add_paragraph(line)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    if ruled:
        table.style = "Table Grid"
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in FOOT.strip().split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_table_of_tasks_gives_its_rows_as_tasks():
    text = read_letter_file(plan_docx(ruled=False), "ke-hoach.docx")
    assert tasks(import_letter(text, PROVINCE)) == WANT


@pytest.mark.slow
def test_a_pdfs_ruled_table_of_tasks_gives_its_rows_as_tasks():
    pdf = letters.convert(plan_docx(ruled=True), ".docx", "pdf")
    text = read_letter_file(pdf, "ke-hoach.pdf")
    assert "1\tXây dựng dự thảo Quy chế" in text
    assert tasks(import_letter(text, PROVINCE)) == WANT
