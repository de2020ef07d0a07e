"""Tables read from text geometry: borderless and three-line (三线表) PDFs of the August report
(``tests/fixtures/geometry/``, made by ``make_geometry.py`` with ReportLab and LibreOffice)."""

from __future__ import annotations

import pandas as pd
import pdfplumber
import pytest

from parsers.formats.pdf.page import pdf_page_layout
from parsers.page_geometry.words import chars_to_lines, header_on_page
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
        # ReportLab Table without a TableStyle grid: no rule at all, merged cells as SPAN
        "yueqing-2022-08-borderless.pdf",
        # ReportLab with the three rules; ReportLab draws the header again inside page 4
        "yueqing-2022-08-three-line.pdf",
        # a Word table with only the three rules, exported by LibreOffice: no padding between
        # rows, rows cut by page breaks, the header (and its rules) repeated on each page
        "yueqing-2022-08-three-line-lo.pdf",
    ],
)
def test_a_table_without_rules_gives_the_48_expected_rows(name: str) -> None:
    doc = parsed(GEOMETRY / name, region="乐清市")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )
    assert_nothing_lost(GEOMETRY / name, doc)


def test_a_note_under_a_table_without_rules_is_a_warning_not_a_row() -> None:
    doc = parsed(GEOMETRY / "yueqing-2022-08-borderless.pdf", region="乐清市")
    notes = [i for i in doc.issues if i.check == "not_a_row"]
    assert [(i.severity, i.location.page, i.value) for i in notes] == [
        ("warning", 6, "注：完成率为截至8月底项目总体完成进度；“∕”表示本月无计划进度。")
    ]


def test_rows_of_a_table_without_rules_carry_their_page_and_row() -> None:
    doc = parsed(GEOMETRY / "yueqing-2022-08-three-line-lo.pdf", region="乐清市")
    rows = doc.rows.set_index(["item_no", "sub_no"])
    # page 1: the header is row 1, (1) row 2; (5) is cut by the break and placed where it
    # starts; page 2 starts with the rest of (5), so (6) is its second row under the header
    assert (rows.loc[(1, 1), "source_page"], rows.loc[(1, 1), "source_row"]) == (1, 2)
    assert rows.loc[(5, 1), "source_page"] == 1
    assert (rows.loc[(6, 1), "source_page"], rows.loc[(6, 1), "source_row"]) == (2, 3)
    assert rows.loc[(5, 1), "plan_text"].endswith("完成装修3家。")


def test_the_header_is_found_by_its_words_and_the_borders_by_the_gaps_under_it() -> None:
    with pdfplumber.open(GEOMETRY / "yueqing-2022-08-borderless.pdf") as pdf:
        layout = pdf_page_layout(pdf.pages[0], 1)
    found = header_on_page(1, layout.chars, layout.rules)
    assert found is not None
    at, borders, title, lines = found
    # the leader's header cell is wrapped over two lines: one header of two lines
    assert at.header.texts == (
        "项目内容",
        "8月计划进度",
        "实际进度情况",
        "完成率",
        "责任单位",
        "具体分管领导",
    )
    assert at.end - at.first == 2
    assert title == "2022年乐清市民生实事项目8月份进展情况"
    # every body character lies inside one column: no border runs through text
    body = [c for line in lines[at.end :] for c in line.chars]
    for border in borders[1:-1]:
        assert not [c for c in body if c["x0"] < border - 0.5 and c["x1"] > border + 0.5]
    # the borders lie between the header cells
    for (left, right), border in zip(
        zip(at.extents, at.extents[1:], strict=False), borders[1:-1], strict=True
    ):
        assert left[1] < border < right[0]


def test_characters_of_a_baseline_are_one_line() -> None:
    with pdfplumber.open(GEOMETRY / "yueqing-2022-08-three-line-lo.pdf") as pdf:
        lines = chars_to_lines(pdf.pages[1].chars)
    assert lines[2].text() == "修3家。"  # the rest of (5)'s plan, alone on its line
    assert lines[3].text().startswith("(6)全市265家幼儿园")


def test_cells_that_are_not_top_aligned_are_quarantined_not_guessed() -> None:
    # Centred text: a merged department stands in the middle of its rows, and a row's
    # shorter cells start under its first line. Nothing is loaded from such a table.
    doc = parsed(GEOMETRY / "yueqing-2022-08-borderless-middle.pdf")
    assert len(doc.rows) == 0
    checks = {i.check for r in doc.rejected for i in r.issues}
    assert "cell_unsettled" in checks
    unsettled = [r for r in doc.rejected if any(i.check == "cell_unsettled" for i in r.issues)]
    assert all(r.location.page in (1, 2) and r.location.row for r in unsettled)
    assert {1, 2, 3, 4, 5, 6, 7, 8} <= {r.item_no for r in doc.rejected}


def test_text_running_over_a_column_border_is_quarantined_at_its_row() -> None:
    # ReportLab does not wrap plain strings: every project text runs on over the plan
    # column, drawn through the plan's own text. No row is loaded with a cut or mixed cell.
    doc = parsed(GEOMETRY / "yueqing-2022-08-borderless-overflow.pdf")
    assert len(doc.rows) == 0
    assert sorted(r.item_no for r in doc.rejected) == [1, 2, 3, 4, 5]
    for row in doc.rejected:
        assert {i.check for i in row.issues} == {"cell_unsettled"}
        assert "content" in {i.column for i in row.issues}
        assert row.location.page == 1 and row.location.row is not None
