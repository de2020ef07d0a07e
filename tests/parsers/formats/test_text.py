"""The text parser, rule by rule, and the golden parse of the August sample."""

from __future__ import annotations

import pandas as pd
import pytest

from parsers import (
    ParsedDocument,
    TableNotFound,
    UnreadableDocument,
    UnsupportedFormat,
    parse_bytes,
    parse_document,
)
from parsers.formats.text.bar_table import split_cells
from tests.helpers import (
    COMPARED,
    FIXTURES,
    SAMPLE,
    as_text,
    assert_nothing_lost,
    expected_rows,
    parsed,
    sample_lines,
    without_space,
)

HEADER = "项 目 内 容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任 单位 | 具体分管领导 |"


def parse_lines(
    lines: list[str], name: str = "2022年8月乐清市民生实事.txt", **kw
) -> ParsedDocument:
    return parse_bytes("\n".join(lines).encode("utf-8"), name, **kw)


def test_golden_sample_equals_expected_rows_in_every_column() -> None:
    doc = parse_document(SAMPLE, region="乐清市")
    expected = expected_rows()
    got = as_text(doc.rows, [*COMPARED, "source_line"])
    pd.testing.assert_frame_equal(got, expected.loc[:, [*COMPARED, "source_line"]])
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    assert doc.source_format == "txt"


def test_rows_carry_their_line_and_no_page() -> None:
    doc = parse_document(SAMPLE, region="乐清市")
    assert doc.rows["source_line"].tolist() == list(range(2, 50))
    assert doc.rows["source_page"].isna().all()


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [
        ("utf-8", "\n", b""),
        ("utf-8", "\r\n", b"\xef\xbb\xbf"),
        ("gb18030", "\r\n", b""),
        ("gbk", "\n", b""),
        ("gbk", "\r\n", b"\xef\xbb\xbf"),  # a UTF-8 mark before GBK, as some tools write
    ],
)
def test_encodings_and_line_endings_give_the_same_rows(
    encoding: str, newline: str, bom: bytes
) -> None:
    text = newline.join(sample_lines()) + newline
    data = bom + text.encode(encoding)
    doc = parse_bytes(data, "2022年8月.txt", region="乐清市")
    reference = parse_document(SAMPLE, region="乐清市")
    pd.testing.assert_frame_equal(doc.rows, reference.rows)


def test_header_found_after_a_title_and_blank_lines_which_give_the_period() -> None:
    lines = ["", "2022年乐清市民生实事项目8月份进展情况", "", *sample_lines()]
    doc = parse_lines(lines, name="report.txt")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rows["source_line"].iloc[0] == 5
    assert len(doc.rows) == 48


def test_full_width_marker_and_percent_sign() -> None:
    lines = [HEADER, "（3）建设老年食堂 | ∕ | 已完成。 | 100％ | 市民政局 | 倪庆渊 |"]
    row = parse_lines(lines).rows.iloc[0]
    assert (row["item_no"], row["content"], row["completion_pct"]) == (3, "建设老年食堂", 100.0)
    assert row["plan_text"] is None


@pytest.mark.parametrize("plan", ["∕", "/", ""])
def test_an_empty_plan_is_null(plan: str) -> None:
    lines = [HEADER, f"(1)项目 | {plan} | 已完成。 | 100% | 市民政局 | 倪庆渊 |"]
    assert parse_lines(lines).rows["plan_text"].isna().all()


def test_lagging_is_read_from_the_completion_cell_which_is_kept_as_written() -> None:
    lines = [
        HEADER,
        "(1)项目 | 计划 | 实际 | 63%,育英路未按计划完工,滞后进度 | 市治堵办 | 陈文周 |",
        "(2)项目 | 计划 | 滞后说明在实际栏 | 72% | 市治堵办 | 陈文周 |",
    ]
    rows = parse_lines(lines).rows
    assert rows["completion_raw"].tolist()[0] == "63%,育英路未按计划完工,滞后进度"
    assert rows["completion_pct"].tolist() == [63.0, 72.0]
    assert rows["is_lagging"].tolist() == [True, False]


