"""Scanned reports: image-only PDF pages and image files read by OCR into the PDF reader's shape.

Importing this package is cheap and needs no OCR libraries; the modules that do
(``page``, ``ruling``, ``engine``, ``reader``) are imported only when a scan is read, after
``require_ocr`` has said whether the ``ocr`` extra is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from parsers.layouts import Layouts
    from parsers.limits import ParseLimits
    from parsers.model import TableRead

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "IMAGE_SUFFIXES",
    "SERIAL",
    "OcrRunner",
    "PageDone",
    "ocr_available",
    "ocr_pages",
    "read_image_file",
    "require_ocr",
]


def read_image_file(
    data: bytes,
    source_name: str,
    limits: ParseLimits,
    ocr: OcrRunner = SERIAL,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """Scanned pages sent as image files (PNG, JPEG, TIFF): the OCR libraries are asked for
    (with a clear message when the extra is missing) only now."""
    require_ocr(source_name)
    from parsers.formats.ocr.reader import read_image

    return read_image(data, source_name, limits, ocr, layouts)
