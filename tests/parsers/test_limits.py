"""Bounds on what one document may cost: each over-limit file is rejected naming the limit."""

from __future__ import annotations

import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from parsers import LimitExceeded, UnreadableDocument, parse_document
from parsers.limits import DEFAULT_LIMITS, ParseLimits, shorten
from parsers.zip_limits import check_unzipped_size
from tests.helpers import FIXTURES, SAMPLE, run_measuring_peak
from tests.hostile import (
    far_cell_xlsx,
    inflating_docx,
    inflating_xlsx,
    lying_dimension_xlsx,
    many_page_pdf,
    one_line_text,
    whole_sheet_merge_xlsx,
)

MB = 1024 * 1024

#: Peak memory allowed to a process that meets a bomb (the Done-when of the hostile-input work).
RSS_CAP_BYTES = 500 * MB


def _peak_rss_of(code: str, tmp_path: Path) -> tuple[str, int]:
    """Run ``code`` in a fresh Python; its stdout and its peak resident memory in bytes."""
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        code_, peak = run_measuring_peak(
            [sys.executable, "-c", code], tmp_path / "peak.txt", stdout=stdout
        )
    assert code_ == 0
    return out.read_text().strip(), peak


def _parse_in_a_fresh_process(path: Path) -> tuple[str, int, float]:
    """Parse ``path`` in a fresh Python: what it printed, its peak memory and the seconds the
    parse itself took (timed there: the start-up and imports before it are the machine's)."""
    output, peak = _peak_rss_of(
        "import time\n"
        "from parsers import DocumentError, parse_document\n"
        "started = time.monotonic()\n"
        "try:\n"
        f"    parse_document({str(path)!r}); print('parsed')\n"
        "except DocumentError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "print(time.monotonic() - started)\n",
        path.parent,
    )
    said, seconds = output.rsplit("\n", 1)
    return said, peak, float(seconds)


def _parse_and_measure(path: Path) -> tuple[str, int]:
    output, peak, _ = _parse_in_a_fresh_process(path)
    return output, peak


def test_a_docx_inflating_to_1_gb_is_rejected_with_little_memory(tmp_path: Path) -> None:
    bomb = inflating_docx(tmp_path / "2022年8月-bomb.docx")
    assert bomb.stat().st_size < 2 * MB
    output, peak = _parse_and_measure(bomb)
    assert output == (
        "LimitExceeded 2022年8月-bomb.docx: its zip parts inflate to more than 100 MB "
        "(the limit for one document), more than any report needs: not read"
    )
    assert peak < RSS_CAP_BYTES, f"peak RSS {peak / MB:.0f} MB"


def test_a_docx_whose_directory_lies_is_caught_while_inflating(tmp_path: Path) -> None:
    bomb = inflating_docx(tmp_path / "lying.docx", 200 * MB, lie=True)
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("word/document.xml").file_size < MB  # the directory says small
    with pytest.raises(UnreadableDocument, match="the file is damaged .*: send it again"):
        parse_document(bomb)


def test_one_xml_part_has_a_bound_of_its_own(tmp_path: Path) -> None:
    big = inflating_docx(tmp_path / "big-part.docx", 30 * MB)
    with pytest.raises(LimitExceeded) as caught:
        parse_document(big)
    assert caught.value.problem == (
        "its part word/document.xml inflates to more than 20 MB (the limit for one XML part), "
        "more than any report needs: not read"
    )


def test_an_xlsx_inflating_to_1_gb_is_rejected(tmp_path: Path) -> None:
    bomb = inflating_xlsx(tmp_path / "bomb.xlsx")
    with pytest.raises(LimitExceeded, match="its zip parts inflate to more than 100 MB"):
        parse_document(bomb)


