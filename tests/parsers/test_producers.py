"""The August report as other offices' tools write it (``tests/fixtures/producers/``, made
by ``make_producers.py`` with LibreOffice Calc and Chromium): each gives exactly the 48
expected rows, none quarantined.
"""

from __future__ import annotations

import pandas as pd
import pytest

from parsers.model import TABLE_COLUMNS
from tests.conftest import FIXTURES
from tests.helpers import COMPARED, as_text, expected_rows, parsed, without_space

PRODUCERS = FIXTURES / "producers"


def _same_as_expected(rows: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        without_space(as_text(rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )


@pytest.mark.parametrize(
    "name",
    [
        # '|' text from Calc: no outer border, so a row ending in '|' ends with an empty
        # cell; the title is a row of its own above a two-row header
        "yueqing-2022-08-calc-pipes.txt",
        # the same from Calc with every text cell in double quotes
        "yueqing-2022-08-calc-quoted.txt",
        # typed with a Chinese input method: ｜ between cells, GB18030, CRLF
        "yueqing-2022-08-wide-bars.txt",
        # the Word table inside the one cell of a layout table
        "yueqing-2022-08-layout-table.docx",
        # a colspan title row inside the table, above a two-row header
        "yueqing-2022-08-title-row.html",
        # a browser's print repeating a title row and a two-row header on every page,
        # with a row cut by a break that leaves nothing to print on the next page
        "yueqing-2022-08-title-row-print.pdf",
        # a department merged over a page break drawn past the frame's bottom rule
        "yueqing-2022-08-narrow-columns.pdf",
        # notes typed under the table in a sheet, unknown columns, empty rows between
        "yueqing-2022-08-notes-below.xlsx",
    ],
)
def test_another_producers_august_report_gives_its_48_rows(name: str) -> None:
    doc = parsed(PRODUCERS / name, region="乐清市")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    _same_as_expected(doc.rows)


def test_notes_under_a_sheets_table_are_warnings_not_quarantined_rows() -> None:
    doc = parsed(PRODUCERS / "yueqing-2022-08-notes-below.xlsx", region="乐清市")
    notes = [i for i in doc.issues if i.check == "not_a_row"]
    assert [(i.severity, i.location.row, i.value) for i in notes] == [
        ("warning", 56, "注：完成率为截至8月底项目总体完成进度。"),
        ("warning", 57, "制表：乐清市人民政府办公室    填报日期：2022年9月5日"),
    ]
    assert doc.rejected == []


def test_a_title_row_over_the_table_is_not_the_group_row_of_a_two_row_header() -> None:
    from parsers.table import find_header

    rows = [
        ["2022年乐清市民生实事项目8月份进展情况", "", "", "", "", "", ""],
        ["序号", "实事项目", "完成情况", "", "", "责任单位", "分管领导"],
        ["", "", "本月计划进度", "实际进度", "完成率", "", ""],
    ]
    found = find_header(rows)
    assert found is not None
    index, header = found
    assert (index, header.rows) == (1, 2)
    assert header.columns == ("item_no", *TABLE_COLUMNS)


def test_a_trailing_bar_is_an_empty_last_cell_where_the_header_has_no_border() -> None:
    from parsers import parse_bytes

    header = "项目内容|8月计划进度|实际进度情况|完成率|责任单位|具体分管领导"
    rows = ["(1)a|b|c|72%|市教育局|王旭良", "(2)d|e|f|72%||"]
    doc = parse_bytes("\n".join([header, *rows]).encode(), "2022年8月乐清市民生实事.txt")
    assert doc.rows.leader.tolist() == ["王旭良", "王旭良"]  # (2)'s empty cells: merged
    assert doc.rows.leader_inherited.tolist() == [False, True]
    # a table that draws its borders keeps reading '|' at the end as the border
    bordered = [header + "|", *(row + "|" for row in rows), "(3)g|h|i|72%|王小强|"]
    doc = parse_bytes("\n".join(bordered).encode(), "2022年8月乐清市民生实事.txt")
    # (3) leaves its department out: this table writes a merge by leaving the cell out, so
    # (2)'s empty cells are missing values (its row fails the schema), and (3), merged from
    # that empty cell, is quarantined with it rather than given (1)'s department.
    assert doc.rows.leader.tolist() == ["王旭良", ""]
    assert doc.rows.department_inherited.tolist() == [False, False]
    [third] = doc.rejected
    assert third.item_no == 3 and third.issues[0].check == "merged_from_quarantined"


def test_a_row_of_quoted_cells_is_unquoted_and_other_quotes_are_text() -> None:
    from parsers.formats.text.bar_table import split_cells

    assert split_cells('"(1)打造""15分钟""生活圈"||"72%"|') == ['(1)打造"15分钟"生活圈', "", "72%"]
    assert split_cells('(1)打造"15分钟"生活圈 | "72%" |') == ['(1)打造"15分钟"生活圈', '"72%"']
