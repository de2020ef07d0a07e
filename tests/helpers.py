"""Helpers shared by tests: the expected rows and comparisons."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from parsers import ParsedDocument
from tests.conftest import EXPECTED

COMPARED = [
    "item_no",
    "sub_no",
    "content",
    "plan_text",
    "actual_text",
    "completion_raw",
    "completion_pct",
    "is_lagging",
    "department",
    "leader",
    "department_inherited",
    "leader_inherited",
]
TEXT_COLUMNS = ["content", "plan_text", "actual_text", "completion_raw", "department", "leader"]


def expected_rows() -> pd.DataFrame:
    return pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)


def as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every cell as the string the expected CSV holds ('' for missing)."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        series = frame[column]
        out[column] = [
            "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in series
        ]
    return out.reset_index(drop=True)


def without_space(frame: pd.DataFrame) -> pd.DataFrame:
    """Texts with all whitespace removed, for formats that wrap lines inside cells."""
    out = frame.copy()
    for column in TEXT_COLUMNS:
        if column in out:
            out[column] = out[column].map(lambda v: re.sub(r"\s+", "", v))
    return out


_MARKER_LINE = re.compile(r"(?m)^\s*[(（]\s*(\d{1,3})\s*[)）]")


def markers_in(path: Path) -> set[int]:
    """Item numbers ``(N)`` that start a line of the document, read without the parsers:
    pdfium's text for a PDF, python-docx for Word, openpyxl's cells for a workbook, the
    lines of a text file or of a web page without its tags."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(path)
        try:
            texts = [page.get_textpage().get_text_range() for page in document]
        finally:
            document.close()
    elif suffix == ".docx":
        import docx

        word = docx.Document(str(path))
        texts = [p.text for p in word.paragraphs]
        texts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        texts = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        book.close()
    else:
        data = path.read_bytes()
        try:
            texts = [data.decode("utf-8-sig")]
        except UnicodeDecodeError:
            texts = [data.decode("gb18030")]
        if suffix in (".html", ".htm"):
            texts = [re.sub(r"<[^>]*>", "\n", text) for text in texts]
    return {int(n) for text in texts for n in _MARKER_LINE.findall(text)}


def assert_nothing_lost(path: Path, doc: ParsedDocument) -> None:
    """Every item the document shows is in the rows or the quarantined rows, and the parser's
    own reconciliation found nothing unaccounted for. Every parser test calls this."""
    accounted = {int(n) for n in doc.rows["item_no"].dropna()}
    accounted |= {r.item_no for r in doc.rejected if r.item_no is not None}
    assert markers_in(path) <= accounted, sorted(markers_in(path) - accounted)
    unaccounted = [r for r in doc.rejected if any(i.check == "row_unaccounted" for i in r.issues)]
    assert unaccounted == [], [r.reasons for r in unaccounted]


def soffice_missing() -> bool:
    from parsers.libreoffice import soffice_path

    return soffice_path() is None


#: For tests that convert with LibreOffice: skipped, with the reason shown, where it is missing.
needs_soffice = pytest.mark.skipif(
    soffice_missing(),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer "
    "libreoffice-calc",
)
