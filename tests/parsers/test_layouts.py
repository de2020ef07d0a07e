"""Table layouts as offices write them: columns by name in any order, 序号, two-row headers,
同上, empty cells for merges, unknown columns, and other regions' tables.

The documents are under ``tests/fixtures/layouts/`` (made by ``make_layouts.py``); the August
variants must give exactly the rows of ``yueqing-2022-08.expected.csv``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from parsers import parse_bytes
from parsers.errors import TableNotFound
from parsers.layouts import LayoutsError, builtin_layouts, load_layouts
from parsers.table import find_header, header_miss, join_header_rows, match_header
from tests.helpers import COMPARED, FIXTURES, as_text, expected_rows, parsed, without_space

LAYOUTS = FIXTURES / "layouts"
AUGUST = "yueqing-2022-08"
SAME_ROWS = ["serial-column", "reordered", "two-row-header", "same-as-above", "unknown-column"]


def _parse(path: Path):
    return parsed(path, region="乐清市")


def _same_as_expected(rows: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        without_space(as_text(rows, COMPARED)), without_space(expected_rows()[COMPARED])
    )


CASES = [(case, fmt) for case in SAME_ROWS for fmt in ("txt", "docx")] + [
    ("serial-column", "pdf"),
    ("two-row-header", "pdf"),
]


@pytest.mark.parametrize(("case", "fmt"), CASES)
def test_a_layout_of_the_august_report_gives_its_48_rows(case: str, fmt: str) -> None:
    doc = _parse(LAYOUTS / f"{AUGUST}-{case}.{fmt}")
    assert (doc.year, doc.month, doc.period_kind) == (2022, 8, "month")
    assert doc.rejected == []
    _same_as_expected(doc.rows)


@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_same_as_above_is_inherited_with_an_info_issue_per_cell(fmt: str) -> None:
    doc = _parse(LAYOUTS / f"{AUGUST}-same-as-above.{fmt}")
    notes = [i for i in doc.issues if i.check == "same_as_above"]
    expected = expected_rows()
    merged = int((expected.department_inherited == "True").sum()) + int(
        (expected.leader_inherited == "True").sum()
    )
    assert len(notes) == merged + 1  # and item (22)'s second project cell
    assert {i.severity for i in notes} == {"info"}
    department = next(i for i in notes if i.column == "department")
    assert department.message.startswith("department (责任单位) says ")
    assert "read as 市教育局 from the row above" in department.message
    assert department.location.describe()  # the cell's line or row


@pytest.mark.parametrize(("fmt", "place"), [("txt", "line 3"), ("xlsx", "row 4")])
def test_empty_cells_in_a_text_table_or_sheet_are_merges_with_a_warning(
    fmt: str, place: str
) -> None:
    doc = _parse(LAYOUTS / f"{AUGUST}-empty-cells.{fmt}")
    assert doc.rejected == []
    _same_as_expected(doc.rows)
    warnings = [i for i in doc.issues if i.check == "empty_cell_merged"]
    assert len(warnings) == 26 and {i.severity for i in warnings} == {"warning"}
    first = warnings[0]
    assert (first.location.describe(), first.column) == (place, "department")
    assert first.message == (
        "department (责任单位) cell is empty under 市教育局: read as merged from the row above"
    )


@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_an_unknown_column_is_kept_in_extra_and_reported(fmt: str) -> None:
    doc = _parse(LAYOUTS / f"{AUGUST}-unknown-column.{fmt}")
    extra = [json.loads(value) for value in doc.rows["extra"]]
    assert extra[0] == {"推进措施": "按计划推进(1)"}
    assert extra[-1] == {"推进措施": "按计划推进(47)"}
    (warning,) = [i for i in doc.issues if i.check == "unknown_column"]
    assert warning.severity == "warning"
    assert warning.message.startswith("column 4 `推进措施` is not a known column (known: 序号, ")
    assert warning.message.endswith("; its values are kept in extra")


def _first_rows() -> pd.DataFrame:
    expected = expected_rows()
    return expected[expected.sub_no == "1"].reset_index(drop=True)


@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_a_table_without_completion_or_leader_loads_them_as_null(fmt: str) -> None:
    doc = _parse(LAYOUTS / f"{AUGUST}-current-progress.{fmt}")
    first = _first_rows()
    rows = doc.rows
    assert len(rows) == 47 and doc.rejected == []
    assert list(rows.item_no) == [int(n) for n in first.item_no]
    assert list(rows.department) == list(first.department)
    assert list(rows.department_inherited) == list(first.department_inherited == "True")
    assert rows.leader.isna().all() and rows.completion_raw.isna().all()
    assert rows.completion_pct.isna().all()
    # 备注 says 滞后 where the August completion cell did: that is what is_lagging reads.
    lagging = [int(n) for n in first.item_no[first.is_lagging == "True"]]
    assert len(lagging) == 7
    assert list(rows.item_no[rows.is_lagging]) == lagging
    assert list(rows.note[rows.note != ""]) == ["滞后"] * 7
    assert list(without_space(as_text(rows, ["content"])).content) == list(
        without_space(first[["content"]]).content
    )


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_a_year_end_table_is_month_12_of_kind_year(fmt: str) -> None:
    doc = _parse(LAYOUTS / f"yueqing-2022-year-end.{fmt}")
    first = _first_rows()
    assert (doc.region, doc.year, doc.month, doc.period_kind) == ("乐清市", 2022, 12, "year")
    assert set(doc.rows.period_kind) == {"year"}
    assert len(doc.rows) == 47 and doc.rejected == []
    assert list(doc.rows.department) == list(first.department)
    assert list(doc.rows.leader) == list(first.leader)
    assert doc.rows.completion_pct.isna().all()
    assert doc.rows.note[0] == "完成率72%"  # 完成成效
    assert doc.rows.plan_text.isna().all()


# --------------------------------------------------------------------------- the header


def test_columns_are_found_by_name_in_any_order() -> None:
    header = match_header(["责任 单位", "项目名称", "完成比例", "备注", "推进措施", "序号"])
    assert header is not None
    assert header.columns == ("department", "content", "completion", "note", None, "item_no")
    assert header.unknown() == [(4, "推进措施")]


def test_a_two_row_header_is_joined_before_matching() -> None:
    top = ["项目内容", "8月进展情况", "", "完成率", "责任单位", "具体分管领导"]
    bottom = [None, "计划进度", "实际进度情况", None, None, None]
    assert join_header_rows(top, bottom) == [
        "项目内容", "8月进展情况计划进度", "8月进展情况实际进度情况", "完成率", "责任单位",
        "具体分管领导",
    ]  # fmt: skip
    index, header = find_header([top, bottom, ["(1)…", "a", "b", "72%", "市教育局", "王旭良"]])
    assert (index, header.rows, header.month) == (0, 2, 8)
    assert header.columns == ("content", "plan", "actual", "completion", "department", "leader")


def test_a_header_row_over_data_is_one_row() -> None:
    top = ["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]
    data = ["(1)吸收", "意向", "新吸收", "72%", "市教育局", "王旭良"]
    assert find_header([top, data])[1].rows == 1


def test_a_header_without_a_required_column_is_named_in_the_message() -> None:
    cells = ["项目内容", "推进措施", "完成率", "具体分管领导"]
    assert match_header(cells) is None
    why = header_miss(cells)
    assert why is not None
    assert why.startswith(
        "column 2 `推进措施` is not a known column; no 责任单位 column (a header cell such as "
        "责任单位/牵头单位/主办单位/责任部门); known columns: 序号 (序号/编号/序), 项目内容 ("
    )
    text = "项目内容 | 推进措施 | 完成率 | 具体分管领导 |\n(1)a | b | 72% | 王旭良 |\n"
    with pytest.raises(TableNotFound, match="line 1 looks like a header, but column 2 `推进措施`"):
        parse_bytes(text.encode(), "2022年8月x.txt", region="乐清市")


def test_serial_and_marker_that_disagree_give_a_warning_and_the_marker_wins() -> None:
    text = (
        "序号 | 项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导 |\n"
        "1 | (1)吸收60所 | a | b | 72% | 市教育局 | 王旭良 |\n"
        "3 | (2)组建教共体 | a | b | 72% | 市教育局 | 王小强 |\n"
        "3 | 创建小而优 | a | b | 72% | 市教育局 | 王小强 |\n"
    )
    doc = parse_bytes(text.encode(), "2022年8月x.txt", region="乐清市")
    assert list(doc.rows.item_no) == [1, 2, 3]
    (warning,) = [i for i in doc.issues if i.check == "serial_mismatch"]
    assert warning.severity == "warning" and warning.location.line == 3
    assert warning.message == "序号 says 3 but the project text starts with (2); using (2)"


# --------------------------------------------------------------------------- layouts files


def test_the_built_in_table_is_the_shipped_toml() -> None:
    layouts = builtin_layouts()
    assert layouts.column_for("牵头单位") == "department"
    assert layouts.column_for("8月计划进度") == "plan"
    assert layouts.column_for("完成成效") == "note"
    assert layouts.column_for("推进措施") is None
    assert layouts.required == {"content", "department"}


def test_a_header_word_names_the_column_of_the_longest_name_it_ends_with() -> None:
    """Each known name, alone or after other words, against the rule spelled out directly;
    with the built-in names and with a file whose names end one another (进度, 计划进度)."""
    nested = builtin_layouts().extended({"columns": {"actual": {"names": ["进度"]}}}, "nested.toml")
    for layouts in (builtin_layouts(), nested):
        names = [(name, column) for column, ns in layouts.names.items() for name in ns]

        def by_rule(text: str, names=names) -> str | None:
            exact = [column for name, column in names if text == name]
            if exact:
                return exact[0]
            ending = [(len(name), column) for name, column in names if text.endswith(name)]
            return max(ending)[1] if ending else None

        words = ["", "本月", "8月", "截至目前", "具体"]
        tried = [prefix + name for name, _ in names for prefix in words] + ["", "推进措施", "月"]
        assert [layouts.column_for(t) for t in tried] == [by_rule(t) for t in tried]
    assert nested.column_for("8月计划进度") == "plan"
    assert nested.column_for("本月进度") == "actual"


def test_a_users_layouts_file_adds_names(tmp_path: Path) -> None:
    text = "项目内容 | 当前进度 | 承办单位 |\n(1)吸收60所 | 已完成 | 市教育局 |\n"
    with pytest.raises(TableNotFound):
        parse_bytes(text.encode(), "2022年8月x.txt", region="乐清市")
    file = tmp_path / "layouts.toml"
    file.write_text('[columns.department]\nnames = ["承办单位"]\n', encoding="utf-8")
    doc = parse_bytes(text.encode(), "2022年8月x.txt", region="乐清市", layouts=load_layouts(file))
    assert list(doc.rows.department) == ["市教育局"]


BAD_FILES = [
    (
        "[columns.departmnet]\nnames = ['承办单位']\n",
        "columns.departmnet: 'departmnet' is not a column; columns are item_no, content, ",
    ),
    (
        "[columns.department]\nnames = '承办单位'\n",
        "columns.department.names must be a list of strings",
    ),
    (
        "[columns.department]\nnames = ['责任人']\n",
        "columns.department.names: '责任人' already names column 'leader'",
    ),
    (
        "[columns.leader]\nnmes = ['x']\n",
        "columns.leader.nmes: unknown key; use label, names, required",
    ),
    (
        "[columns.leader\n",
        "not valid TOML (Expected ']' at the end of a table declaration (at line 1, column 16))",
    ),
    ("region = 'x'\n", "unknown key 'region' (a layouts file has only [columns.NAME] tables)"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_layouts_file_is_refused_with_the_file_and_the_key(
    tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "layouts.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(LayoutsError) as caught:
        load_layouts(file)
    assert str(caught.value).startswith(f"{file}: {message}")


@pytest.mark.parametrize(
    "header", ["完成率（%）", "完成率(%)", "完成率%", "完成率（％）", "完成率(本月)"]
)
def test_a_rate_header_with_its_unit_or_a_note_after_it_reads_the_rates(header: str) -> None:
    # `完成率（%）` named no column: every rate went to extra, and no item was lagging.
    text = (FIXTURES / f"{AUGUST}.txt").read_text("utf-8").replace("| 完成率 |", f"| {header} |", 1)
    assert header in text
    doc = parse_bytes(text.encode(), f"{AUGUST}.txt", region="乐清市")
    _same_as_expected(doc.rows)
    assert not [i for i in doc.issues if i.check in ("unknown_column", "no_completion_column")]


def test_a_table_without_a_rate_column_says_its_rates_are_not_loaded() -> None:
    text = (FIXTURES / f"{AUGUST}.txt").read_text("utf-8").replace("| 完成率 |", "| 达成度 |", 1)
    doc = parse_bytes(text.encode(), f"{AUGUST}.txt", region="乐清市")
    assert doc.rows["completion_pct"].isna().all()
    (warning,) = [i for i in doc.issues if i.check == "no_completion_column"]
    assert warning.severity == "warning"
    assert warning.message.startswith("no column of the table is the 完成率 column (its header: ")
    assert "达成度" in warning.message and "not loaded" in warning.message
