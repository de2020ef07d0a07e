"""The PDF parser on LibreOffice exports: page breaks, merged cells, bad files."""

from __future__ import annotations

import re

import pandas as pd
import pdfplumber
import pytest

from parsers import TableNotFound, UnreadableDocument, parse_bytes
from parsers.formats.pdf import (
    Fragment,
    PdfRow,
    join_lines,
    pdf_to_fragments,
    rows_to_grid,
    stitch_page_breaks,
    unclear_rows,
    unwrap,
)
from parsers.grid import grid_to_rows
from tests.conftest import FIXTURES
from tests.helpers import (
    COMPARED,
    as_text,
    assert_nothing_lost,
    expected_rows,
    parsed,
    without_space,
)

AUGUST_PDF = FIXTURES / "yueqing-2022-08.pdf"
BAD = FIXTURES / "bad"


def compared(frame: pd.DataFrame) -> pd.DataFrame:
    return without_space(as_text(frame, COMPARED))


def expected_items(first: int, last: int) -> pd.DataFrame:
    """Expected rows of items ``first``..``last`` as a table of their own would give them.

    The first row of such a table has nothing above it, so its department and leader are its
    own even where the full report merges them from the row above.
    """
    rows = expected_rows()
    numbers = rows["item_no"].astype(int)
    part = rows[(numbers >= first) & (numbers <= last)].reset_index(drop=True)
    part.loc[0, ["department_inherited", "leader_inherited"]] = "False"
    return without_space(part.loc[:, COMPARED])


@pytest.fixture(scope="module")
def august():
    return parsed(AUGUST_PDF)


def row_of(doc, item: int, sub: int = 1) -> pd.Series:
    rows = doc.rows
    [index] = rows.index[(rows["item_no"] == item) & (rows["sub_no"] == sub)]
    return rows.loc[index]


def test_august_pdf_gives_exactly_the_48_expected_rows(august) -> None:
    pd.testing.assert_frame_equal(compared(august.rows), without_space(expected_rows()[COMPARED]))
    assert august.rejected == []
    assert_nothing_lost(AUGUST_PDF, august)
    assert august.source_format == "pdf"


def test_period_and_region_come_from_the_title_on_page_one(august) -> None:
    assert (august.region, august.year, august.month) == ("乐清市", 2022, 8)
    assert august.title == "2022年乐清市民生实事项目8月份进展情况"


def test_rows_carry_their_page_and_row_counting_the_header_as_row_one(august) -> None:
    rows = august.rows
    assert rows["source_page"].notna().all() and rows["source_line"].isna().all()
    assert rows["source_page"].is_monotonic_increasing
    assert rows["source_page"].tolist()[:5] == [1] * 5 and rows["source_page"].iloc[-1] == 6
    where = {
        item: (int(row_of(august, item)["source_page"]), int(row_of(august, item)["source_row"]))
        for item in (1, 5, 6, 32, 47)
    }
    # (5) starts on page 1 and runs on to page 2, whose row 2 is its rest: (6) is row 3.
    # Page 5 starts cleanly with (32).
    assert where == {1: (1, 2), 5: (1, 6), 6: (2, 3), 32: (5, 2), 47: (6, 8)}


def test_a_row_cut_by_a_page_break_is_one_row_in_every_column(august) -> None:
    item5 = row_of(august, 5)
    assert re.sub(r"\s", "", item5["plan_text"]).endswith("完成装修3家。")
    item20 = row_of(august, 20)
    assert item20["completion_raw"] == "63%,尚处招标阶段,未开工建设,滞后进度。"
    assert item20["is_lagging"] and item20["completion_pct"] == 63.0
    assert item20["department"] == "市生态环境局"
    # Break 5 cuts (41) inside its project cell and its completion cell.
    item41 = row_of(august, 41)
    assert item41["content"] == "新开工提标加固海塘18.4公里。"
    assert item41["completion_raw"] == "63%,3个海塘初设批复未完成,滞后进度。"