def test_five_cells_inherit_the_department_four_cells_also_the_leader() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
        "(2)乙 | 计划 | 实际 | 72% | 王小强 |",
        "(3)丙 | 计划 | 实际 | 72% |",
    ]
    rows = parse_lines(lines).rows
    assert rows["department"].tolist() == ["市教育局"] * 3
    assert rows["leader"].tolist() == ["王旭良", "王小强", "王小强"]
    assert rows["department_inherited"].tolist() == [False, True, True]
    assert rows["leader_inherited"].tolist() == [False, False, True]


def test_a_row_without_marker_is_the_next_row_of_the_item_above() -> None:
    lines = [
        HEADER,
        "(22)新增城市绿道20公里 | 11公里 | 80% | 72% | 市市政公用工程建设 | 郑鹏 |",
        "9公里绿道 | 9公里绿道完成80% | 72% | 乐成中心城区管委会 | 徐祥忠 |",
    ]
    rows = parse_lines(lines).rows
    assert rows["item_no"].tolist() == [22, 22]
    assert rows["sub_no"].tolist() == [1, 2]
    assert rows["content"].tolist() == ["新增城市绿道20公里"] * 2
    assert rows["department"].tolist()[1] == "乐成中心城区管委会"
    assert not rows["department_inherited"].iloc[1]


def test_a_row_with_too_many_cells_is_rejected_with_its_line() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 | 多余 |",
        "(2)乙 | 计划 | 实际 | 72% | 市教育局 | 王小强 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows["item_no"].tolist() == [2]
    [rejected] = doc.rejected
    assert rejected.location.line == 2
    assert rejected.item_no == 1
    assert "7 cells" in rejected.reasons


def test_nothing_above_to_inherit_from_is_rejected_not_guessed() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% |",
        "续行 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows.empty
    assert [r.location.line for r in doc.rejected] == [2, 3]
    assert "no row above" in doc.rejected[0].reasons
    assert "item number" in doc.rejected[1].reasons


def test_a_note_after_the_table_is_a_warning_not_a_row() -> None:
    lines = [HEADER, "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |", "注:完成率按年度目标计算。"]
    doc = parse_lines(lines)
    assert len(doc.rows) == 1
    [issue] = doc.issues
    assert (issue.severity, issue.location.line, issue.action) == ("warning", 3, "line ignored")


def test_no_header_is_a_clear_error() -> None:
    with pytest.raises(TableNotFound, match="no table header"):
        parse_lines(sample_lines()[1:])


def test_an_empty_file_is_unreadable(tmp_path) -> None:
    path = tmp_path / "2022年8月.txt"
    path.write_bytes(b"")
    with pytest.raises(UnreadableDocument, match="2022年8月.txt: the file is empty"):
        parse_document(path)


def test_binary_junk_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="binary"):
        parse_bytes(bytes(range(256)) * 4, "2022年8月.txt")


def test_an_unknown_suffix_is_refused() -> None:
    with pytest.raises(UnsupportedFormat, match=r"'\.json' files are not reports: use \.txt"):
        parse_bytes(b"x", "2022年8月.json")


# --------------------------------------------------------------------------- office habits

TEXT = FIXTURES / "text"
NOTE_HEADER = "序号 | 项目内容 | 当前进度 | 牵头单位 | 备注"


def _same_as_expected(doc: ParsedDocument) -> None:
    """The 48 rows of August, every compared column equal (texts without spaces)."""
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )


@pytest.mark.parametrize(
    "name", ["yueqing-2022-08-note-column.txt", "yueqing-2022-08-note-column-header-border.txt"]
)
def test_a_trailing_bar_of_an_empty_note_cell_is_not_a_border(name: str) -> None:
    # 备注 is empty on most rows, so they end in '|'; the rows that say 滞后 do not.
    path = TEXT / name
    doc = parsed(path)
    expected = expected_rows()
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    got = as_text(doc.rows, ["item_no", "sub_no", "department", "department_inherited"])
    pd.testing.assert_frame_equal(
        got, expected[["item_no", "sub_no", "department", "department_inherited"]]
    )
    assert list(doc.rows.is_lagging) == list(expected.is_lagging == "True")
    assert doc.rows.leader.isna().all() and doc.rows.completion_pct.isna().all()
    assert_nothing_lost(path, doc)


