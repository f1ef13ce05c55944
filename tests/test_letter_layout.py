"""A PDF's text layer read back as the text it was made from: made-up letters laid out by
LibreOffice's plain-text filter (one paragraph a line, no first-line indent, as a web copy
printed to PDF looks), read through `read_letter_file`, compared line by line with the text."""

from __future__ import annotations

import pytest

from portal.demo import pdf_with_stream
from portal.directives.importer import UnitRef, import_letter, read_letter_file
from tests.support import letters

pytestmark = pytest.mark.slow

UNITS = [UnitRef(1, "Phòng Văn hóa - Xã hội", "Văn hóa - Xã hội", "office"),
         UnitRef(2, "Phòng Kinh tế", "Kinh tế", "office"),
         UnitRef(3, "UBND xã Hòa Bình", "Hòa Bình", "commune"),
         UnitRef(4, "UBND xã Tân Lập", "Tân Lập", "commune")]

FILLER = ("Ủy ban nhân dân xã đề nghị các đơn vị khẩn trương rà soát, tổng hợp số liệu theo "
          "hướng dẫn tại ")
CODE = "Kế hoạch số 347-KH/UBND"
# The code at twelve places along the line: LibreOffice breaks after the hyphen in some.
CODES = [FILLER + "x " * shift + CODE + " ngày 12/3/2026 và gửi về Phòng Kinh tế."
         for shift in range(12)]

TITLE_LETTER = """KẾ HOẠCH TRIỂN KHAI CÔNG TÁC PHÒNG, CHỐNG THIÊN TAI NĂM 2026 TRÊN ĐỊA BÀN XÃ
Căn cứ Luật Phòng, chống thiên tai năm 2013;
Theo đề nghị của Trưởng phòng Kinh tế tại Tờ trình số 15/TTr-KT ngày 02/3/2026.

Ủy ban nhân dân xã giao Phòng Kinh tế:

1. Chủ trì kiểm tra các công trình đê điều, báo cáo kết quả trước ngày 30/4/2026.

2. Phối hợp với các thôn rà soát hộ dân ở vùng nguy cơ sạt lở.
Giao Phòng Văn hóa - Xã hội tuyên truyền trên hệ thống loa truyền thanh của xã.
CHỦ TỊCH
Nguyễn Văn An
"""


@pytest.fixture(scope="module")
def pdfs() -> list[bytes]:
    return letters.text_pdf([*CODES, TITLE_LETTER])


def test_a_code_broken_after_its_hyphen_is_read_whole(pdfs):
    import io

    import pdfplumber

    broken = 0
    for pdf in pdfs[:len(CODES)]:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            lines = document.pages[0].extract_text().splitlines()
        broken += any(line.endswith("347-") for line in lines)
        assert CODE in read_letter_file(pdf, "x.pdf")
    assert broken, "no layout broke the code after its hyphen"


def test_titles_legal_basis_and_signer_keep_their_own_lines(pdfs):
    lines = read_letter_file(pdfs[-1], "x.pdf").splitlines()
    for line in ["KẾ HOẠCH TRIỂN KHAI CÔNG TÁC PHÒNG, CHỐNG THIÊN TAI NĂM 2026 TRÊN ĐỊA BÀN XÃ",
                 "Căn cứ Luật Phòng, chống thiên tai năm 2013;", "CHỦ TỊCH"]:
        assert line in lines
    assert any(line.startswith("Theo đề nghị của Trưởng phòng") for line in lines)


def test_one_line_paragraphs_a_blank_line_apart_stay_paragraphs(pdfs):
    text = read_letter_file(pdfs[-1], "x.pdf")
    assert "Ủy ban nhân dân xã giao Phòng Kinh tế:\n\n1. Chủ trì kiểm tra" in text


def test_the_pdf_gives_the_draft_the_text_gives(pdfs):
    def tasks(text):
        draft = import_letter(text, UNITS)
        return [(s.audience_of(t), t.deadline, t.text) for s in draft.sections for t in s.tasks]

    from_text = tasks(TITLE_LETTER)
    assert len(from_text) == 3
    assert tasks(read_letter_file(pdfs[-1], "x.pdf")) == from_text


def test_js_inside_a_pages_content_is_no_javascript():
    """"/JS" in a stream's bytes (here a page's text; in a compressed stream, chance bytes) is
    not a JavaScript key: the letter is read. A /JS key in an object is still refused."""
    from portal.directives.importer import LetterImportError

    line = b"BT /F1 12 Tf 72 760 Td (Ma so ho so /JS 2025 - cong van gui cac xa phuong) Tj ET"
    text = read_letter_file(pdf_with_stream(line), "x.pdf")
    assert "/JS 2025" in text
    script = pdf_with_stream(line).replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")
    with pytest.raises(LetterImportError, match="JavaScript"):
        read_letter_file(script, "x.pdf")
