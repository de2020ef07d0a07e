"""The same month as text and as another format gives the same rows.

Formats: Word, a LibreOffice PDF export and a Chromium print of the city's web page.

Texts are compared with whitespace removed: Word and PDF wrap or split cell text where the
text file has one line. Add a format by adding its file to ``SAME_MONTH``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from parsers import parse_document
from tests.conftest import FIXTURES, SAMPLE
from tests.helpers import COMPARED, as_text, without_space

SAME_MONTH: dict[str, Path] = {
    "docx": FIXTURES / "yueqing-2022-08.docx",
    "pdf": FIXTURES / "yueqing-2022-08.pdf",
    "pdf-chromium": FIXTURES / "pdf" / "browser" / "yueqing-2022-08-a4-landscape.pdf",
}


@pytest.mark.parametrize("fmt", sorted(SAME_MONTH))
def test_a_format_gives_the_same_rows_as_the_text_report(fmt: str) -> None:
    text = parse_document(SAMPLE, region="乐清市")
    other = parse_document(SAME_MONTH[fmt])
    assert other.source_format == fmt.split("-")[0]
    assert (other.region, other.year, other.month) == (text.region, text.year, text.month)
    pd.testing.assert_frame_equal(
        without_space(as_text(other.rows, COMPARED)),
        without_space(as_text(text.rows, COMPARED)),
    )
    assert other.rejected == text.rejected == []
    # Department and leader strings are the same characters, not only look the same.
    assert other.rows["department"].tolist() == text.rows["department"].tolist()
    assert other.rows["leader"].tolist() == text.rows["leader"].tolist()
