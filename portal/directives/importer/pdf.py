"""A letter in PDF: checked before it is read (broken, encrypted, JavaScript, too many pages),
its text layer read in reading order, or its pages rendered to images for OCR (`ocr.py`).

The text layer is read with pdfplumber (on pdfminer.six), which gives each word with its box;
`layout.page_text` puts the words in reading order. Scanned pages are rendered for OCR with
pypdfium2 (PDFium, which pdfplumber itself renders with), in `ocr.py`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .errors import LetterImportError
from .layout import join_pages, page_text

# A page with fewer characters than this in its text layer is a scanned page.
MIN_TEXT_CHARS_PER_PAGE = 40

_JS_KEYS = ("JS", "JavaScript")
# A stream's bytes (compressed page content, fonts, images): "/JS" may occur in them by chance,
# so the quick look at the file's bytes skips them; the objects inside compressed object
# streams are looked at one by one below.
_STREAM = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.S)


@dataclass
class PdfFacts:
    pages: int
    has_text: bool


def _open(data: bytes, name: str):
    """The pdfplumber document, or a Vietnamese refusal for a broken or encrypted file."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    if b"/Encrypt" in data[-4096:] or re.search(rb"/Encrypt\s+\d+\s+\d+\s+R", data):
        raise _encrypted(name)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - reads the page tree, where a broken file fails
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise _encrypted(name) from None
    except (PDFSyntaxError, Exception) as error:
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise _encrypted(name) from None
        raise LetterImportError(
            f"Tệp «{name}» là PDF bị hỏng, không mở được. Hãy tải lại bản gốc của công văn."
        ) from None
    if pdf.doc.encryption:
        pdf.close()
        raise _encrypted(name)
    return pdf


def _encrypted(name: str) -> LetterImportError:
    return LetterImportError(
        f"Tệp «{name}» là PDF được đặt mật khẩu (mã hoá), không đọc được. Hãy dùng bản không "
        "đặt mật khẩu của công văn."
    )


def _has_javascript(pdf, data: bytes) -> bool:
    """Any object of the file (compressed object streams included) with a /JS key or a
    /JavaScript action or name tree. The file's bytes outside its streams are looked at first;
    inside a stream, "/JS" can be a chance sequence of compressed bytes, not a key."""
    if re.search(rb"/(JS|JavaScript)\b", _STREAM.sub(b"", data)):
        return True
    from pdfminer.pdftypes import PDFObjRef, resolve1
    from pdfminer.psparser import PSLiteral

    doc = pdf.doc
    seen = set()
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue
            seen.add(objid)
            try:
                obj = doc.getobj(objid)
            except Exception:  # noqa: BLE001 - an unreadable object cannot run anything
                continue
            if isinstance(obj, PDFObjRef):
                obj = resolve1(obj)
            attrs = getattr(obj, "attrs", obj)
            if not isinstance(attrs, dict):
                continue
            if any(key in attrs for key in _JS_KEYS):
                return True
            kind = attrs.get("S")
            if isinstance(kind, PSLiteral) and kind.name == "JavaScript":
                return True
    return False


def inspect(data: bytes, name: str, max_pages: int) -> PdfFacts:
    """The PDF's page count and whether it has a text layer; refuses a broken or encrypted
    file, one with JavaScript, and one of more than `max_pages` pages."""
    pdf = _open(data, name)
    try:
        if _has_javascript(pdf, data):
            raise LetterImportError(
                f"Tệp «{name}» là PDF có chứa mã JavaScript; vì an toàn, cổng không mở tệp này. "
                "Hãy in lại công văn ra PDF thường hoặc dùng bản Word."
            )
        pages = len(pdf.pages)
        if pages == 0:
            raise LetterImportError(f"Tệp «{name}» là PDF không có trang nào.")
        if pages > max_pages:
            raise LetterImportError(
                f"Tệp «{name}» có {pages} trang, quá giới hạn {max_pages} trang của một công "
                "văn. Hãy tách riêng phần công văn cần nhập."
            )
        try:
            chars = sum(len(page.chars) for page in pdf.pages[: min(pages, 3)])
        except Exception:  # noqa: BLE001 - pdfminer raises many kinds on a damaged page
            raise LetterImportError(
                f"Tệp «{name}» là PDF bị hỏng, không đọc được nội dung trang."
            ) from None
        has_text = chars >= MIN_TEXT_CHARS_PER_PAGE * min(pages, 3) / 2
        return PdfFacts(pages=pages, has_text=has_text)
    finally:
        pdf.close()


# --------------------------------------------------------------------------------------------
# The text layer in reading order (`layout.py`)


def read_text(data: bytes, name: str) -> str:
    """The text layer of every page, in reading order (see the module's docstring)."""
    pdf = _open(data, name)
    try:
        pages = []
        for page in pdf.pages:
            try:
                words = page.extract_words(x_tolerance=1.5, y_tolerance=2,
                                           keep_blank_chars=False, use_text_flow=False)
            except Exception:  # noqa: BLE001
                raise LetterImportError(
                    f"Tệp «{name}» là PDF bị hỏng, không đọc được nội dung trang."
                ) from None
            pages.append(_with_tables(page, words))
            page.flush_cache()
        return join_pages(pages)
    finally:
        pdf.close()


def _with_tables(page, words: list[dict]) -> str:
    """A page's text with its ruled tables of three columns or more (a plan's tasks: what, who,
    by when) one row to a line, the cells apart by tabs, where they stand among the words
    around them. The letter's header and signature blocks have no rules: read as words."""
    try:
        found = [table for table in page.find_tables()
                 if max((len(row.cells) for row in table.rows), default=0) >= 3]
    except Exception:  # noqa: BLE001 - a page whose drawing pdfplumber cannot follow
        found = []
    if not found:
        return page_text(words, float(page.width))
    found.sort(key=lambda table: table.bbox[1])
    parts: list[list[dict]] = [[] for _ in range(len(found) + 1)]
    for word in words:
        middle_x, middle_y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
        if any(t.bbox[0] <= middle_x <= t.bbox[2] and t.bbox[1] <= middle_y <= t.bbox[3]
               for t in found):
            continue
        parts[sum(1 for t in found if t.bbox[3] <= middle_y)].append(word)
    texts = [page_text(parts[0], float(page.width))]
    for table, after in zip(found, parts[1:], strict=True):
        rows = ["\t".join(" ".join((cell or "").split()) for cell in row)
                for row in table.extract()]
        texts.append("\n".join(rows))
        texts.append(page_text(after, float(page.width)))
    return "\n\n".join(text for text in texts if text.strip())