def test_a_leading_bar_on_some_rows_is_an_empty_first_cell() -> None:
    # 序号 filled for items (1)–(20) only: the other rows start with the '|' of an empty cell.
    path = TEXT / "yueqing-2022-08-serial-some-rows.txt"
    doc = parsed(path)
    assert doc.rejected == []
    _same_as_expected(doc)
    assert_nothing_lost(path, doc)


def test_borders_are_read_from_the_whole_table_not_from_one_line() -> None:
    rows = [
        "1 | 甲 | 进度 | 市教育局 |",
        "2 | 乙 | 进度 | 市民政局 | 滞后",
        "3 | 丙 | 进度 | 市公安局 |",
    ]
    # The header draws no border: a '|' at the end of a row is the edge of an empty 备注.
    doc = parse_lines([NOTE_HEADER, *rows])
    assert doc.rows.department.tolist() == ["市教育局", "市民政局", "市公安局"]
    assert doc.rows.note.tolist() == ["", "滞后", ""]
    # The header draws a border and the rows none: the same.
    doc = parse_lines([f"| {NOTE_HEADER} |", *rows])
    assert doc.rows.department.tolist() == ["市教育局", "市民政局", "市公安局"]
    # Every row draws the border the header draws: a '|' at the end is that border.
    bordered = [
        f"| {NOTE_HEADER} |",
        "| 1 | 甲 | 进度 | 市教育局 | |",
        "| 2 | 乙 | 进度 | 市民政局 | 滞后 |",
    ]
    doc = parse_lines(bordered)
    assert doc.rejected == []
    assert doc.rows.department.tolist() == ["市教育局", "市民政局"]
    assert doc.rows.note.tolist() == ["", "滞后"]
    assert not doc.rows.department_inherited.any()


def test_a_row_that_fits_no_reading_is_quarantined_naming_line_item_and_what_to_change() -> None:
    lines = [
        NOTE_HEADER,
        "1 | 甲 | 进度 | 市教育局 |",
        "2 | 乙 | 进度 | 市民政局 | 滞后 | 多余",
        "3 | 丙 | 进度 | 市公安局 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows.item_no.tolist() == [1, 3]
    assert doc.rows.department.tolist() == ["市教育局", "市公安局"]
    [rejected] = doc.rejected
    assert (rejected.location.line, rejected.item_no) == (3, 2)
    [issue] = rejected.issues
    assert issue.describe() == (
        "2022年8月乐清市民生实事.txt, line 3: item (2): row has 6 cells; the header has 5 "
        "columns and a row may have 2, 3, 4, 5: give it one cell per column between '|' (an "
        "empty cell is written '| |'), and take out any '|' inside a cell's text"
    )


def test_a_stray_bar_before_an_item_is_read_the_way_that_keeps_the_item_in_place() -> None:
    # Read as an empty first cell, (2) would be item (1)'s second row with its project text
    # in the plan column; read as a border, the row fits with its department merged.
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
        "|(2)乙 | 计划 | 实际 | 72% | 王小强 |",
        "(3)丙 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
    ]
    doc = parse_lines(lines)
    assert doc.rejected == []
    assert doc.rows.item_no.tolist() == [1, 2, 3]
    assert doc.rows.content.tolist() == ["甲", "乙", "丙"]
    assert doc.rows.leader.tolist()[1] == "王小强"
    assert doc.rows.department_inherited.tolist() == [False, True, False]


def test_a_line_starting_with_an_item_whose_cells_shift_it_is_quarantined_not_loaded() -> None:
    # An empty cell before (2): no reading of the bars keeps (2) in the project column.
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
        "| | (2)乙 | 计划 | 实际 | 72% | 王小强 |",
        "(3)丙 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows.item_no.tolist() == [1, 3]
    [rejected] = doc.rejected
    assert (rejected.location.line, rejected.item_no) == (3, 2)
    assert rejected.reasons == (
        "item (2): the line starts item 2, but its cells put it in another column: check the "
        "'|' before and after it"
    )


