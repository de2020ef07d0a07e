"""Scanned reports: image-only PDF pages and image files read by OCR into the PDF reader's shape.

Importing this package is cheap and needs no OCR libraries; the modules that do
(``page``, ``ruling``, ``engine``, ``reader``) are imported only when a scan is read, after
``require_ocr`` has said whether the ``ocr`` extra is installed.
"""

from __future__ import annotations

from parsers.formats.ocr.runner import (
    DEFAULT_MIN_CONFIDENCE,
    IMAGE_SUFFIXES,
    SERIAL,
    OcrRunner,
    PageDone,
    ocr_available,
    ocr_pages,
    require_ocr,
)

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "IMAGE_SUFFIXES",
    "SERIAL",
    "OcrRunner",
    "PageDone",
    "ocr_available",
    "ocr_pages",
    "require_ocr",
]
