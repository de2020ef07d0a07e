"""The same month as text, Word and PDF gives the same rows."""

from __future__ import annotations

import pandas as pd
import pytest

from parsers import parse_document
from tests.conftest import FIXTURES
from tests.helpers import COMPARED, as_text, without_space

SAME_MONTH = {
    "txt": FIXTURES / "yueqing-2022-08.txt",
    "pdf": FIXTURES / "yueqing-2022-08.pdf",
}


@pytest.fixture(scope="module")
def text_rows() -> pd.DataFrame:
    # The text sample has no title; its file name gives the period but not the region.
    return parse_document(SAME_MONTH["txt"], region="乐清市").rows


@pytest.mark.parametrize("fmt", sorted(set(SAME_MONTH) - {"txt"}))
def test_every_format_gives_the_rows_of_the_text_report(fmt: str, text_rows) -> None:
    doc = parse_document(SAME_MONTH[fmt])
    assert doc.source_format == fmt
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    # Texts compare without whitespace: PDF and Word wrap lines inside cells.
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(as_text(text_rows, COMPARED))
    )
