"""HTML printed by WeasyPrint and wkhtmltopdf: cells cut by page breaks joined, lines that
wkhtmltopdf draws on both sides of a break read once (``tests/fixtures/geometry/``)."""

from __future__ import annotations

import pandas as pd
import pdfplumber
import pytest

from parsers.formats.pdf import Fragment, PdfRow, stitch_page_breaks
from parsers.formats.pdf.overlap import drawn_twice, without_copies
from parsers.formats.pdf.page import pdf_page_layout
from parsers.page_geometry.stitch import incomplete_at_breaks
from tests.helpers import (
    COMPARED,
    FIXTURES,
    as_text,
    assert_nothing_lost,
    expected_rows,
    parsed,
    without_space,
)

GEOMETRY = FIXTURES / "geometry"


@pytest.mark.parametrize(
    "name",
    [
        # WeasyPrint, A4 landscape: rows cut at the breaks, header repeated
        "yueqing-2022-08-weasyprint.pdf",
        # wkhtmltopdf, A4 landscape: the lines at a break drawn on both pages, cut rows drawn
        # whole and clipped at the page edge, middle-aligned cells of a cut row under the break
        "yueqing-2022-08-wkhtmltopdf.pdf",
        # wkhtmltopdf, A4 portrait: a cut row whose project cell (its (N)) prints under the
        # break, only the first lines of its long actual text above it
        "yueqing-2022-08-wkhtmltopdf-portrait.pdf",
    ],
)
def test_html_printed_by_another_producer_gives_the_48_expected_rows(name: str) -> None:
    doc = parsed(GEOMETRY / name, region="乐清市", year=2022, month=8)
    assert doc.rejected == []
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )
    assert [i for i in doc.issues if i.check == "row_cut_incomplete"] == []
    assert_nothing_lost(GEOMETRY / name, doc)


def _layouts(path) -> list:
    with pdfplumber.open(path) as pdf:
        return [pdf_page_layout(page, n) for n, page in enumerate(pdf.pages, start=1)]


def test_lines_drawn_on_both_sides_of_a_break_are_kept_on_the_page_they_show_on() -> None:
    pages = _layouts(GEOMETRY / "yueqing-2022-08-wkhtmltopdf.pdf")
    offset, pairs = drawn_twice(pages[2], pages[3])
    assert 570 < offset < 580  # the height a page shows: A4 landscape less its two margins
    lines = {round(lower["top"]) for _upper, lower in pairs}
    assert lines == {6, 11}  # two lines of (46) at the top of page 4, copies of page 3's
    kept = without_copies(pages)
    texts = [
        "".join(c["text"] for c in sorted(p.chars, key=lambda c: (round(c["top"]), c["x0"])))
        for p in kept[2:4]
    ]
    # each copied character is on exactly one of the two pages
    assert sum(t.count("并接⼊消防") for t in texts) == 1
    assert sum(t.count("完成70%的公共⻔厅") for t in texts) == 1


def test_a_header_repeated_on_every_page_is_not_a_copy() -> None:
    # Chromium repeats the table header at the top of each page: no line is dropped.
    pages = _layouts(FIXTURES / "pdf" / "browser" / "yueqing-2022-08-a4-landscape.pdf")
    assert all(drawn_twice(a, b)[1] == [] for a, b in zip(pages, pages[1:], strict=False))
    assert [len(p.chars) for p in without_copies(pages)] == [len(p.chars) for p in pages]


def page(number: int, *rows: list[str | None]) -> Fragment:
    return Fragment(number, rows=[PdfRow(list(r), number, i) for i, r in enumerate(rows, 2)])


def test_a_row_at_a_break_loaded_with_an_empty_cell_carries_a_warning_at_its_place() -> None:
    rows = stitch_page_breaks(
        [
            page(1, ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"]),
            # (2) printed nothing of its completion above the break, and nothing is left
            page(2, ["(2)乙", "计划", "实际", "", "市民政局", "倪庆渊"]),
            page(3, ["(3)丙", "计划", "实际", "100%", "市科协", "林玮"]),
        ]
    )
    issues = incomplete_at_breaks(rows, "report.pdf")
    assert [(i.check, i.severity, i.location.page, i.location.row, i.column) for i in issues] == [
        ("row_cut_incomplete", "warning", 2, 2, "completion")
    ]


def test_a_cut_row_that_printed_no_project_text_above_the_break_is_joined() -> None:
    # A browser's middle-aligned cells: only the long actual text of (13) started above the
    # break, where no rule closes the cells (they run on to the next page).
    above = page(
        1,
        ["(12)乙", "计划", "实际", "90%", "市交通运输局", "赵章盛"],
        ["", "", "堵点:按计划", "", "", ""],
    )
    below = page(2, ["(13)完成道路堵点", "未计划", "推进。", "63%,滞后", "市治堵办", "陈文周"])
    above.open_bottom, below.open_top = [True] * 6, [True] * 6
    above.open_top, below.open_bottom = [False] * 6, [False] * 6
    rows = stitch_page_breaks([above, below])
    assert [(r.page, r.row) for r in rows] == [(1, 2), (1, 3)]
    assert rows[-1].cells == [
        "(13)完成道路堵点",
        "未计划",
        "堵点:按计划推进。",
        "63%,滞后",
        "市治堵办",
        "陈文周",
    ]
