"""The letter's file in every format the portal reads, made for real in the test: a PDF with a
text layer laid out by LibreOffice from a .docx with the two-column header table, a .doc saved by
LibreOffice, scans rendered from the PDF at 200 dpi and read by Tesseract; and the bad files,
each refused with a Vietnamese message and nothing left behind."""

from __future__ import annotations

import tempfile
from datetime import date

import pytest

from portal.demo import UNITS
from portal.directives.importer import LetterImportError, UnitRef, import_letter, read_letter_file
from portal.directives.importer.ocr import Limits
from tests.support import bad_files, letters

# LibreOffice and Tesseract: seconds each.
pytestmark = pytest.mark.slow

DEMO_UNITS = [UnitRef(i, name, short, kind.value) for i, (kind, name, short) in enumerate(UNITS)]


def tasks_of(text: str) -> list:
    return [(t.code, t.audience, t.deadline, t.kind)
            for t in import_letter(text, DEMO_UNITS).tasks]


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return letters.letter_pdf()


@pytest.fixture(scope="module")
def scans(seed_pdf) -> list:
    return letters.scan_images(seed_pdf, dpi=200, noise=0.005)


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The folder every temporary file of the test goes to, to see that none is left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# ---- PDF with a text layer


def test_pdf_text_layer_keeps_the_two_column_header_in_reading_order(seed_pdf):
    text = read_letter_file(seed_pdf, "x.pdf")
    lines = text.split("\n")
    # The left column whole, then the right: never a line mixing both.
    order = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ SA ĐÉC", "Số: /UBND-HC",
             "V/v chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra năm 2023",
             "Độc lập - Tự do - Hạnh phúc", "Sa Đéc, ngày tháng 6 năm 2023", "Kính gửi:"]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    assert not any("SA ĐÉC" in line and "NAM" in line for line in lines)
    # The body's wrapped lines are paragraphs again; the signature block's columns one by one.
    assert ("Khẩn trương nghiêm túc khắc phục những hạn chế, khuyết điểm đã được nêu trong Báo "
            "cáo kết quả kiểm tra") in text
    assert "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in text


def test_pdf_text_layer_gives_the_same_draft_as_the_text(seed_pdf):
    from_pdf = import_letter(read_letter_file(seed_pdf, "cong-van.pdf"), DEMO_UNITS)
    from_text = import_letter(letters.SEED, DEMO_UNITS)
    assert (from_pdf.issuer, from_pdf.number_symbol, from_pdf.month, from_pdf.year) == (
        from_text.issuer, from_text.number_symbol, from_text.month, from_text.year)
    assert from_pdf.subject == from_text.subject and from_pdf.signer == from_text.signer
    assert tasks_of(read_letter_file(seed_pdf, "cong-van.pdf")) == tasks_of(letters.SEED)


# ---- .doc through LibreOffice


def test_doc_is_converted_by_libreoffice_and_nothing_is_left(temp_dir):
    doc = letters.letter_doc()
    assert doc.startswith(b"\xd0\xcf\x11\xe0")
    assert tasks_of(read_letter_file(doc, "cong-van.doc")) == tasks_of(letters.SEED)
    assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize("data", [b"Xin chao, day khong phai Word", b"%PDF-1.4 khong",
                                  bad_files.huge_png(40, 40)])
def test_a_doc_that_is_something_else_is_refused(data, temp_dir):
    with pytest.raises(LetterImportError, match="không phải văn bản Word 97-2003"):
        read_letter_file(data if not data.startswith(b"%PDF") else data[1:], "cong-van.doc")
    assert list(temp_dir.iterdir()) == []


def test_a_damaged_doc_is_refused_by_libreoffice(temp_dir):
    damaged = letters.letter_doc()[:3000]
    with pytest.raises(LetterImportError, match="Word 97-2003"):
        read_letter_file(damaged, "cong-van.doc")
    assert list(temp_dir.iterdir()) == []


def test_a_doc_conversion_that_takes_too_long_is_stopped(temp_dir):
    with pytest.raises(LetterImportError, match="quá 0 giây"):
        read_letter_file(letters.letter_doc(), "cong-van.doc", limits=Limits(convert_seconds=0))
    assert list(temp_dir.iterdir()) == []


# ---- bad PDFs


def test_an_encrypted_pdf_is_refused(seed_pdf):
    with pytest.raises(LetterImportError, match="đặt mật khẩu"):
        read_letter_file(bad_files.encrypted_pdf(seed_pdf), "cong-van.pdf")


