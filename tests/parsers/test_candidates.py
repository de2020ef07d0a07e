"""One field, several columns: the column of the report's month is read, in every format.

The fixtures under ``tests/fixtures/columns/`` (``make_columns.py``) keep July's columns
beside August's, hidden in a sheet or visible in Word and text.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from parsers import TableNotFound, parse_bytes, parse_document
from parsers.errors import AmbiguousColumns
from tests.helpers import (
    COMPARED,
    FIXTURES,
    as_text,
    assert_nothing_lost,
    expected_rows,
    without_space,
)

COLUMNS = FIXTURES / "columns"
TITLE = "2022年乐清市民生实事项目8月份进展情况"
ROW = "(1)项目一 | 计划 | 实际 | 63% | 72% | 市教育局 | 王旭良 |"


def text_report(header: list[str], title: str = TITLE, row: str = ROW) -> bytes:
    return "\n".join([title, " | ".join(header) + " |", row]).encode()


@pytest.mark.parametrize(
    "name",
    [
        "hidden-july-rate.xlsx",  # XlsxWriter, 7月完成率 hidden before 8月完成率
        "hidden-july-rate-calc.xlsx",  # the same saved again by LibreOffice Calc
        "july-columns-kept.xlsx",  # 7月计划进度 and 7月完成率 both kept, hidden
        "july-and-august-rates.docx",  # Word, both rate columns visible
        "july-and-august-rates.txt",  # text, both rate columns visible
    ],
)
def test_the_column_of_the_reports_month_is_read(name: str) -> None:
    path = COLUMNS / name
    doc = parse_document(path, region="乐清市")
    assert doc.month == 8
    assert doc.rejected == []
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )
    assert_nothing_lost(path, doc)
    chosen = [i for i in doc.issues if i.check == "several_columns"]
    assert chosen and all(i.severity == "warning" for i in chosen)
    assert any("`7月完成率`" in i.message and "`8月完成率`" in i.message for i in chosen)
    # July's rates are kept, by their header, not lost and not loaded as the rate
    assert json.loads(doc.rows["extra"].iloc[0])["7月完成率"] == "63%"
    # the message no longer calls a 完成率 column unknown
    assert not [i for i in doc.issues if i.check == "unknown_column"]


def test_the_warning_names_both_columns_and_says_what_to_do() -> None:
    doc = parse_document(COLUMNS / "hidden-july-rate.xlsx")
    [issue] = [i for i in doc.issues if i.check == "several_columns"]
    assert issue.describe() == (
        "hidden-july-rate.xlsx: column 4 `7月完成率` and column 5 `8月完成率` name the same "
        "column, 完成率; column 5 was read because it names the report's month (8月), and "
        "column 4 `7月完成率` is kept in extra: delete it if it is not part of this report"
    )


def test_a_plan_pair_takes_the_month_from_the_option_when_nothing_else_names_it() -> None:
    header = [
        "项目内容",
        "7月计划进度",
        "8月计划进度",
        "实际进度情况",
        "完成率",
        "责任单位",
        "具体分管领导",
    ]
    data = text_report(
        header,
        title="乐清市民生实事项目进展情况",
        row="(1)项目一 | 七月的计划 | 八月的计划 | 实际 | 72% | 市教育局 | 王旭良 |",
    )
    doc = parse_bytes(data, "report.txt", year=2022, month=8)
    assert doc.rows["plan_text"].tolist() == ["八月的计划"]
    assert json.loads(doc.rows["extra"].iloc[0]) == {"7月计划进度": "七月的计划"}
    assert doc.month == 8


def test_a_plain_column_beside_one_of_another_month_is_read() -> None:
    header = [
        "项目内容",
        "计划进度",
        "实际进度情况",
        "7月完成率",
        "完成率",
        "责任单位",
        "具体分管领导",
    ]
    doc = parse_bytes(text_report(header), "a.txt")
    assert doc.rows["completion_raw"].tolist() == ["72%"]
    [issue] = [i for i in doc.issues if i.check == "several_columns"]
    assert "the others name another month than the report's (8月)" in issue.message


@pytest.mark.parametrize(
    ("header", "title"),
    [
        # neither rate column is September's
        (
            [
                "项目内容",
                "计划进度",
                "实际进度情况",
                "7月完成率",
                "8月完成率",
                "责任单位",
                "具体分管领导",
            ],
            TITLE.replace("8月份", "9月份"),
        ),
        # two plain rate columns: which one is this month's?
        (
            [
                "项目内容",
                "计划进度",
                "实际进度情况",
                "完成率",
                "完成率",
                "责任单位",
                "具体分管领导",
            ],
            TITLE,
        ),
    ],
)
def test_columns_that_no_month_tells_apart_reject_the_document_naming_them(
    header: list[str], title: str
) -> None:
    with pytest.raises(AmbiguousColumns) as caught:
        parse_bytes(text_report(header, title), "a.txt")
    message = str(caught.value)
    assert f"column 4 `{header[3]}`, column 5 `{header[4]}` name the same column, 完成率" in message
    assert "delete the columns that are not this month's" in message
    assert isinstance(caught.value, TableNotFound) and caught.value.check == "several_columns"


def test_a_group_cell_over_month_cells_names_one_column_per_month_in_text() -> None:
    data = "\n".join(
        [
            TITLE,
            "项目内容 | 8月计划进度 | 实际进度情况 | 完成率 |  | 责任单位 | 具体分管领导 |",
            " |  |  | 7月 | 8月 |  |  |",
            ROW,
        ]
    ).encode()
    doc = parse_bytes(data, "a.txt")
    assert doc.rows["completion_raw"].tolist() == ["72%"]
    assert json.loads(doc.rows["extra"].iloc[0]) == {"完成率7月": "63%"}


def test_a_merged_group_cell_over_month_cells_in_a_sheet_with_july_hidden() -> None:
    from openpyxl import Workbook

    from tests.parsers.formats.test_xlsx import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(
        ["项目内容", "8月计划进度", "实际进度情况", "完成率", None, "责任单位", "具体分管领导"]
    )
    ws.append([None, None, None, "7月", "8月"])
    for column in "ABCFG":
        ws.merge_cells(f"{column}2:{column}3")
    ws.merge_cells("D2:E2")
    ws.append(["(1)项目一", "计划", "实际", 0.63, 0.72, "市教育局", "王旭良"])
    ws["D4"].number_format = ws["E4"].number_format = "0%"
    ws.column_dimensions["D"].hidden = True
    doc = parse_bytes(workbook_bytes(wb), "a.xlsx")
    assert doc.rows["completion_raw"].tolist() == ["72%"]
    checks = {i.check for i in doc.issues}
    assert {"several_columns", "hidden_cells"} <= checks


def test_two_words_for_one_field_without_months_read_the_first_with_a_warning() -> None:
    header = [
        "项目内容",
        "计划进度",
        "实际进度情况",
        "完成率",
        "牵头单位",
        "责任单位",
        "具体分管领导",
    ]
    row = "(1)项目一 | 计划 | 实际 | 72% | 市教育局 | 市财政局 | 王旭良 |"
    doc = parse_bytes(text_report(header, row=row), "a.txt")
    assert doc.rows["department"].tolist() == ["市教育局"]
    assert json.loads(doc.rows["extra"].iloc[0]) == {"责任单位": "市财政局"}
    [issue] = [i for i in doc.issues if i.check == "several_columns"]
    assert "column 5 was read because it comes first, and no column names a month" in issue.message


def test_a_web_page_with_last_months_column_hidden_by_css_reads_this_months() -> None:
    hidden = ' style="display:none"'
    page = (
        f"<html><body><h1>{TITLE}</h1><table><tr><th>项目内容</th><th>8月计划进度</th>"
        f"<th>实际进度情况</th><th{hidden}>7月完成率</th><th>8月完成率</th><th>责任单位</th>"
        f"<th>具体分管领导</th></tr><tr><td>(1)项目一</td><td>计划</td><td>实际</td>"
        f"<td{hidden}>63%</td><td>72%</td><td>市教育局</td><td>王旭良</td></tr></table></body></html>"
    )
    doc = parse_bytes(page.encode(), "a.html")
    assert doc.rows["completion_raw"].tolist() == ["72%"]
    assert {i.check for i in doc.issues} == {"hidden_cells"}  # not read, and named


def test_two_tables_side_by_side_are_refused_saying_so_not_as_last_months_columns() -> None:
    # XlsxWriter: (1)–(24) in A:F, (25)–(47) in H:M, each under the header (column G empty).
    with pytest.raises(AmbiguousColumns) as caught:
        parse_document(FIXTURES / "bad" / "side-by-side.xlsx")
    assert str(caught.value) == (
        "side-by-side.xlsx: the table's header is there twice side by side, in columns 1–6 and "
        "8–13: two tables laid out next to each other; put the second one under the first "
        "(one header over all the rows) and send it again"
    )
