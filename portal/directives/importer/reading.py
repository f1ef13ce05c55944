"""The first stage: the letter's text. `read_letter_file` reads the bytes of an uploaded file
(.txt in the encodings offices save in, .docx with its tables, .doc through LibreOffice
(`doc.py`), a PDF's text layer (`pdf.py`), a scanned PDF or a JPG/PNG/TIFF image through
Tesseract (`ocr.py`)), and `normalize_text` brings any text to one form (NFC, plain spaces, Unix
line ends, no invisible marks or markdown emphasis), so that the later stages meet one spelling of
each word whatever program wrote the letter.

A file that cannot be read (an RTF, a binary file, a broken, encrypted or scripted PDF, a file
past the limits of `ocr.Limits`) is refused with a `LetterImportError` that says why in
Vietnamese. `letter_format` tells the formats apart, so that a caller can read the slow ones
(PDF, images, .doc) outside a web request.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from . import doc, ocr, pdf
from .errors import LetterImportError
from .ocr import Limits, Progress

MAX_TEXT_CHARS = 1_000_000
MAX_FILE_BYTES = 20 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Reading files


SLOW_FORMATS = {"pdf", "image", "doc"}
IMAGE_SUFFIXES = ("jpg", "jpeg", "png", "tif", "tiff")


def letter_format(data: bytes, filename: str) -> str:
    """What a file is, by its first bytes first and its name second: "docx", "doc", "pdf",
    "image", "rtf" or "text"."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04") or suffix == "docx":
        return "docx"
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0 or suffix == "pdf":
        return "pdf"
    if data.startswith(doc.OLE_MAGIC) or suffix == "doc":
        return "doc"
    if suffix in IMAGE_SUFFIXES:  # Pillow then checks that the bytes are such an image
        return "image"
    if data.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    return "text"


def read_letter_file(data: bytes, filename: str, *, limits: Limits | None = None,
                     progress: Progress | None = None) -> str:
    """The text of an uploaded letter: .txt (UTF-8 with or without BOM, UTF-16/32 with BOM,
    Windows-1258), .docx (paragraphs and table cells, in document order), .doc (converted by
    LibreOffice), PDF (its text layer, or OCR when it has none) or a JPG/PNG/TIFF scan (OCR).
    `progress(done, pages)` is called as OCR finishes pages."""
    name = filename or "tệp"
    limits = limits or Limits()
    if not data:
        raise LetterImportError(f"Tệp «{name}» trống, không có nội dung để nhập.")
    if len(data) > MAX_FILE_BYTES:
        raise LetterImportError(
            f"Tệp «{name}» quá lớn ({len(data) // (1024 * 1024)} MB); công văn thường dưới "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    kind = letter_format(data, name)
    if kind == "docx":
        if not data.startswith(b"PK\x03\x04"):
            raise LetterImportError(f"Tệp «{name}» không phải tệp Word (.docx) hợp lệ.")
        return _read_docx(data, name)
    if kind == "doc":
        return _read_docx(doc.convert_doc(data, name, limits), name)
    if kind == "pdf":
        facts = pdf.inspect(data, name, limits.max_pages)
        if facts.has_text:
            text = pdf.read_text(data, name)
        else:
            text = ocr.read_scan(data, name, facts.pages, True, limits, progress)
        return _not_blank(text, name)
    if kind == "image":
        pages = ocr.image_pages(data, name, limits)
        return _not_blank(ocr.read_scan(data, name, pages, False, limits, progress), name)
    if kind == "rtf":
        raise LetterImportError(
            f"Tệp «{name}» là RTF, chưa đọc được: hãy lưu lại thành .docx hoặc .txt."
        )
    return _decode_text(data, name)


def _not_blank(text: str, name: str) -> str:
    if len(normalize_text(text)) < 20:
        raise LetterImportError(
            f"Không nhận ra chữ nào trong «{name}»: trang trắng, hoặc ảnh quá mờ. Hãy quét lại "
            "rõ hơn (200–300 dpi) hoặc dùng bản Word của công văn."
        )
    return text


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]


