"""The same month as text and as another format gives the same rows.

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
}


@pytest.mark.parametrize("fmt", sorted(SAME_MONTH))
def test_a_format_gives_the_same_rows_as_the_text_report(fmt: str) -> None:
    text = parse_document(SAMPLE, region="乐清市")
    other = parse_document(SAME_MONTH[fmt])
    assert other.source_format == fmt
    assert (other.region, other.year, other.month) == (text.region, text.year, text.month)
    pd.testing.assert_frame_equal(
        without_space(as_text(other.rows, COMPARED)),
        without_space(as_text(text.rows, COMPARED)),
    )
    assert other.rejected == text.rejected == []
