"""Real letter files made from a letter's text, for the tests and the bench: a .docx laid out as
Word lays out a Vietnamese letter (the header and the signature in two-column tables), a PDF and
a .doc made of it by LibreOffice, and scans of the PDF rendered at 200 dpi with slight noise (as
PNG, TIFF, or an image-only PDF)."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

DIRECTIVES_DIR = Path(__file__).resolve().parents[2] / "portal" / "directives"
SEED = (DIRECTIVES_DIR / "sa-dec-2023-cchc.txt").read_text(encoding="utf-8")


def letter_docx(seed_text: str = SEED, repeat_body: int = 1) -> bytes:
    """The seed letter as Word lays it out: the header and the signature in tables.
    `repeat_body` > 1 repeats the body's paragraphs (a longer letter, more pages)."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Serif"
    style.font.size = Pt(13)
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ SA ĐÉC"
    left.add_paragraph("Số: /UBND-HC")
    left.add_paragraph("V/v chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra "
                       "năm 2023")
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    right.add_paragraph("Độc lập - Tự do - Hạnh phúc")
    right.add_paragraph("Sa Đéc, ngày\u00a0\u00a0 tháng 6 năm 2023")
    body = seed_text[seed_text.index("Kính gửi:"):seed_text.index("Nơi nhận:")]
    paragraphs = [p.replace("*", "") for p in body.replace("**", "").split("\n\n") if p.strip()]
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    for _ in range(repeat_body - 1):
        for paragraph in paragraphs[1:]:
            if paragraph.startswith("- "):
                document.add_paragraph(paragraph)
    sign = document.add_table(rows=1, cols=2)
    where, who = sign.rows[0].cells
    where.text = "Nơi nhận:"
    where.add_paragraph("- Như trên;")
    where.add_paragraph("- Lưu: VT.")
    who.text = "TM. ỦY BAN NHÂN DÂN"
    who.add_paragraph("CHỦ TỊCH")
    who.add_paragraph("")
    who.add_paragraph("Nguyễn Văn Hôn")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """`data` (a file ending in `suffix`) converted by LibreOffice to `target` ("pdf",
    "doc:MS Word 97"), with a profile of its own."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / f"letter.{suffix}"
        source.write_bytes(data)
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
             "--convert-to", target, "--outdir", str(work / "out"), str(source)],
            check=True, capture_output=True, timeout=180)
        return next((work / "out").iterdir()).read_bytes()


def text_pdf(texts: list[str]) -> list[bytes]:
    """Each text laid out by LibreOffice's plain-text filter (one paragraph a line, no indent,
    Liberation Serif), as the importer's bench makes its PDFs; one soffice run for them all."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "in").mkdir()
        for index, text in enumerate(texts):
            (work / "in" / f"{index:03d}.txt").write_text(text, encoding="utf-8")
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
             "--infilter=Text (encoded):UTF8,LF,Liberation Serif,vi", "--convert-to", "pdf",
             "--outdir", str(work / "out"), *sorted(map(str, (work / "in").iterdir()))],
            check=True, capture_output=True, timeout=180)
        return [(work / "out" / f"{index:03d}.pdf").read_bytes() for index in range(len(texts))]


def letter_pdf(seed_text: str = SEED, repeat_body: int = 1) -> bytes:
    return convert(letter_docx(seed_text, repeat_body), "docx", "pdf")


def letter_doc(seed_text: str = SEED) -> bytes:
    return convert(letter_docx(seed_text), "docx", "doc:MS Word 97")


def scan_images(pdf: bytes, dpi: int = 200, noise: float = 0.01, seed: int = 21) -> list:
    """Each page of `pdf` rendered in grey at `dpi`, with `noise` of its pixels flipped, as a
    scanner gives it (PIL images)."""
    import pypdfium2 as pdfium

    randomizer = random.Random(seed)
    images = []
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        pixels = image.load()
        width, height = image.size
        for _ in range(int(width * height * noise)):
            x, y = randomizer.randrange(width), randomizer.randrange(height)
            pixels[x, y] = 255 - pixels[x, y]
        images.append(image)
    document.close()
    return images


def image_bytes(image, kind: str, dpi: int = 200) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, dpi=(dpi, dpi))
    return out.getvalue()


def scan_pdf(images: list, dpi: int = 200) -> bytes:
    """An image-only PDF of the pages (no text layer), as a scanner writes it."""
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def scan_tiff(images: list, dpi: int = 200) -> bytes:
    out = io.BytesIO()
    images[0].save(out, format="TIFF", dpi=(dpi, dpi), save_all=True,
                   append_images=images[1:], compression="tiff_deflate")
    return out.getvalue()
