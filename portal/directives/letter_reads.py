"""Reading an uploaded letter's file in the portal: the importer's limits from the settings
(`limits`)."""

from __future__ import annotations

from collections.abc import Mapping

from .importer.ocr import Limits


def limits(config: Mapping) -> Limits:
    """The bounds on reading one letter, from the portal's LETTER_* settings."""
    return Limits(
        max_pages=config["LETTER_MAX_PAGES"],
        max_pixels=config["LETTER_MAX_PIXELS"],
        page_seconds=config["LETTER_PAGE_SECONDS"],
        convert_seconds=config["LETTER_CONVERT_SECONDS"],
        memory_mb=config["LETTER_MEMORY_MB"],
        workers=config["LETTER_OCR_WORKERS"],
    )
