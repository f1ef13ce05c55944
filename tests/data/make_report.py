"""Builds tests/data/bao-cao-kiem-tra-cchc-2023.docx, the Word report the import of findings was
tuned on (portal/findings/imports.py): the layout of the 2023 Sa Đéc inspection report, with the
inspection team's members in a first table, then the findings in a table of STT | Đơn vị | Nội
dung hạn chế, khuyết điểm | Lĩnh vực whose unit cells are merged down over each unit's findings,
a row of column numbers under the header, the header repeated on each page (Word's «Repeat as
header row») and enough rows to run over several pages; the signature block as a last table.

Run once, from the repository: `.venv/bin/python tests/data/make_report.py`; the .docx is
committed beside this script, so the tests read a file, not this code.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).parent
OUT = HERE / "bao-cao-kiem-tra-cchc-2023.docx"

# (unit as the report writes it, [(finding, field)]). Names as reports write them: "UBND" in
# front, "hoá" for "hóa".
FINDINGS = [
    ("UBND Phường 1", [
        ("Chưa niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận tiếp nhận và trả kết "
         "quả; một số thủ tục niêm yết đã hết hiệu lực.", "Cải cách thủ tục hành chính"),
        ("Tỷ lệ hồ sơ giải quyết trễ hạn còn cao (12%), chưa có văn bản xin lỗi người dân đối "
         "với hồ sơ trễ hạn.", "Cải cách thủ tục hành chính"),
        ("Kế hoạch CCHC năm chưa xác định cụ thể sản phẩm, thời gian hoàn thành của từng nhiệm "
         "vụ.", "Công tác chỉ đạo, điều hành"),
        ("Chưa cập nhật kịp thời hồ sơ cán bộ, công chức trên Cơ sở dữ liệu quốc gia.",
         "Cải cách chế độ công vụ"),
    ]),
    ("UBND phường An Hoà", [
        ("Chưa ban hành quy chế chi tiêu nội bộ năm 2023 đúng thời hạn.",
         "Cải cách tài chính công"),
        ("Tỷ lệ hồ sơ trực tuyến toàn trình thấp (dưới 20%).",
         "Xây dựng, phát triển chính quyền điện tử, chính quyền số"),
        ("Chưa tổ chức tự kiểm tra công tác CCHC theo kế hoạch.", "Công tác chỉ đạo, điều hành"),
    ]),
    ("Phòng Tư pháp", [
        ("Chưa rà soát, đề xuất đơn giản hoá thủ tục hành chính thuộc lĩnh vực quản lý.",
         "Cải cách thủ tục hành chính"),
        ("Công tác theo dõi thi hành pháp luật chưa có báo cáo định kỳ.", "Cải cách thể chế"),
    ]),
    ("Phòng Văn hoá và Thông tin", [
        ("Tin bài tuyên truyền CCHC trên Trang thông tin điện tử còn ít (03 tin trong năm).",
         "Công tác chỉ đạo, điều hành"),
        ("Chưa số hoá kết quả giải quyết thủ tục hành chính còn hiệu lực.",
         "Xây dựng, phát triển chính quyền điện tử, chính quyền số"),
    ]),
    ("UBND xã Tân Khánh Đông", [
        ("Chưa bố trí đủ công chức làm việc tại Bộ phận Một cửa theo quy định.",
         "Cải cách tổ chức bộ máy hành chính nhà nước"),
        ("Hộp thư góp ý chưa được mở định kỳ, không có sổ theo dõi.",
         "Cải cách thủ tục hành chính"),
        ("Chưa thực hiện khảo sát sự hài lòng của người dân.", "Cải cách chế độ công vụ"),
    ]),
]
# Every finding again with "(lần 2)".. "(lần 4)": the table runs over several pages, as a whole
# city's does.
ROUNDS = 4


def repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def build() -> bytes:
    import io

    document = Document()
    document.styles["Normal"].font.size = Pt(13)
    for line in ("ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC", "ĐOÀN KIỂM TRA CCHC",
                 "BÁO CÁO", "Kết quả kiểm tra công tác cải cách hành chính năm 2023"):
        document.add_paragraph(line)
    document.add_paragraph("I. THÀNH PHẦN ĐOÀN KIỂM TRA")
    team = document.add_table(rows=3, cols=3)
    team.style = "Table Grid"
    for row, cells in enumerate((("STT", "Họ và tên", "Chức vụ"),
                                 ("1", "Nguyễn Văn A", "Trưởng phòng Nội vụ, Trưởng đoàn"),
                                 ("2", "Trần Thị B", "Chuyên viên Phòng Nội vụ"))):
        for column, text in enumerate(cells):
            team.cell(row, column).text = text
    document.add_paragraph("II. TỒN TẠI, HẠN CHẾ CỦA TỪNG CƠ QUAN, ĐƠN VỊ")
    rows = [(unit, f"{text} (lần {n})" if n > 1 else text, field)
            for n in range(1, ROUNDS + 1) for unit, found in FINDINGS for text, field in found]
    rows.sort(key=lambda row: [unit for unit, _ in FINDINGS].index(row[0]))
    table = document.add_table(rows=2 + len(rows), cols=4)
    table.style = "Table Grid"
    for column, text in enumerate(("STT", "Đơn vị", "Nội dung hạn chế, khuyết điểm",
                                   "Lĩnh vực")):
        table.cell(0, column).text = text
        table.cell(1, column).text = f"({column + 1})"
    repeat_as_header(table.rows[0])
    first = 2
    for unit, _ in FINDINGS:
        count = sum(1 for row in rows if row[0] == unit)
        merged = table.cell(first, 1).merge(table.cell(first + count - 1, 1))
        merged.text = unit
        first += count
    for index, (_, text, field) in enumerate(rows):
        table.cell(2 + index, 0).text = str(index + 1)
        table.cell(2 + index, 2).text = text
        table.cell(2 + index, 3).text = field
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- UBND Thành phố;\n- Lưu: VT."
    signature.cell(0, 1).text = "TRƯỞNG ĐOÀN\nNguyễn Văn A"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(OUT, OUT.stat().st_size, "bytes")