def test_a_chat_paste_loads_the_48_rows_with_its_wrapped_rows_joined() -> None:
    path = TEXT / "yueqing-2022-08-wechat.txt"
    doc = parsed(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.title == "2022年乐清市民生实事项目8月份进展情况"  # not the sender's line
    assert doc.rejected == []
    _same_as_expected(doc)
    wrapped = [i for i in doc.issues if i.check == "wrapped_row"]
    assert len(wrapped) == 8
    assert wrapped[0].describe() == (
        "yueqing-2022-08-wechat.txt, line 4: item (1): lines 4–5 are one row wrapped over 2 "
        "lines (a chat or e-mail paste): joined"
    )
    # The reply under the table is a note, not a row.
    assert [i.value for i in doc.issues if i.check == "not_a_row"] == [
        "李华 2022/9/15 10:05",
        "收到，谢谢！",
    ]
    assert_nothing_lost(path, doc)


def test_a_tab_typed_for_a_bar_is_read_as_one_and_each_such_line_named() -> None:
    # Half the rows have a tab where a '|' belongs (before the leader, or between the
    # rate and the department). Read as text, the leader stuck to the department or the rate
    # and the department of the row above was inherited: 19 rows silently wrong.
    path = TEXT / "yueqing-2022-08-tabs-and-bars.txt"
    doc = parsed(path)
    assert doc.rejected == []
    _same_as_expected(doc)
    tabbed = [
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "\t" in line
    ]
    warned = [i for i in doc.issues if i.check == "tab_as_bar"]
    assert [i.location.line for i in warned] == tabbed
    assert len(tabbed) == 24
    assert {i.severity for i in warned} == {"warning"}
    assert warned[0].describe() == (
        "yueqing-2022-08-tabs-and-bars.txt, line 4: item (2): a tab separates two cells of "
        "this row where the others have '|': read as a '|'"
    )


def test_a_tab_inside_a_bar_row_splits_its_cell_but_not_at_the_bars() -> None:
    assert split_cells("a |\tb\t| c\t d |", tabs=True) == ["a", "b", "c", "d"]
    assert split_cells("a |\tb\t| c\t d |") == ["a", "b", "c\t d"]  # a header's cells


def test_a_tab_inside_a_cell_of_a_row_its_bars_fill_stays_in_the_cell() -> None:
    # A project text pasted from a numbered list keeps its tab; the row's bars give every
    # column, so the tab is the cell's text, not a bar typed as a tab.
    lines = sample_lines()
    at = next(n for n, line in enumerate(lines[1:], 1) if len(line.strip(" |").split("|")) == 6)
    cells = lines[at].split("|")
    plan, rate = cells[1].strip(), cells[3].strip()
    cells[1] = f" 1.\t{plan} "
    lines[at] = "|".join(cells)
    doc = parse_lines(lines)
    assert doc.rejected == []
    assert len(doc.rows) == 48
    assert not [i for i in doc.issues if i.check == "tab_as_bar"]
    row = doc.rows[doc.rows.plan_text.str.startswith("1.\t", na=False)].iloc[0]
    assert (row.plan_text, row.completion_raw) == (f"1.\t{plan}", rate)


def test_a_header_spaced_with_a_tab_is_still_the_header() -> None:
    header = HEADER.replace("项 目 内 容", "项 目\t内 容")
    doc = parse_lines([header, *sample_lines()[1:]])
    assert len(doc.rows) == 48


def test_utf8_saved_again_as_windows_1252_is_refused_saying_so() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        parse_document(FIXTURES / "bad" / "mojibake.txt")
    assert str(caught.value) == (
        "mojibake.txt: the text is UTF-8 that was opened as Western European (Windows-1252) "
        "and saved again: it shows 'å¹´ä¹æ¸…å¸‚æ°‘ç”Ÿå®žäº‹' for '年乐清市民生实事'. Ask for "
        "the original file, or open this one as Windows-1252 and save it as UTF-8"
    )


def test_a_row_wrapped_in_its_last_cell_is_joined_where_rows_end_with_the_border() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭",
        "良 |",
        "(2)乙 | 计划 | 实际 | 72% | 市民政",
        "局 | 倪庆渊 |",
    ]
    doc = parse_lines(lines)
    assert doc.rejected == []
    assert doc.rows.leader.tolist() == ["王旭良", "倪庆渊"]
    assert doc.rows.department.tolist() == ["市教育局", "市民政局"]
    assert doc.rows.source_line.tolist() == [2, 4]


