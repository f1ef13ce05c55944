"""A scanned letter (an image, or a PDF without a text layer) read with Tesseract and its
Vietnamese model (Debian's tesseract-ocr, tesseract-ocr-vie), on the server: nothing is sent
anywhere.

Each page is written as a grey PNG into a throw-away folder and given to its own `tesseract`
process, two pages at a time on two cores (`Limits.workers`), each process single-threaded, with
a time limit and an address-space limit (RLIMIT_AS) set in the child. The processes are started
here rather than through pytesseract, which cannot set a child's resource limits. Its TSV output
gives each word with its box, which `layout.page_text` puts in reading order as it does a PDF's
text layer. A 3 × 3 median filter first takes a scanner's specks away.

An image is checked before it is decoded: its format (JPEG, PNG, TIFF), and its width × height
against `Limits.max_pixels` as its header states them (Pillow's decompression-bomb guard is set
to the same bound).
"""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import LetterImportError
from .layout import join_pages, page_text

Progress = Callable[[int, int], None]

IMAGE_FORMATS = {"JPEG": "JPG", "PNG": "PNG", "TIFF": "TIFF", "MPO": "JPG"}


@dataclass(frozen=True)
class Limits:
    """Bounds on reading one letter; the portal's come from its settings (LETTER_*)."""

    max_pages: int = 50  # a PDF or TIFF with more pages is refused
    max_pixels: int = 60_000_000  # an image (or a rendered page) larger than this is refused
    page_seconds: int = 60  # one page's OCR
    convert_seconds: int = 60  # a .doc through LibreOffice
    memory_mb: int = 1024  # address space of each OCR or conversion process
    workers: int = 2  # pages read at once
    dpi: int = 300  # a scanned PDF's page with no image rendered at this resolution


def limit_child(memory_mb: int) -> Callable[[], None]:
    """A preexec_fn for subprocess: the child's address space bounded, no core files."""

    def apply() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def tesseract_ready() -> bool:
    """Tesseract and its Vietnamese model are installed."""
    if not shutil.which("tesseract"):
        return False
    try:
        done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                              timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "vie" in done.stdout.split()


def _unavailable(name: str) -> LetterImportError:
    return LetterImportError(
        f"Tệp «{name}» là bản quét (ảnh), cần nhận dạng chữ bằng Tesseract (tiếng Việt) nhưng "
        "máy chủ chưa cài tesseract-ocr và tesseract-ocr-vie. Hãy báo quản trị hệ thống."
    )


# --------------------------------------------------------------------------------------------
# Images


