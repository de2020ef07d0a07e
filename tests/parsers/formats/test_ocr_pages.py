"""How many pages OCR would read, counted cheaply when a run is planned: a partly scanned PDF
counts its scanned pages only, and a file's count follows its bytes (a run asks twice, so
counts are kept per version of a file)."""

from __future__ import annotations

import shutil
from pathlib import Path

from parsers.formats.ocr import ocr_pages
from tests.helpers import FIXTURES

PARTLY_SCANNED = FIXTURES / "scan" / "yueqing-2022-08-partly-scanned.pdf"  # 1 of 6 pages
WITH_COVER = FIXTURES / "scan" / "yueqing-2022-08-with-cover.pdf"  # every page a scan
EXPORTED = FIXTURES / "pdf" / "notes-after.pdf"  # a text layer on every page


def test_the_scanned_pages_of_a_pdf_are_counted() -> None:
    assert ocr_pages(PARTLY_SCANNED) == 1
    assert ocr_pages(WITH_COVER) == 7
    assert ocr_pages(EXPORTED) == 0


def test_a_file_replaced_under_the_same_name_is_counted_again(tmp_path: Path) -> None:
    report = tmp_path / "report.pdf"
    shutil.copyfile(WITH_COVER, report)
    assert ocr_pages(report) == 7
    assert ocr_pages(report) == 7
    shutil.copyfile(PARTLY_SCANNED, report)
    assert ocr_pages(report) == 1
    shutil.copyfile(EXPORTED, report)
    assert ocr_pages(report) == 0
    report.unlink()
    assert ocr_pages(report) == 0  # gone: its reader will say so