def test_merged_cells_within_a_page(august) -> None:
    sub1, sub2 = row_of(august, 22, 1), row_of(august, 22, 2)
    assert sub1["content"] == sub2["content"]
    assert (sub2["department"], sub2["department_inherited"]) == ("乐成中心城区管委会", False)
    item31 = row_of(august, 31)
    assert item31["department_inherited"] and item31["leader_inherited"]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("merged-dept-across-break", 3, 14),
        ("split-first-column", 9, 20),
        ("two-row-item-across-break", 17, 28),
        ("no-repeated-header", 1, 20),
        ("section-rows", 1, 12),
        ("notes-after", 1, 12),
        ("two-tables", 1, 12),
    ],
)
def test_pdf_variants_give_the_expected_rows(name: str, first: int, last: int) -> None:
    doc = parsed(FIXTURES / "pdf" / f"{name}.pdf")
    assert doc.rejected == []
    assert_nothing_lost(FIXTURES / "pdf" / f"{name}.pdf", doc)
    pd.testing.assert_frame_equal(compared(doc.rows), expected_items(first, last))
    assert doc.rows["source_page"].max() >= 2
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)


def test_a_table_restarted_under_its_header_inherits_and_other_tables_are_not_read() -> None:
    doc = parsed(FIXTURES / "pdf" / "two-tables.pdf")
    item9 = row_of(doc, 9)
    assert (item9["department"], item9["leader"]) == ("市民政局", "倪庆渊")
    assert item9["department_inherited"] and item9["leader_inherited"]
    assert doc.title == "2022年乐清市民生实事项目8月份进展情况"
    assert not doc.rows["raw"].str.contains("张晓明").any()


def test_a_merged_department_running_past_a_break_is_inherited() -> None:
    doc = parsed(FIXTURES / "pdf" / "merged-dept-across-break.pdf")
    item9 = row_of(doc, 9)
    assert (item9["department"], item9["leader"]) == ("市民政局", "倪庆渊")
    assert item9["department_inherited"] and item9["leader_inherited"]
    assert (int(item9["source_page"]), int(item9["source_row"])) == (2, 2)


def test_a_row_cut_inside_its_project_cell_is_joined() -> None:
    doc = parsed(FIXTURES / "pdf" / "split-first-column.pdf")
    item14 = row_of(doc, 14)
    assert re.sub(r"\s", "", item14["content"]) == "优化调整公交线路10条,新增公交线路2条。"
    assert "微2002路" in item14["actual_text"]
    assert len(doc.rows) == 12


def test_a_two_row_item_cut_by_a_break_keeps_both_rows_with_the_whole_project_text() -> None:
    doc = parsed(FIXTURES / "pdf" / "two-row-item-across-break.pdf")
    full = "新增城市绿道20公里(中心区管委会负责9公里、市政公用中心负责11公里)"
    sub1, sub2 = row_of(doc, 22, 1), row_of(doc, 22, 2)
    assert sub1["content"] == full and sub2["content"] == full
    assert sub1["plan_text"].startswith("11公里") and sub2["plan_text"].startswith("9公里")
    assert (sub2["leader"], sub2["leader_inherited"]) == ("徐祥忠", False)
    assert int(sub2["source_page"]) == 2


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("市生态环境", "局", "市生态环境局"),
        ("完成装", "修3家。", "完成装修3家。"),
        ("Smart", "City", "Smart City"),
        ("18.4公", "里", "18.4公里"),
        ("进度 ", " 80%", "进度80%"),
    ],
)
def test_wrapped_lines_join_without_a_space_in_chinese_text(left, right, joined) -> None:
    assert join_lines(left, right) == joined
    assert unwrap(f"{left}\n{right}") == joined


def page(number: int, *rows: list[str | None]) -> Fragment:
    return Fragment(number, rows=[PdfRow(list(r), number, i) for i, r in enumerate(rows, 2)])


