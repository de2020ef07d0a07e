"""Spreadsheets: merged ranges, the merged title row, numbers as Excel shows them."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from parsers import LimitExceeded, TableNotFound, UnreadableDocument, parse_bytes, parse_document
from parsers.formats.xlsx import read_xlsx
from parsers.limits import ParseLimits
from parsers.zip_limits import check_unzipped_size
from tests.helpers import FIXTURES

AUGUST = FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"
HEADER = ["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def small_sheet(completion: object, number_format: str = "General") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["2022年乐清市民生实事项目8月份进展情况"])
    ws.append(HEADER)
    ws.append(["(1)项目一", "计划", "实际", completion, "市教育局", "王旭良"])
    ws.cell(row=3, column=4).number_format = number_format
    return workbook_bytes(wb)


def test_the_merged_title_row_gives_the_period_and_rows_are_sheet_rows() -> None:
    doc = parse_document(AUGUST)
    assert doc.title == "2022年乐清市民生实事项目8月份进展情况"
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rows["source_row"].tolist() == list(range(3, 51))  # title row 1, header row 2
    assert doc.rows["source_line"].isna().all()


def test_merged_ranges_are_inherited_and_flagged_as_in_word() -> None:
    docx = parse_document(FIXTURES / "yueqing-2022-08.docx").rows
    xlsx = parse_document(AUGUST).rows
    for column in ("department_inherited", "leader_inherited", "sub_no"):
        assert xlsx[column].tolist() == docx[column].tolist()
    assert xlsx["department_inherited"].sum() > 10


@pytest.mark.parametrize(
    ("value", "number_format", "raw", "pct"),
    [
        (0.72, "0%", "72%", 72.0),
        (0.725, "0.0%", "72.5%", 72.5),
        (72, "General", "72%", 72.0),
        (100.0, "General", "100%", 100.0),
        ("63%,滞后进度", "General", "63%,滞后进度", 63.0),
        (0.72, "General", "0.72", None),  # a rate or a fraction? not guessed: not a percentage
    ],
)
def test_completion_is_read_as_the_cell_shows_it(
    value: object, number_format: str, raw: str, pct: float | None
) -> None:
    row = parse_bytes(small_sheet(value, number_format), "a.xlsx").rows.iloc[0]
    assert row["completion_raw"] == raw
    assert (None if pd.isna(row["completion_pct"]) else row["completion_pct"]) == pct


def test_the_fixture_stores_rates_as_numbers_both_ways() -> None:
    from openpyxl import load_workbook

    ws = load_workbook(AUGUST).active
    values = [ws.cell(row=r, column=4) for r in range(3, 51)]
    assert any(c.value == 0.72 and c.number_format == "0%" for c in values)
    assert any(c.value == 72 for c in values)


def test_hidden_rows_are_read_each_with_a_warning_on_its_row() -> None:
    doc = parse_document(FIXTURES / "xlsx" / "hidden-rows.xlsx")
    assert len(doc.rows) == 48
    hidden = [i for i in doc.issues if i.check == "hidden_cells"]
    assert [(i.location.row, i.severity) for i in hidden] == [(10, "warning"), (11, "warning")]
    assert hidden[0].message.startswith("sheet 8月进展: row 10 (`(8)打造示范型村社区居`) is hidden")
    # the rows read are the hidden ones (sheet rows 10 and 11 are items (8) and (9))
    assert doc.rows.set_index("source_row").loc[[10, 11], "item_no"].tolist() == [8, 9]
    messages = [issue.message for issue in doc.issues]
    assert any("G3 outside the table's columns" in m for m in messages), messages
    assert all(issue.severity == "warning" for issue in doc.issues)


COLUMNS = FIXTURES / "columns"


@pytest.mark.parametrize("name", ["hidden-july-sheet.xlsx", "hidden-july-sheet-calc.xlsx"])
def test_a_visible_sheet_is_read_before_a_hidden_one_which_is_named(name: str) -> None:
    from openpyxl import load_workbook

    book = load_workbook(COLUMNS / name)
    assert [(ws.title, ws.sheet_state) for ws in book.worksheets] == [
        ("7月进展", "hidden"),
        ("8月进展", "visible"),
    ]
    doc = parse_document(COLUMNS / name)
    assert doc.month == 8
    assert doc.rows["completion_raw"].iloc[0] == "72%"  # July's sheet says 63%
    [issue] = doc.issues
    assert (issue.check, issue.severity) == ("hidden_cells", "warning")
    assert issue.message == (
        "sheet 7月进展 is hidden in the spreadsheet and has a progress table too; it was not "
        "read (sheet 8月进展 was): delete it if it is not part of this report"
    )


def test_another_sheet_with_a_table_is_named_and_a_hidden_list_sheet_is_not() -> None:
    wb = Workbook()
    august = wb.active
    august.title = "8月"
    august.append(["2022年乐清市民生实事项目8月份进展情况"])
    august.append(HEADER)
    august.append(["(1)项目一", "计划", "实际", "72%", "市教育局", "王旭良"])
    september = wb.create_sheet("9月")
    for row in august.iter_rows(values_only=True):
        september.append(row)
    lists = wb.create_sheet("下拉选项")  # the lists behind a sheet's drop-downs, kept hidden
    lists.append(["市教育局"])
    lists.append(["市民政局"])
    lists.sheet_state = "hidden"
    doc = parse_bytes(workbook_bytes(wb), "a.xlsx")
    assert doc.rows["content"].tolist() == ["项目一"]
    assert [(i.check, i.message) for i in doc.issues] == [
        (
            "not_a_row",
            "sheet 9月 has a progress table too; it was not read (sheet 8月 was): send each "
            "report as a file of its own",
        )
    ]


def test_a_hidden_sheet_that_alone_has_the_table_is_read_and_named() -> None:
    wb = Workbook()
    wb.active.append(["联系人", "张晓明"])
    report = wb.create_sheet("8月")
    report.append(["2022年乐清市民生实事项目8月份进展情况"])
    report.append(HEADER)
    report.append(["(1)项目一", "计划", "实际", "72%", "市教育局", "王旭良"])
    report.sheet_state = "hidden"
    doc = parse_bytes(workbook_bytes(wb), "a.xlsx")
    assert doc.rows["content"].tolist() == ["项目一"]
    [issue] = [i for i in doc.issues if i.check == "hidden_cells"]
    assert "sheet 8月, the only one with the progress table, is hidden" in issue.message


def test_a_hidden_column_of_the_table_is_named_with_its_letter_and_header() -> None:
    doc = parse_document(COLUMNS / "hidden-july-rate.xlsx")
    hidden = [i for i in doc.issues if i.check == "hidden_cells"]
    assert [(i.column, i.message.split(";")[0]) for i in hidden] == [
        ("7月完成率", "sheet 8月进展: column D `7月完成率` is hidden in the spreadsheet")
    ]


def test_the_first_sheet_with_the_header_is_the_report() -> None:
    wb = Workbook()
    wb.active.append(["联系人", "张晓明"])
    report = wb.create_sheet("进展")
    report.append(["2022年乐清市民生实事项目8月份进展情况"])
    report.append([])
    report.append([None, *HEADER])  # the table may start in column B
    report.append([None, "(1)项目一", "计划", "实际", "72%", "市教育局", "王旭良"])
    doc = parse_bytes(workbook_bytes(wb), "a.xlsx")
    assert doc.rows["content"].tolist() == ["项目一"]
    assert doc.rows["source_row"].tolist() == [4]


def test_a_workbook_without_the_table_is_rejected() -> None:
    wb = Workbook()
    wb.active.append(["联系人", "张晓明"])
    with pytest.raises(TableNotFound, match="no table found among the first rows of its 1 sheet"):
        parse_bytes(workbook_bytes(wb), "2022年8月.xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((FIXTURES / "bad" / "truncated.xlsx").read_bytes(), "damaged .*send it again"),
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"old Excel 97-2003 \(\.xls\)"),
        ((FIXTURES / "yueqing-2022-08.docx").read_bytes(), "without xl/workbook.xml"),
        (b"hello", "not an Excel .xlsx file"),
    ],
)
def test_bad_workbooks_are_rejected_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableDocument, match=message):
        parse_bytes(data, "2022年8月.xlsx")


def test_a_zip_that_inflates_beyond_the_limit_is_not_opened() -> None:
    with zipfile.ZipFile(AUGUST) as archive:
        with pytest.raises(LimitExceeded, match="inflate to more than 1,000 bytes"):
            check_unzipped_size(archive, "a.xlsx", ParseLimits(max_unzipped_bytes=1000))
        check_unzipped_size(archive, "a.xlsx")  # the real file is far below the default


def test_xlsm_is_read_like_xlsx() -> None:
    doc = parse_bytes(AUGUST.read_bytes(), "2022年8月.xlsm")
    assert doc.source_format == "xlsm"
    assert len(doc.rows) == 48
    assert read_xlsx(AUGUST.read_bytes(), "a.xlsx").header_month == 8


def test_of_a_sheet_a_month_the_one_of_the_file_names_month_is_read() -> None:
    """Sheets 6月, 7月, 8月 in a file named …2022-08…: August's is read, the others named.
    Before: June's sheet (the first) was read, and the month taken from its title."""
    from tests.truth import Truth, loaded_rows

    rows, issues = loaded_rows(Truth("sheets/yueqing-2022-08-month-sheets.xlsx"))
    doc = parse_document(FIXTURES / "sheets" / "yueqing-2022-08-month-sheets.xlsx")
    assert doc.month == 8
    expected = pd.read_csv(FIXTURES / "yueqing-2022-08.expected.csv")
    assert rows["completion_pct"].tolist() == expected["completion_pct"].tolist()
    others = [i.message for i in issues if i.check == "not_a_row"]
    assert others == [
        "sheet 6月 has a progress table too; it was not read (sheet 8月 was): send each report "
        "as a file of its own",
        "sheet 7月 has a progress table too; it was not read (sheet 8月 was): send each report "
        "as a file of its own",
    ]