def test_a_broken_pdf_is_refused(seed_pdf):
    for broken in (seed_pdf[: len(seed_pdf) // 2], b"%PDF-1.7\n" + bytes(300)):
        with pytest.raises(LetterImportError, match="PDF bị hỏng"):
            read_letter_file(broken, "cong-van.pdf")


def test_a_pdf_with_javascript_is_refused(seed_pdf):
    scripted = bad_files.pdf_with_javascript(seed_pdf)
    assert b"/JavaScript" in scripted
    with pytest.raises(LetterImportError, match="JavaScript"):
        read_letter_file(scripted, "cong-van.pdf")


def test_a_pdf_of_300_pages_is_refused_before_any_page_is_read(temp_dir):
    with pytest.raises(LetterImportError, match="300 trang, quá giới hạn 50 trang"):
        read_letter_file(bad_files.many_pages_pdf(300), "ho-so.pdf", limits=Limits(max_pages=50))
    assert list(temp_dir.iterdir()) == []


def test_an_image_of_20000_by_20000_pixels_is_refused_before_it_is_decoded(temp_dir):
    bomb = bad_files.huge_png()
    assert len(bomb) < 1_000_000
    with pytest.raises(LetterImportError, match="«scan.png» quá lớn"):
        read_letter_file(bomb, "scan.png")
    assert list(temp_dir.iterdir()) == []
    # Below Pillow's own guard, the portal's bound still holds, with the size said.
    with pytest.raises(LetterImportError, match=r"quá lớn \(6.000 × 6.000 điểm ảnh\)"):
        read_letter_file(bad_files.huge_png(6000, 6000), "scan.png",
                         limits=Limits(max_pixels=30_000_000))


def test_a_file_named_as_an_image_that_is_not_one_is_refused():
    with pytest.raises(LetterImportError, match="không phải ảnh đọc được"):
        read_letter_file(b"GIF89a" + bytes(100), "scan.jpg")


# ---- the command line


def test_cli_reads_a_pdf_and_a_doc(app, tmp_path, seed_pdf):
    runner = app.test_cli_runner()
    for name, data in (("cv-pdf.pdf", seed_pdf), ("cv-doc.doc", letters.letter_doc())):
        letter = tmp_path / name
        letter.write_bytes(data)
        result = runner.invoke(args=["import-directive", str(letter)])
        assert result.exit_code == 0, result.output
        assert "hạn 16/06/2023" in result.output and "hạn 20/06/2023" in result.output
        assert letter.with_suffix(".yaml").exists()


def test_cli_refuses_an_encrypted_pdf_with_its_message(app, tmp_path, seed_pdf):
    letter = tmp_path / "khoa.pdf"
    letter.write_bytes(bad_files.encrypted_pdf(seed_pdf))
    result = app.test_cli_runner().invoke(args=["import-directive", str(letter)])
    assert result.exit_code != 0 and "đặt mật khẩu" in result.output
    assert not letter.with_suffix(".yaml").exists()


# ---- digital signatures


def test_a_signed_pdf_reports_its_signer_time_and_that_it_is_intact(seed_pdf):
    from portal.directives.importer.signature import read_signatures
    from tests.support import signing

    signed = signing.signed_pdf(seed_pdf, name="Nguyễn Văn Hôn")
    [report] = read_signatures(signed)
    assert (report.signer, report.organization) == ("Nguyễn Văn Hôn", "UBND thành phố Sa Đéc")
    assert report.signed_at and report.intact and report.whole_file
    assert not report.changed_after and not report.trusted  # no root is held
    assert report.verdict == "nguyên vẹn, tệp không bị sửa sau khi ký"
    # The signed file is still read as the letter.
    assert tasks_of(read_letter_file(signed, "cv.pdf")) == tasks_of(letters.SEED)

    [altered] = read_signatures(signing.tampered(signed))
    assert not altered.intact and altered.verdict.startswith("KHÔNG còn nguyên vẹn")

    [updated] = read_signatures(signing.updated_after_signing(signed))
    assert updated.intact and updated.changed_after and not updated.whole_file
    assert updated.verdict == "chữ ký nguyên vẹn, nhưng tệp đã bị sửa thêm sau khi ký"

    assert read_signatures(seed_pdf) == []


def test_cli_prints_the_signature(app, tmp_path, seed_pdf):
    from tests.support import signing

    letter = tmp_path / "ky-so.pdf"
    letter.write_bytes(signing.tampered(signing.signed_pdf(seed_pdf)))
    result = app.test_cli_runner().invoke(args=["import-directive", str(letter)])
    assert result.exit_code == 0, result.output
    assert "Ký số bởi Nguyễn Văn Hôn (UBND thành phố Sa Đéc), ký lúc " in result.output
    assert "KHÔNG còn nguyên vẹn" in result.output


# ---- OCR under its limits


def test_a_scan_is_read_by_tesseract_in_vietnamese_and_nothing_is_left(scans, temp_dir):
    from portal.directives.importer.ocr import tesseract_ready

    assert tesseract_ready()  # Debian's tesseract-ocr and tesseract-ocr-vie
    seen = []
    text = read_letter_file(letters.scan_tiff(scans), "quet.tiff",
                            progress=lambda done, pages: seen.append((done, pages)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4) and len(seen) == 5
    draft = import_letter(text, DEMO_UNITS)
    assert draft.issuer == import_letter(letters.SEED, DEMO_UNITS).issuer
    assert "Khẩn trương nghiêm túc khắc phục những hạn chế" in text
    assert ("1.1", "inspected", date(2023, 6, 16)) in [
        (t.code, t.audience, t.deadline) for t in draft.tasks]
    assert list(temp_dir.iterdir()) == []
    one_page = read_letter_file(letters.image_bytes(scans[0], "PNG"), "trang-1.png")
    assert "CỘNG HÒA XÃ HỘI CHỦ" in one_page and "Sa Đéc, ngày tháng 6 năm 2023" in one_page


def test_ocr_that_takes_too_long_is_stopped_and_leaves_nothing(scans, temp_dir):
    with pytest.raises(LetterImportError, match="quá 0 giây nên đã dừng"):
        read_letter_file(letters.image_bytes(scans[0], "PNG"), "trang-1.png",
                         limits=Limits(page_seconds=0))
    assert list(temp_dir.iterdir()) == []


def test_ocr_past_its_memory_limit_fails_with_a_message(scans, temp_dir):
    with pytest.raises(LetterImportError, match="Tesseract dừng"):
        read_letter_file(letters.image_bytes(scans[0], "PNG"), "trang-1.png",
                         limits=Limits(memory_mb=40))
    assert list(temp_dir.iterdir()) == []