def test_stitching_rules_on_the_first_row_of_a_page() -> None:
    stitched = stitch_page_breaks(
        [
            page(
                1,
                ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"],
                ["(2)乙项", "计", "实", "63%,未", "市民政局", "倪庆渊"],
            ),
            page(
                2,
                ["目", "划", "", "完成,滞后", "", ""],
                ["(3)丙", "计划", "实际", "100%", None, None],
            ),
            page(3, ["(4)丁", "计划", "实际", "100%", "", ""]),
            page(4, ["", "计划二", "实际二", "80%", "市治堵办", ""]),
        ]
    )
    assert [r.cells for r in stitched] == [
        ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"],
        ["(2)乙项目", "计划", "实", "63%,未完成,滞后", "市民政局", "倪庆渊"],
        ["(3)丙", "计划", "实际", "100%", None, None],
        ["(4)丁", "计划", "实际", "100%", None, None],
        [None, "计划二", "实际二", "80%", "市治堵办", None],
    ]
    assert [(r.page, r.row) for r in stitched] == [(1, 2), (1, 3), (2, 3), (3, 2), (4, 2)]


def test_the_rest_of_a_merged_cell_goes_where_the_merge_started() -> None:
    stitched = stitch_page_breaks(
        [
            page(
                1,
                ["(22)新增绿道(中心区", "11公里", "实际", "72%", "市市政公用", "郑鹏"],
                [None, "9公里", "实", "72%", "乐成管委会", "徐祥忠"],
            ),
            page(2, ["负责)", "", "际", "", "", ""]),
        ]
    )
    assert [r.cells for r in stitched] == [
        ["(22)新增绿道(中心区负责)", "11公里", "实际", "72%", "市市政公用", "郑鹏"],
        [None, "9公里", "实际", "72%", "乐成管委会", "徐祥忠"],
    ]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("junk.pdf", UnreadableDocument, "junk.pdf: not a PDF or damaged"),
        (
            "encrypted.pdf",
            UnreadableDocument,
            "encrypted.pdf: password-protected PDF: send it without a password",
        ),
        (
            "scanned.pdf",
            UnreadableDocument,
            "scanned.pdf: page 1 is scanned at 60 dpi, too coarse to read reliably",
        ),
        ("no-table.pdf", TableNotFound, "no-table.pdf: no progress table found"),
    ],
)
def test_bad_pdfs_raise_a_clear_error(name: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        parsed(BAD / name)
    assert str(caught.value).startswith(message)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        ("2022年8月 | 不是PDF".encode(), "not a PDF or damaged"),
        (AUGUST_PDF.read_bytes()[:30000], "not a PDF or damaged"),
    ],
)
def test_text_empty_and_truncated_files_named_pdf_are_unreadable(data: bytes, message) -> None:
    with pytest.raises(UnreadableDocument, match=re.escape(message)):
        parse_bytes(data, "2022年8月.pdf")


def test_cut_cells_are_told_by_the_room_left_under_their_text() -> None:
    with pdfplumber.open(AUGUST_PDF) as pdf:
        fragments = pdf_to_fragments(pdf, AUGUST_PDF.name).fragments
    room = {f.page: f.room for f in fragments}
    # Page 1 ends inside (5)'s plan cell; the other cells of (5) ended above the break.
    assert room[1][1] < 1 and min(room[1][c] for c in (0, 2, 3, 4, 5)) > 1.5
    # Page 5 ends inside (41), a one-line row cut after that line: every cell is full.
    assert max(room[5]) < 1


def test_text_under_a_cell_that_was_not_cut_is_not_glued_to_it() -> None:
    full = [0.3] * 6
    ended = [0.3, 4.0, 4.0, 4.0, 4.0, 4.0]  # only the project cell reached the page bottom
    last = ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"]
    without_number = ["乙", "计划", "实际", "待核实", "市民政局", "倪庆渊"]

    def stitched(room: list[float]) -> list[list[str | None]]:
        first = page(1, last)
        first.room = room
        return [r.cells for r in stitch_page_breaks([first, page(2, without_number)])]

    assert stitched(full) == [
        ["(1)甲乙", "计划计划", "实际实际", "72%待核实", "市教育局市民政局", "王旭良倪庆渊"]
    ]
    assert stitched(ended) == [last, without_number]


