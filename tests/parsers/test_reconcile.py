"""Nothing is lost: every row a committed fixture shows is read or quarantined.

``assert_nothing_lost`` checks a parse against the item numbers read from the document
without the parsers (pdfium, python-docx, openpyxl, the text's lines); the parsers' own
reconciliation (``parsers.reconcile``) must turn a row it saw but did not read into a
quarantined row with its place and text, never into silence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import DocumentError, PeriodError, parse_bytes
from parsers.reconcile import UNACCOUNTED
from tests.helpers import FIXTURES, assert_nothing_lost, parsed, sample_lines

# Scans (``scan/``) are left to tests/parsers/formats/test_ocr.py, which OCRs two of their pages:
# OCR costs seconds a page. ``python -m bench.ocr`` checks every page of them for the same
# invariant (every item in progress or quarantine).
# So are the PDFs whose text layer lies (read by OCR from their page images): their detection
# and one page of each are tests/parsers/formats/pdf/test_textlayer.py's.
LYING = {"yueqing-2022-08-ps-roundtrip.pdf", "yueqing-2022-08-ocr-layer.pdf"}
READABLE = sorted(
    path
    for path in FIXTURES.rglob("*")
    if path.suffix in (".txt", ".tsv", ".csv", ".docx", ".pdf", ".html", ".xlsx")
    and path.parent.name not in ("bad", "scan")
    and path.name not in LYING
    and not path.name.endswith(".expected.csv")
    and path.name != "truth.csv"  # the corpus test's registry, not a report
) + [FIXTURES / "bad" / "gb18030-2022-08.txt"]
OUTSIDE = FIXTURES / "pdf" / "browser" / "yueqing-2022-08-row-outside-table.pdf"
# Two tables side by side: the second table's rows are named as row_unaccounted, not read
# (docs/formats.md); the corpus test holds it to that.
SIDE_BY_SIDE = FIXTURES / "pdf" / "habits" / "yueqing-2022-08-side-by-side.pdf"


def parse_fixture(path: Path):
    # Called as the fixture's own tests call it, so that the run reads it once (``parsed``).
    if path.parent.name in ("layouts", "producers"):
        return parsed(path, region="乐清市")
    try:
        return parsed(path)
    except PeriodError:  # a sample without region in its title or name
        return parsed(path, region="乐清市")


@pytest.mark.heavy
@pytest.mark.parametrize(
    "path", [p for p in READABLE if p not in (OUTSIDE, SIDE_BY_SIDE)], ids=lambda p: p.name
)
def test_every_row_of_every_fixture_is_read_or_quarantined(path: Path) -> None:
    assert_nothing_lost(path, parse_fixture(path))


def test_the_bad_fixtures_that_cannot_be_read_say_so() -> None:
    for path in sorted((FIXTURES / "bad").iterdir()):
        if path.name == "gb18030-2022-08.txt":
            continue
        with pytest.raises(DocumentError):
            parse_fixture(path)


@pytest.mark.heavy
def test_a_row_printed_outside_the_table_is_quarantined_with_its_item_and_page() -> None:
    doc = parsed(OUTSIDE)
    assert len(doc.rows) == 47 and 12 not in doc.rows["item_no"].tolist()
    [row] = doc.rejected
    assert row.item_no == 12 and row.location.page == 6
    [issue] = row.issues
    assert (issue.check, issue.severity) == ("row_unaccounted", "error")
    assert issue.message == f"item (12): {UNACCOUNTED}"
    # The text as the text layer gives it (radicals and all), the line the marker starts.
    assert row.raw.startswith("(12)新改建农村公路9.9公⾥,实施农村公路⼤中修⼯程61公⾥。")
    assert issue.describe().startswith(f"{OUTSIDE.name}, page 6: item (12)")


def test_a_text_row_without_cells_is_quarantined_not_only_warned_about() -> None:
    lines = sample_lines()
    lines[12] = lines[12].replace("|", " ")  # (12) written without its cell separators
    doc = parse_bytes("\n".join(lines).encode(), "2022年8月乐清市民生实事.txt")
    assert 12 not in doc.rows["item_no"].tolist()
    [row] = doc.rejected
    assert (row.item_no, row.location.line) == (12, 13)
    assert row.reasons == f"item (12): {UNACCOUNTED}"
    assert row.raw == lines[12].strip()