def test_a_wrapped_row_that_does_not_fit_is_quarantined_under_its_own_item() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
        "(2)乙 | 计划 | 实际的前半",
        "段 | 多余 | 72% | 市民政局 | 倪庆渊 |",
        "(3)丙 | 计划 | 实际 | 72% | 市民政局 | 倪庆渊 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows.item_no.tolist() == [1, 3]
    [rejected] = doc.rejected
    assert (rejected.location.line, rejected.item_no) == (3, 2)
    assert rejected.raw == "(2)乙 | 计划 | 实际的前半\n段 | 多余 | 72% | 市民政局 | 倪庆渊 |"
    assert rejected.reasons.startswith("item (2): lines 3–4: row has 7 cells")


def test_a_line_that_starts_with_an_item_is_never_joined_to_the_row_above() -> None:
    lines = [
        HEADER,
        "(1)甲 | 计划 | 实际 | 72% | 市教育局",
        "(2)乙 | 计划 | 实际 | 72% | 市民政局 | 倪庆渊 |",
    ]
    doc = parse_lines(lines)
    # (1) has 5 cells: read as its department merged, and with nothing above, quarantined.
    assert doc.rows.item_no.tolist() == [2]
    assert [(r.location.line, r.item_no) for r in doc.rejected] == [(2, 1)]


def test_a_sender_line_above_the_table_is_not_the_period() -> None:
    # Sent in January about the December report: the file name says which month it is.
    lines = ["张晓明 2023/1/5 10:02", *sample_lines()]
    doc = parse_lines(lines, name="乐清市民生实事2022年8月.txt")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert len(doc.rows) == 48


def test_a_row_merged_from_a_row_with_a_cell_too_many_is_quarantined_with_it() -> None:
    # (31) leaves out its department and leader: they are (30)'s, 市残联 and 仇永亲. With
    # (30) quarantined, they must not become (29)'s 市民政局 and 倪庆渊.
    lines = sample_lines()
    assert lines[31].startswith("(30)") and lines[31].endswith("| 市残联 | 仇永亲 |")
    lines[31] += " 多余 |"
    doc = parse_lines(lines)
    assert [(r.location.line, r.item_no) for r in doc.rejected] == [(32, 30), (33, 31)]
    assert doc.rejected[1].reasons == (
        "item (31): department (责任单位), leader (具体分管领导) merged from the row above "
        "(line 32), which is quarantined: correct that row and this one is read with it"
    )
    assert len(doc.rows) == 46
    assert not doc.rows.item_no.isin([30, 31]).any()


def test_an_item_after_an_empty_serial_cell_starts_its_row_even_under_an_unfinished_one() -> None:
    lines = [
        "序号 | 项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导 |",
        "1 | (1)甲 | 计划 | 实际的前半",
        "| (2)乙 | 计划 | 实际 | 72% | 市民政局 | 倪庆渊 |",
    ]
    doc = parse_lines(lines)
    assert doc.rows.item_no.tolist() == [2]
    assert [(r.location.line, r.item_no) for r in doc.rejected] == [(2, 1)]


def test_the_rest_of_a_last_cell_is_joined_between_rows_of_a_table_without_borders() -> None:
    # No '|' closes the rows: the wrapped end of (1)'s leader has none, and sits between two
    # rows; the note under the last row is not joined.
    lines = [
        "项目内容|8月计划进度|实际进度情况|完成率|责任单位|具体分管领导",
        "(1)甲|计划|实际|72%|市教育局|王旭",
        "良",
        "(2)乙|计划|实际|72%|市民政局|倪庆渊",
        "注：完成率按年度目标计算。",
    ]
    doc = parse_lines(lines)
    assert doc.rejected == []
    assert doc.rows.leader.tolist() == ["王旭良", "倪庆渊"]
    assert [i.check for i in doc.issues] == ["wrapped_row", "not_a_row"]
    # Where every row ends with '|', the end of a row has one: a line without is not joined.
    closed = [line + "|" if "|" in line else line for line in lines]
    doc = parse_lines(closed)
    assert [(i.check, i.location.line) for i in doc.issues] == [("not_a_row", 3), ("not_a_row", 5)]


