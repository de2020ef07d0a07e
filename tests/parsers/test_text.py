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
from tests.conftest import SAMPLE, sample_lines
from tests.helpers import COMPARED, as_text, expected_rows

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
    with pytest.raises(UnsupportedFormat, match=r"'\.csv' files are not reports: use \.txt"):
        parse_bytes(b"x", "2022年8月.csv")
