"""Hostile or damaged letter files, made for real: an encrypted PDF, a PDF with JavaScript, a
PDF of many pages, a valid PNG of 20,000 × 20,000 pixels (a decompression bomb of 60 KB)."""

from __future__ import annotations

import io
import struct
import zlib


def encrypted_pdf(pdf: bytes, password: str = "mat-khau") -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    writer.encrypt(password, password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript(pdf: bytes) -> bytes:
    """`pdf` with an incremental update that runs JavaScript when the file is opened."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/OpenAction"] = generic.DictionaryObject({
        generic.NameObject("/S"): generic.NameObject("/JavaScript"),
        generic.NameObject("/JS"): generic.TextStringObject("app.alert('x');"),
    })
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    """An image-only PDF of `pages` small blank pages."""
    from PIL import Image

    images = [Image.new("L", (60, 80), 255) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=10, save_all=True, append_images=images[1:])
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid, white, 1-bit PNG of width × height, compressed row by row."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))
