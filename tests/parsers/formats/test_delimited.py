"""Tab- and comma-separated text: a sheet saved by Excel, WPS or Calc as text or CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from parsers import TableNotFound, UnreadableDocument, parse_bytes
from parsers.formats.text.delimited import number_as_rate
from tests.helpers import (
    COMPARED,
    FIXTURES,
    as_text,
    assert_nothing_lost,
    expected_rows,
    parsed,
    sample_lines,
    without_space,
)
from tests.truth import Truth, loaded_rows

DELIMITED = FIXTURES / "delimited"
NAME = "2022年8月乐清市民生实事.csv"
HEADER = ["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]


@pytest.mark.parametrize(
    ("name", "source_format"),
    [
        ("yueqing-2022-08-excel-tab.txt", "txt"),  # Excel "Text (tab delimited)", GB18030
        ("yueqing-2022-08-excel-utf8.csv", "csv"),  # Excel "CSV UTF-8", with a BOM
        ("yueqing-2022-08-calc.tsv", "tsv"),  # LibreOffice Calc, tabs, UTF-8
        ("yueqing-2022-08-calc.csv", "csv"),  # LibreOffice Calc, commas, GB18030
        ("yueqing-2022-08-semicolon.csv", "csv"),  # Calc in a European locale: ';', UTF-8
    ],
)
def test_a_sheet_saved_as_text_gives_the_48_rows(name: str, source_format: str) -> None:
    path = DELIMITED / name
    doc = parsed(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.source_format == source_format
    assert doc.rejected == []
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )
    # Merged cells come out empty: read as merged, each with a warning at its line.
    merged = [i for i in doc.issues if i.check == "empty_cell_merged"]
    assert len(merged) == sum(expected_rows()[c].eq("True").sum() for c in INHERITED) + 1
    assert_nothing_lost(path, doc)


INHERITED = ["department_inherited", "leader_inherited"]


def test_a_cell_with_line_breaks_keeps_them_and_rows_keep_their_first_line() -> None:
    doc = parsed(DELIMITED / "yueqing-2022-08-excel-tab.txt")
    row = doc.rows.set_index("item_no").loc[6]
    assert row.completion_raw == "45%,\n建设量未达节点要求,滞后进度。"
    assert (row.completion_pct, row.is_lagging) == (45.0, True)
    # The title is line 1 and the header line 2; (6)'s rate runs over two lines, so (7)
    # starts on the line after them, and (13)'s actual progress over six.
    lines = doc.rows.set_index("item_no").source_line
    assert (lines[1], lines[6], lines[7]) == (3, 8, 10)
    assert lines[14] == lines[13] + 6


def _csv(*rows: str) -> bytes:
    return ("\r\n".join([",".join(HEADER), *rows]) + "\r\n").encode("utf-8-sig")


def test_a_row_with_a_cell_too_many_is_quarantined_naming_its_item() -> None:
    doc = parse_bytes(
        _csv(
            "(1)甲,计划,实际,72%,市教育局,王旭良",
            "(2)乙,计划,实际,72%,市民政局,倪庆渊,多余",
            "(3)丙,计划,实际,72%,市公安局,刘寅初",
        ),
        NAME,
    )
    assert doc.rows.item_no.tolist() == [1, 3]
    [rejected] = doc.rejected
    assert (rejected.location.line, rejected.item_no) == (3, 2)
    assert rejected.issues[0].describe() == (
        f"{NAME}, line 3: item (2): row has 7 cells; the header has 6 columns: a cell whose "
        "text holds the separator must be in double quotes (save the sheet again as text "
        "rather than typing it)"
    )


def test_a_row_merged_from_a_quarantined_row_is_quarantined_too() -> None:
    # (3)'s department and leader are (2)'s merged cells, left empty: (2) is quarantined, so
    # they are not (1)'s either.
    doc = parse_bytes(
        _csv(
            "(1)甲,计划,实际,72%,市教育局,王旭良",
            "(2)乙,计划,实际,72%,市民政局,倪庆渊,多余",
            "(3)丙,计划,实际,72%,,",
            "(4)丁,计划,实际,72%,市公安局,刘寅初",
        ),
        NAME,
    )
    assert doc.rows.item_no.tolist() == [1, 4]
    assert [(r.location.line, r.item_no) for r in doc.rejected] == [(3, 2), (4, 3)]
    assert doc.rejected[1].reasons == (
        "item (3): department (责任单位), leader (具体分管领导) merged from the row above (line "
        "3), which is "
        "quarantined: correct that row and this one is read with it"
    )


def test_missing_cells_at_the_end_of_a_row_are_empty() -> None:
    # Excel leaves out the separators of empty cells at the end of rows after the first ones.
    doc = parse_bytes(
        _csv("(1)甲,计划,实际,72%,市教育局,王旭良", "(2)乙,计划,实际,72%"),
        NAME,
    )
    assert doc.rejected == []
    assert doc.rows.department.tolist() == ["市教育局", "市教育局"]
    assert doc.rows.leader_inherited.tolist() == [False, True]


def test_a_short_row_whose_missing_cell_is_not_clear_is_quarantined() -> None:
    # Five cells: the leader's left empty at the end, or the department left out as merged?
    doc = parse_bytes(
        _csv("(1)甲,计划,实际,72%,市教育局,王旭良", "(2)乙,计划,实际,72%,王小强"),
        NAME,
    )
    assert doc.rows.item_no.tolist() == [1]
    [rejected] = doc.rejected
    assert (rejected.location.line, rejected.item_no) == (3, 2)
    assert rejected.reasons == (
        "item (2): row has 5 cells; the header has 6 columns, and which are missing is not "
        "clear: write every cell of the row, an empty one as nothing between two separators"
    )


def test_quotes_around_cells_with_commas_and_quotes_are_read_as_excel_writes_them() -> None:
    doc = parse_bytes(
        _csv('"(1)打造""15分钟""生活圈,新增80个",计划,实际,"63%,滞后进度",市教育局,王旭良'),
        NAME,
    )
    row = doc.rows.iloc[0]
    assert row.content == '打造"15分钟"生活圈,新增80个'
    assert (row.completion_pct, row.is_lagging) == (63.0, True)


@pytest.mark.parametrize(
    ("cell", "read"),
    [("72", "72%"), ("100", "100%"), ("0", "0%"), ("0.72", "0.72"), ("72%", "72%")],
)
def test_a_rate_typed_as_a_plain_number_is_read_as_a_sheet_shows_it(cell: str, read: str) -> None:
    assert number_as_rate(cell) == read


def test_a_bar_table_turned_into_tabs_loads_only_the_rows_it_can_tell() -> None:
    # The sample leaves its merged cells out, which a sheet saved as text never does: a row
    # without its two last cells reads the same either way, one without only its department
    # does not, and is quarantined rather than read with its leader as the department.
    lines = sample_lines()
    tabs = ["\t".join(c.strip() for c in line.rstrip(" |").split(" | ")) for line in lines]
    doc = parse_bytes("\n".join(tabs).encode("gb18030"), "2022年8月乐清市民生实事.txt")
    counts = {n: len(line.rstrip(" |").split(" | ")) for n, line in enumerate(lines, 1)}
    assert len(doc.rows) + len(doc.rejected) == 48
    rejected = {r.location.line: r.reasons for r in doc.rejected}
    assert {n for n, c in counts.items() if c == 5} <= set(rejected)
    # the rows merged from a quarantined one are quarantined with it
    for line, reasons in rejected.items():
        if counts[line] != 5:
            assert line - 1 in rejected and "merged from the row above" in reasons
    expected = expected_rows().set_index("source_line")
    for _, row in doc.rows.iterrows():
        assert row.department == expected.department[str(row.source_line)]
        assert row.leader == expected.leader[str(row.source_line)]


def test_no_header_with_any_separator_says_which_were_tried() -> None:
    with pytest.raises(TableNotFound) as caught:
        parse_bytes("序号,项目,推进措施,单位\r\n1,甲,乙,丙\r\n".encode(), NAME)
    message = str(caught.value)
    assert message.startswith(
        f"{NAME}: no table header found with cells separated by '|', by tabs, by commas or "
        "by semicolons "
        "(line 1 looks like a header, but column 3 `推进措施` is not a known column"
    )
    assert "no 责任单位 column" in message


def test_an_unclosed_quote_is_unreadable_with_its_line() -> None:
    # The quote would run to the end of the file and take every row after it into one cell.
    data = _csv("(1)甲,计划,实际,72%,市教育局,王旭良", '(2)乙,"计划,实际,72%,市民政局,倪庆渊')
    with pytest.raises(UnreadableDocument) as caught:
        parse_bytes(data, NAME)
    assert str(caught.value) == (
        f"{NAME}: line 3: unexpected end of data: a cell that starts with a double quote must "
        "end with one; save the sheet again as text"
    )


def test_excel_unicode_text_reads_like_its_tab_delimited_text() -> None:
    # "Unicode Text" is the same tab table in UTF-16 with a byte-order mark.
    path = DELIMITED / "yueqing-2022-08-excel-tab.txt"
    text = path.read_bytes().decode("gb18030")
    doc = parse_bytes(text.encode("utf-16"), path.name)
    pd.testing.assert_frame_equal(doc.rows, parsed(path).rows)


def test_last_months_row_left_hidden_in_the_sheet_is_named_where_it_loads() -> None:
    # Calc's CSV of a sheet whose hidden row 6 is July's row of (4) (63%, plan '7月:…'),
    # above August's: the text cannot tell which is this month's, so both are named.
    rows, issues = loaded_rows(Truth("delimited/yueqing-2022-08-hidden-july-row.csv"))
    [four] = rows[rows["item_no"] == 4].to_dict("records")
    assert (four["source_line"], four["completion_raw"]) == (6, "63%")
    by_check = {i.check: i for i in issues if i.check in ("unique_key", "repeated_key_kept")}
    assert by_check["unique_key"].location.line == 7
    kept = by_check["repeated_key_kept"]
    assert (kept.location.line, kept.severity) == (6, "warning")
    assert kept.describe() == (
        "yueqing-2022-08-hidden-july-row.csv, line 6: item (4) row 1 appears again at line 7, "
        "which is quarantined; this row was loaded: check which of the two is this month's"
    )