def test_the_zip_guard_passes_the_real_reports() -> None:
    for path in [FIXTURES / "yueqing-2022-08.docx", FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"]:
        with zipfile.ZipFile(path) as archive:
            check_unzipped_size(archive, path.name)
    assert len(parse_document(FIXTURES / "yueqing-2022-08.docx").rows) == 48


def test_a_2000_page_pdf_is_rejected_at_the_page_limit(tmp_path: Path) -> None:
    pdf = many_page_pdf(tmp_path / "2022年8月-pages.pdf", 2000)
    output, peak = _parse_and_measure(pdf)
    assert output == (
        "LimitExceeded 2022年8月-pages.pdf: the PDF has 2,000 pages, more than 300 (the limit, "
        "--max-pages): a monthly report has far fewer; not read"
    )
    assert peak < RSS_CAP_BYTES, f"peak RSS {peak / MB:.0f} MB"


def test_the_page_limit_is_a_setting() -> None:
    pdf = FIXTURES / "yueqing-2022-08.pdf"
    with pytest.raises(LimitExceeded, match="the PDF has 6 pages, more than 5"):
        parse_document(pdf, limits=replace(DEFAULT_LIMITS, max_pages=5))
    assert len(parse_document(pdf, limits=replace(DEFAULT_LIMITS, max_pages=6)).rows) == 48


def test_a_file_over_the_size_limit_is_not_read() -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse_document(SAMPLE, limits=ParseLimits(max_file_bytes=1000))
    assert caught.value.problem.startswith("the file is ")
    assert caught.value.problem.endswith(
        "more than 1,000 bytes (the limit for one document): not read"
    )


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_pages must be 1 or more"):
        ParseLimits(max_pages=0)


def test_a_long_cell_is_shortened_for_display_only() -> None:
    assert shorten("短" * 10, 20) == "短" * 10
    assert shorten("x" * 1200, 500) == "x" * 500 + "… (700 more characters)"


def test_a_sheet_that_declares_every_cell_is_read_by_the_cells_it_holds(tmp_path: Path) -> None:
    lying = lying_dimension_xlsx(tmp_path / "2022年8月.xlsx")
    assert lying.stat().st_size < 20 * 1024
    doc = parse_document(lying, region="乐清市")
    assert len(doc.rows) == 48


@pytest.mark.parametrize(
    ("make", "where"),
    [(far_cell_xlsx, "XFD1048576"), (whole_sheet_merge_xlsx, "H1:XFD1048576")],
)
def test_a_sheet_spanning_billions_of_cells_is_rejected_quickly_and_small(
    tmp_path: Path,
    make,
    where: str,  # noqa: ANN001
) -> None:
    bomb = make(tmp_path / "2022年8月.xlsx")
    assert bomb.stat().st_size < 20 * 1024
    output, peak, seconds = _parse_in_a_fresh_process(bomb)
    assert output == (
        f"LimitExceeded 2022年8月.xlsx: the sheet reaches {where}, more than 1,000,000 cells "
        "(the limit on a sheet's cells, ParseLimits.max_sheet_cells): delete what lies beyond "
        "the report's table"
    )
    assert seconds < 10 and peak < RSS_CAP_BYTES, (seconds, peak / MB)


def test_a_95_mb_text_of_one_line_is_rejected_quickly_and_small(tmp_path: Path) -> None:
    bomb = one_line_text(tmp_path / "2022年8月.txt")
    output, peak, seconds = _parse_in_a_fresh_process(bomb)
    assert output == (
        "LimitExceeded 2022年8月.txt: line 1 is longer than 1,000,000 characters (the limit on "
        "a line of a text report, ParseLimits.max_line_chars): not a report's table; check the "
        "file"
    )
    assert seconds < 10 and peak < RSS_CAP_BYTES, (seconds, peak / MB)


def test_the_line_bound_counts_lines(tmp_path: Path) -> None:
    text = SAMPLE.read_text("utf-8").splitlines()
    text.insert(3, "|" * 2000)
    path = tmp_path / "2022年8月.txt"
    path.write_text("\r\n".join(text), "utf-8")
    with pytest.raises(LimitExceeded, match="line 4 is longer than 1,000 characters"):
        parse_document(path, region="乐清市", limits=replace(DEFAULT_LIMITS, max_line_chars=1000))