def test_a_page_top_row_without_number_under_finished_cells_is_rejected_with_its_place() -> None:
    first = page(1, ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"])
    first.room = [3.0] * 6
    second = page(2, ["乙项目", "计划", "实际", "完成", "市民政局", "倪庆渊"])
    rows, rejected, _ = grid_to_rows(rows_to_grid(stitch_page_breaks([first, second])), "r.pdf")
    assert rows["item_no"].tolist() == [1]
    [row] = rejected
    assert (row.location.page, row.location.row) == (2, 2)
    assert "item number" in row.reasons


# --------------------------------------------------------------------------- browser prints

BROWSER = FIXTURES / "pdf" / "browser"
BROWSER_PRINTS = ["a4-landscape", "a4-portrait", "header-footer", "styled"]
ON = ["item_no", "sub_no", "department", "leader", "completion_raw", "content"]


@pytest.mark.heavy
@pytest.mark.parametrize("variant", BROWSER_PRINTS)
def test_a_browser_print_of_the_web_page_gives_the_48_expected_rows(variant: str) -> None:
    path = BROWSER / f"yueqing-2022-08-{variant}.pdf"
    doc = parsed(path)  # no option: period and region from the <h1> title
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.title == "2022年乐清市民生实事项目8月份进展情况"
    assert doc.rejected == []
    pd.testing.assert_frame_equal(compared(doc.rows)[ON], without_space(expected_rows()[ON]))
    assert_nothing_lost(path, doc)


def test_merged_cells_running_over_a_break_take_the_value_printed_on_either_page() -> None:
    doc = parsed(BROWSER / "yueqing-2022-08-a4-landscape.pdf")
    # 市教育局 is drawn on page 1; (4), on page 2, is under the same merged cell.
    item4 = row_of(doc, 4)
    assert (item4["department"], item4["department_inherited"]) == ("市教育局", True)
    assert int(item4["source_page"]) == 2
    # The text layer spells 卫生 with a Kangxi radical; the row loads the ideograph and
    # keeps the text as written in ``raw``.
    item5 = row_of(doc, 5)
    assert item5["department"] == "市卫生健康局" and "⽣" in item5["raw"]


def test_the_publication_line_above_the_table_is_not_the_title() -> None:
    doc = parsed(BROWSER / "yueqing-2022-08-header-footer.pdf")
    assert doc.title == "2022年乐清市民生实事项目8月份进展情况"
    assert doc.month == 8  # not 9, the month of 发布日期：2022-09-16


def test_a_cell_running_on_by_the_ruling_goes_to_the_rows_it_covers() -> None:
    # Page 1 ends inside a department cell merged over (1)-(2) with nothing drawn there;
    # its text is printed on page 2, where the same cell covers (3).
    first = page(
        1,
        ["(1)甲", "计划", "实际", "72%", "", "王旭良"],
        ["(2)乙", "计划", "实际", "72%", None, "王小强"],
    )
    first.open_bottom = [False, False, False, False, True, False]
    second = page(2, ["(3)丙", "计划", "实际", "72%", "市教育局", "王小强"])
    second.open_top = [False] * 6
    rows, rejected, _ = grid_to_rows(rows_to_grid(stitch_page_breaks([first, second])), "r.pdf")
    assert rejected == []
    assert rows["department"].tolist() == ["市教育局"] * 3
    assert rows["department_inherited"].tolist() == [False, True, True]


def test_an_empty_cell_above_a_closed_break_with_a_value_under_it_is_quarantined() -> None:
    # The frame is closed at the break (as LibreOffice draws it): an empty department at the
    # bottom of page 1 and 市教育局 on page 2 may be one merged cell or two: not guessed.
    first = page(
        1,
        ["(1)甲", "计划", "实际", "72%", "", "王旭良"],
        ["(2)乙", "计划", "实际", "72%", None, "王小强"],
    )
    first.open_bottom, first.room = [False] * 6, [3.0] * 6
    second = page(2, ["(3)丙", "计划", "实际", "72%", "市教育局", "王小强"])
    second.open_top = [False] * 6
    stitched = stitch_page_breaks([first, second])
    rows, _, _ = grid_to_rows(rows_to_grid(stitched), "r.pdf")
    assert rows["item_no"].tolist() == [3]
    unclear = unclear_rows(stitched, "r.pdf")
    assert [(r.item_no, r.location.page, r.location.row) for r in unclear] == [
        (1, 1, 2),
        (2, 1, 3),
    ]
    assert unclear[0].reasons.startswith("department unclear at the page break on page 1")
