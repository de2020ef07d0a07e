"""The same month as text and as another format gives the same rows.

Formats: Word, a LibreOffice PDF export, a Chromium print of the city's web page, the web page
itself, spreadsheets and old Office files, the text pasted from a chat, and sheets saved as
tab- or comma-separated text.

Texts are compared with whitespace removed: Word and PDF wrap or split cell text where the
text file has one line. Add a format by adding its file to ``SAME_MONTH``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import COMPARED, FIXTURES, SAMPLE, as_text, needs_soffice, parsed, without_space

# (format recorded, file): each is the August report, made by a real producer.
SAME_MONTH: dict[str, tuple[str, Path]] = {
    "docx": ("docx", FIXTURES / "yueqing-2022-08.docx"),
    "pdf": ("pdf", FIXTURES / "yueqing-2022-08.pdf"),
    "pdf-chromium": ("pdf", FIXTURES / "pdf" / "browser" / "yueqing-2022-08-a4-landscape.pdf"),
    "html": ("html", FIXTURES / "html" / "yueqing-2022-08.html"),
    "html-gb2312": ("html", FIXTURES / "html" / "yueqing-2022-08-gb2312.html"),
    "xlsx-openpyxl": ("xlsx", FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"),
    "xlsx-calc": ("xlsx", FIXTURES / "xlsx" / "yueqing-2022-08-calc.xlsx"),
    "xls": ("xls", FIXTURES / "legacy" / "yueqing-2022-08.xls"),
    "doc": ("doc", FIXTURES / "legacy" / "yueqing-2022-08.doc"),
    "txt-wechat": ("txt", FIXTURES / "text" / "yueqing-2022-08-wechat.txt"),
    "txt-excel-tab": ("txt", FIXTURES / "delimited" / "yueqing-2022-08-excel-tab.txt"),
    "csv-excel": ("csv", FIXTURES / "delimited" / "yueqing-2022-08-excel-utf8.csv"),
    "csv-calc": ("csv", FIXTURES / "delimited" / "yueqing-2022-08-calc.csv"),
    "tsv-calc": ("tsv", FIXTURES / "delimited" / "yueqing-2022-08-calc.tsv"),
}
CONVERTED = {"xls", "doc"}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=needs_soffice) if c in CONVERTED else c for c in sorted(SAME_MONTH)],
)
@pytest.mark.process
def test_a_format_gives_the_same_rows_as_the_text_report(case: str) -> None:
    fmt, path = SAME_MONTH[case]
    text = parsed(SAMPLE, region="乐清市")
    other = parsed(path)
    assert other.source_format == fmt
    assert (other.region, other.year, other.month) == (text.region, text.year, text.month)
    pd.testing.assert_frame_equal(
        without_space(as_text(other.rows, COMPARED)),
        without_space(as_text(text.rows, COMPARED)),
    )
    assert other.rejected == text.rejected == []
    # Department and leader strings are the same characters, not only look the same.
    assert other.rows["department"].tolist() == text.rows["department"].tolist()
    assert other.rows["leader"].tolist() == text.rows["leader"].tolist()