def test_an_e_mail_that_wraps_a_table_without_borders_loads_the_48_rows() -> None:
    # Every line cut at 76 characters: pieces that would each fit with merged cells left
    # out are one row when together they have every cell.
    path = TEXT / "yueqing-2022-08-email.txt"
    doc = parsed(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    _same_as_expected(doc)
    assert sum(i.check == "wrapped_row" for i in doc.issues) == 31
    assert_nothing_lost(path, doc)


def test_a_wrapped_number_that_does_not_count_up_is_not_a_new_row() -> None:
    # The wrap cut 1062 as '106' and '2 |': a 序号 of 2 after item 28 does not start a row.
    lines = [
        "序号 | 项目内容 | 当前进度 | 牵头单位 | 备注",
        "27 | 在公共场所新增AED(除颤仪)49台。 | 已完成招标。 | 市红十字会 |",
        "28 | 开展红十字救护员培训5000人次以上。 | 106",
        "2 |",
        "29 | 对全市200户低保、低边老年人家庭开展居家适老化改造。 | 已完成。 | 市民政局 |",
    ]
    doc = parse_lines(lines)
    assert doc.rejected == []
    assert doc.rows.item_no.tolist() == [27, 28, 29]
    assert doc.rows.actual_text.tolist()[1] == "1062"
    assert doc.rows.department_inherited.tolist() == [False, True, False]


def test_a_markdown_table_reads_without_its_rule_line_as_a_row() -> None:
    path = FIXTURES / "text" / "yueqing-2022-08-markdown.txt"
    assert "|:---|:---:|---|---:|---|---|" in path.read_text(encoding="utf-8")
    doc = parse_document(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    assert [i for i in doc.issues if i.severity != "info"] == []
    assert_nothing_lost(path, doc)
    got = as_text(doc.rows, COMPARED)
    pd.testing.assert_frame_equal(got, expected_rows().loc[:, COMPARED])


@pytest.mark.parametrize("rule", ["|------|------|------|", "+======+======+", "| --- | :-: |"])
def test_a_rule_drawn_between_rows_is_no_row(rule: str) -> None:
    sample = sample_lines()
    doc = parse_lines([sample[0], rule, sample[1], rule, sample[2]])
    assert doc.rejected == [] and [i.check for i in doc.issues] == []
    assert doc.rows["item_no"].tolist() == [1, 2]


def test_a_row_of_dashes_among_cells_is_still_a_row() -> None:
    # A plan cell of "---" in a real row is the row's text, not a rule.
    sample = sample_lines()
    row = sample[1].split(" | ")
    row[1] = "---"
    doc = parse_lines([sample[0], " | ".join(row)])
    assert doc.rows.loc[0, "plan_text"] == "---"


def test_pandocs_github_markdown_of_the_word_report_reads_its_bold_header_and_merges() -> None:
    # pandoc -f docx -t gfm: **bold** header and title, padded columns, merges as empty cells
    path = FIXTURES / "text" / "yueqing-2022-08-pandoc-gfm.txt"
    assert "| **项 目 内 容**" in path.read_text(encoding="utf-8")
    doc = parse_document(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    assert {i.check for i in doc.issues if i.severity != "info"} <= {"empty_cell_merged"}
    assert_nothing_lost(path, doc)
    got = without_space(as_text(doc.rows, COMPARED))
    pd.testing.assert_frame_equal(got, without_space(expected_rows().loc[:, COMPARED]))


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("**完成率**", "完成率"),
        ("__72%__", "72%"),
        ("**a** and **b**", "**a** and **b**"),
        ("** x **", "** x **"),
    ],
)
def test_a_cell_set_in_markdown_bold_is_its_text(cell: str, text: str) -> None:
    assert split_cells(f"| {cell} | b |") == [text, "b"]


def test_a_bar_escaped_as_markdown_writes_it_is_part_of_its_cell() -> None:
    assert split_cells(r"| 72%\|滞后 | 市教育局 |") == ["72%|滞后", "市教育局"]
    sample = sample_lines()
    row = sample[1].split(" | ")
    row[2] = row[2].replace("新吸收8所公助园,", r"新吸收8所公助园\|")
    doc = parse_lines([sample[0], "| --- | --- | --- | --- | --- | --- |", " | ".join(row)])
    assert doc.rejected == []
    assert doc.rows.loc[0, "actual_text"].startswith("新吸收8所公助园|总数")