def _decode_text(data: bytes, name: str) -> str:
    binary = LetterImportError(
        f"Tệp «{name}» không phải văn bản đọc được (có thể là ảnh hoặc tệp nhị phân): "
        "hãy chọn tệp .txt, .docx, .doc, PDF hoặc ảnh quét (JPG, PNG, TIFF) của công văn."
    )
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError:
                raise binary from None
            break
    if text is None:
        if b"\x00" in data:
            text = _utf16_without_bom(data)
            if text is None:
                raise binary
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = data.decode("cp1258")
                except UnicodeDecodeError:
                    raise binary from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    replaced = text.count("\ufffd")
    if controls > max(2, len(text) // 100) or replaced > max(2, len(text) // 50):
        raise binary
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: text of Latin script has a zero in every other byte."""
    if len(data) % 2 or len(data) < 4:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > len(odd) * 0.3:
        encoding = "utf-16-le"
    elif even.count(0) > len(even) * 0.3:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if "\x00" not in text else None


def _read_docx(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LetterImportError(f"Tệp «{name}» bị hỏng, không mở được.") from None
    if not is_word:
        raise LetterImportError(
            f"Tệp «{name}» là tệp nén nhưng không phải văn bản Word (.docx)."
        )
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(data))
        blocks: list[str] = []

        def walk(parent, element, inside_cell: bool) -> list[str]:
            out: list[str] = []
            for child in element.iterchildren():
                tag = child.tag.rsplit("}", 1)[-1]
                if tag == "p":
                    paragraph = Paragraph(child, parent)
                    text = paragraph.text
                    if paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
                        text = "- " + text  # Word's own numbering is not in the text
                    out.append(text)
                elif tag == "tbl":
                    table = Table(child, parent)
                    rows = []
                    for row in table.rows:
                        seen = set()
                        cells = []
                        for cell in row.cells:
                            if id(cell._tc) in seen:
                                continue
                            seen.add(id(cell._tc))
                            cells.append(walk(cell, cell._tc, True))
                        rows.append(cells)
                    if max((len(cells) for cells in rows), default=0) >= 3:
                        # a table of three columns or more (a plan's tasks: what, who, by
                        # when) one row to a line, its cells apart by tabs
                        out.append("\n".join(
                            "\t".join(" ".join(" ".join(lines).split()) for lines in cells)
                            for cells in rows))
                    else:  # the header's and the signature's blocks, cell by cell
                        for cells in rows:
                            for lines in cells:
                                out.append("\n".join(lines))
                                out.append("")
                elif tag == "sdt":  # content controls hold paragraphs too
                    content = child.find(
                        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent"
                    )
                    if content is not None:
                        out += walk(parent, content, inside_cell)
            return out

        for text in walk(document, document.element.body, False):
            blocks.append(text)
    except LetterImportError:
        raise
    except Exception as error:  # python-docx/lxml raise many kinds on a damaged file
        raise LetterImportError(
            f"Tệp «{name}» không đọc được như văn bản Word (.docx): {type(error).__name__}."
        ) from None
    # A body paragraph is a paragraph: a blank line between them; lines of a table cell
    # (the header and signature blocks) stay together.
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------------------------
# Normalising text

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_BOLD = re.compile(r"\*\*|__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([-.*_()#+!\[\]])")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def normalize_text(text: str) -> str:
    """NFC, Unix line ends, plain spaces, no invisible marks, no markdown emphasis; lines
    stripped."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = _LINE_BREAKS.sub("\n", text)
    chars = []
    for ch in text:
        if ch == "\n":
            chars.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch == "\t" or category == "Zs":
            chars.append(" ")
        elif category in ("Cc", "Cf", "Cs"):
            continue
        else:
            chars.append(ch)
    text = "".join(chars)
    text = _BOLD.sub("", text)
    text = _ITALIC.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")