def image_pages(data: bytes, name: str, limits: Limits) -> int:
    """The number of pages (frames) of an image, after checking its format and size from its
    header alone; refuses what is not a JPEG, PNG or TIFF, or is too large."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked below
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise _too_large_image(name, None) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise LetterImportError(
            f"Tệp «{name}» không phải ảnh đọc được (JPG, PNG hoặc TIFF) hoặc bị hỏng."
        ) from None
    if kind not in IMAGE_FORMATS:
        raise LetterImportError(
            f"Tệp «{name}» là ảnh {kind}; cổng đọc ảnh quét JPG, PNG hoặc TIFF."
        )
    if width * height > limits.max_pixels:
        raise _too_large_image(name, (width, height))
    if frames > limits.max_pages:
        raise LetterImportError(
            f"Tệp «{name}» có {frames} trang, quá giới hạn {limits.max_pages} trang nhận dạng "
            "chữ của một công văn."
        )
    return frames


def _too_large_image(name: str, size: tuple[int, int] | None) -> LetterImportError:
    shown = f" ({size[0]:,} × {size[1]:,} điểm ảnh)".replace(",", ".") if size else ""
    return LetterImportError(
        f"Ảnh «{name}» quá lớn{shown}; hãy quét lại ở độ phân giải 200–300 dpi."
    )


def _clean(image):
    """A scanner's specks removed (a 3 × 3 median), which Tesseract would otherwise read as
    marks and let break its lines and columns."""
    from PIL import ImageFilter

    return image.filter(ImageFilter.MedianFilter(3))


def _write_image_pages(data: bytes, folder: Path, limits: Limits) -> Iterator[Path]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    with Image.open(io.BytesIO(data)) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            path = folder / f"page-{number:03d}.png"
            _clean(frame.convert("L")).save(path, format="PNG", compress_level=1)
            yield path


def _scan_dpi(page, fallback: int) -> int:
    """The resolution the page was scanned at (its largest image's), between 150 and 400 dpi:
    rendering finer than the scan makes Tesseract slower, not better; `fallback` when the page
    holds no image."""
    import pypdfium2.raw as pdfium_c

    best = 0.0
    try:
        for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            metadata = image.get_metadata()
            best = max(best, float(metadata.horizontal_dpi or 0))
    except Exception:  # noqa: BLE001 - a damaged image object: render at the fallback
        best = 0.0
    return int(min(max(best, 150), 400)) if best else fallback


def _write_pdf_pages(data: bytes, folder: Path, limits: Limits) -> Iterator[Path]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            scale = _scan_dpi(page, limits.dpi) / 72
            if width * scale * height * scale > limits.max_pixels:
                scale = (limits.max_pixels / (width * height)) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            path = folder / f"page-{index + 1:03d}.png"
            _clean(bitmap.to_pil().convert("L")).save(path, format="PNG", compress_level=1)
            bitmap.close()
            page.close()
            yield path
    finally:
        document.close()


# --------------------------------------------------------------------------------------------
# Recognition


def read_scan(data: bytes, name: str, pages: int, is_pdf: bool, limits: Limits,
              progress: Progress | None = None) -> str:
    """The text of a scanned PDF or an image of `pages` pages, page by page in order; calls
    `progress(done, pages)` as pages finish."""
    if not tesseract_ready():
        raise _unavailable(name)
    with tempfile.TemporaryDirectory(prefix="portal-ocr-") as folder:
        writer = _write_pdf_pages if is_pdf else _write_image_pages
        texts: dict[int, str] = {}
        done = 0
        if progress:
            progress(0, pages)
        with ThreadPoolExecutor(max_workers=max(1, limits.workers)) as pool:
            futures = {}
            try:
                for number, path in enumerate(writer(data, Path(folder), limits), start=1):
                    futures[pool.submit(_recognize, path, name, limits)] = number
            except LetterImportError:
                raise
            except MemoryError:
                raise LetterImportError(
                    f"Tệp «{name}» cần quá nhiều bộ nhớ để dựng trang; hãy quét lại ở 200–300 dpi."
                ) from None
            except Exception as error:  # noqa: BLE001 - PDFium and Pillow raise many kinds
                raise LetterImportError(
                    f"Tệp «{name}» không dựng được trang để nhận dạng chữ ({type(error).__name__})."
                ) from None
            for future in as_completed(futures):
                texts[futures[future]] = future.result()
                done += 1
                if progress:
                    progress(done, pages)
    return join_pages([texts[n] for n in sorted(texts)])


def _recognize(path: Path, name: str, limits: Limits) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie", "--psm", "3", "tsv"],
            capture_output=True, timeout=limits.page_seconds, env=env, check=False,
            preexec_fn=limit_child(limits.memory_mb),  # noqa: PLW1509 - no threads in the child
        )
    except subprocess.TimeoutExpired:
        raise LetterImportError(
            f"Nhận dạng chữ một trang của «{name}» quá {limits.page_seconds} giây nên đã dừng; "
            "hãy quét lại rõ hơn hoặc dùng bản Word của công văn."
        ) from None
    if done.returncode != 0:
        raise LetterImportError(
            f"Không nhận dạng được chữ trên một trang của «{name}» (Tesseract dừng với mã "
            f"{done.returncode})."
        )
    words, width = tsv_words(done.stdout.decode("utf-8", "replace"))
    return page_text(words, width)


def tsv_words(tsv: str) -> tuple[list[dict], float]:
    """The words of Tesseract's TSV with their boxes (as `layout` takes them), and the page's
    width; empty words and Tesseract's guesses at specks (confidence 0 or less) left out."""
    words = []
    width = 0.0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "1":
            width = float(row["width"])
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            confidence = float(row.get("conf") or 0)
        except ValueError:
            confidence = 0.0
        if confidence <= 0:
            continue
        left, top = int(row["left"]), int(row["top"])
        words.append({"x0": left, "x1": left + int(row["width"]), "top": top,
                      "bottom": top + int(row["height"]), "text": text})
    return words, width
