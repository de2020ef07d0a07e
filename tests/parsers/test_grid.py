"""The grid step's rules that keep a wrong value from loading unsaid: empty cells, merges
under quarantined rows, lagging read from a note (``parsers.grid``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from parsers import ParsedDocument, parse_document
from parsers.cells import says_lagging
from parsers.grid import grid_to_rows, merges_written_empty
from parsers.model import Location
from parsers.table import match_header
from schemas import Validated, validate_rows
from tests.helpers import FIXTURES, expected_rows, parsed, sample_lines

NAME = "2022年8月乐清市民生实事项目进展情况.txt"


def _text_report(folder: Path, lines: list[str]) -> Path:
    path = folder / NAME
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _checked(doc: ParsedDocument) -> Validated:
    return validate_rows(
        doc.rows,
        region=str(doc.region),
        year=int(doc.year or 0),
        month=int(doc.month or 0),
        source_name=doc.source_name,
    )


def _quarantined(doc: ParsedDocument, checked: Validated) -> dict[int, str]:
    """Quarantined rows by text line, with their reasons."""
    rows = [*doc.rejected, *checked.quarantined]
    return {int(r.location.line or 0): r.reasons for r in rows}


def _by_item(rows: pd.DataFrame) -> dict[tuple[int, int], tuple[str, str]]:
    return {(int(r.item_no), int(r.sub_no)): (r.department, r.leader) for r in rows.itertuples()}


def _truth() -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (int(r.item_no), int(r.sub_no)): (r.department, r.leader)
        for r in expected_rows().itertuples()
    }


# --------------------------------------------------------------------- how merges are written


def test_an_emptied_leader_cell_in_a_report_that_leaves_merges_out_is_quarantined(
    tmp_path: Path,
) -> None:
    lines = sample_lines()
    assert lines[7].endswith("| 市妇联 | 陈玮莉 |")  # line 8, item (7)
    lines[7] = lines[7].replace("| 陈玮莉 |", "|  |")
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    assert _quarantined(doc, checked) == {8: "leader (具体分管领导) is empty"}
    # Not read as merged from (6)'s 刘寅初: no row loads a leader the document does not give.
    assert not any(i.check == "empty_cell_merged" for i in doc.issues)
    truth = _truth()
    del truth[(7, 1)]
    assert _by_item(checked.rows) == truth


def test_a_report_that_writes_merges_as_empty_cells_still_reads_them_as_merged() -> None:
    doc = parsed(FIXTURES / "layouts/yueqing-2022-08-empty-cells.txt", region="乐清市")
    assert doc.rejected == []
    assert _by_item(_checked(doc).rows) == _truth()
    assert sum(1 for i in doc.issues if i.check == "empty_cell_merged") > 10


def test_the_document_decides_from_most_of_its_merged_rows() -> None:
    header = match_header(["项目内容", "完成率", "责任单位", "具体分管领导"])
    assert header is not None

    def row(n: int, department: str | None, leader: str | None) -> object:
        return header.grid_row([f"({n})x", "72%", department, leader], Location(line=n), "")

    left_out = [row(1, "市教育局", "王旭良"), row(2, None, "王小强"), row(3, None, None)]
    written = [row(1, "市教育局", "王旭良"), row(2, "", "王小强"), row(3, "", "")]
    assert not merges_written_empty(left_out + [row(4, "市公安局", "")])
    assert merges_written_empty(written)


# ------------------------------------------------------------- merges under quarantined rows


def test_a_row_merged_from_a_row_with_a_cell_too_many_is_quarantined_too(tmp_path: Path) -> None:
    lines = sample_lines()
    assert lines[31].endswith("| 市残联 | 仇永亲 |")  # line 32, item (30)
    assert lines[32].endswith("| 100% |")  # line 33, item (31): department and leader merged
    lines[31] = lines[31] + " 多余 |"
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    quarantined = _quarantined(doc, checked)
    assert sorted(quarantined) == [32, 33]
    # The text reader quarantines the row with a cell too many itself, and the row merged
    # from it with it.
    assert quarantined[33] == (
        "item (31): department (责任单位), leader (具体分管领导) merged from the row above "
        "(line 32), which is quarantined: correct that row and this one is read with it"
    )
    # Before, (31) loaded 市民政局/倪庆渊, the department and leader of (29), with no issue.
    assert 31 not in set(checked.rows.item_no)
    truth = _truth()
    del truth[(30, 1)], truth[(31, 1)]
    assert _by_item(checked.rows) == truth


def test_three_broken_rows_and_the_rows_merged_from_them(tmp_path: Path) -> None:
    lines = sample_lines()
    assert lines[26].endswith("| 72% | 黄李虎 |")  # line 27, item (25)
    assert lines[27].endswith("| 100% |")  # line 28, item (26): department and leader merged
    assert lines[8].endswith("| 市民政局 | 倪庆渊 |")  # line 9, item (8)
    assert lines[9].endswith("| 100% |")  # line 10, item (9): department and leader merged
    lines[26] = lines[26].replace("| 72% |", "| 待核实 |")
    lines[31] = lines[31] + " 多余 |"  # line 32, item (30); line 33 merged from it
    lines[8] = lines[8].replace("| 倪庆渊 |", "|  |")
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    quarantined = _quarantined(doc, checked)
    assert sorted(quarantined) == [9, 10, 27, 32, 33]
    assert quarantined[9] == "leader (具体分管领导) is empty"
    assert quarantined[10] == (
        "leader (具体分管领导) cell is merged from line 9, whose cell is empty: fill in the "
        "leader (具体分管领导)"
    )
    assert quarantined[27] == "completion rate '待核实' is not a percentage"
    # (26) is merged from (25), whose cells are readable: loaded, and the report says so, for
    # the department (25) took from above too: a row quarantined may not have been merged.
    loaded = _by_item(checked.rows)
    assert loaded[(26, 1)] == ("市卫生健康局", "黄李虎")
    said = [i for i in checked.issues if i.check == "merged_from_quarantined"]
    assert [(i.location.line, i.column, i.severity) for i in said] == [
        (28, "department", "warning"),
        (28, "leader", "warning"),
    ]
    assert said[1].message == (
        "leader (具体分管领导) cell is merged from line 27, which is quarantined: read as 黄李虎 "
        "from that row; check it"
    )
    truth = _truth()
    for key in [(8, 1), (9, 1), (25, 1), (30, 1), (31, 1)]:
        del truth[key]
    assert loaded == truth


def test_a_row_merged_from_a_row_rejected_for_its_item_number_takes_its_cells_and_says_so() -> None:
    header = match_header(["项目内容", "完成率", "责任单位", "具体分管领导"])
    assert header is not None
    grid = [
        header.grid_row(["(1)a", "72%", "市教育局", "王旭良"], Location(line=2), ""),
        header.grid_row(["b without number", "72%", "市民政局", "倪庆渊"], Location(line=3), ""),
        header.grid_row(["(3)c", "72%", None, None], Location(line=4), ""),
    ]
    rows, rejected, issues = grid_to_rows(grid, "x.txt")
    assert [r.location.line for r in rejected] == [3]
    assert list(rows.department) == ["市教育局", "市民政局"]
    assert list(rows.leader) == ["王旭良", "倪庆渊"]
    warned = [(i.location.line, i.column) for i in issues if i.check == "merged_from_quarantined"]
    assert warned == [(4, "department"), (4, "leader")]

    # Another row of an item whose first row has no number continues nothing: not (1).
    grid = [
        grid[0],
        grid[1],
        header.grid_row([None, "80%", "市残联", "仇永亲"], Location(line=4), ""),
    ]
    rows, rejected, issues = grid_to_rows(grid, "x.txt")
    assert [r.location.line for r in rejected] == [3, 4]
    assert rejected[1].reasons == (
        "project text (项目内容) cell is merged from line 3, which is quarantined: write the "
        "project text (项目内容) in this row, or correct that row"
    )
    assert list(rows.item_no) == [1]


# ------------------------------------------------------------------------- lagging from notes


def test_a_sheet_with_rates_as_numbers_and_the_lag_in_a_note_loads_the_lagging_rows() -> None:
    doc = parsed(FIXTURES / "guards/yueqing-2022-08-rate-numbers-notes.xlsx")
    expected = expected_rows()
    assert doc.rejected == []
    assert list(doc.rows.completion_raw[:2]) == ["72%", "72%"]  # a number formatted 0%
    assert list(doc.rows.is_lagging) == list(expected.is_lagging == "True")
    assert int(doc.rows.is_lagging.sum()) == 7
    lagging = doc.rows[doc.rows.is_lagging]
    assert lagging.note.str.contains("滞后").all()


def test_a_note_that_disagrees_with_the_rate_gets_a_warning() -> None:
    header = match_header(["项目内容", "完成率", "责任单位", "具体分管领导", "备注"])
    assert header is not None
    grid = [
        header.grid_row(["(1)a", "100%", "市教育局", "王旭良", "滞后进度"], Location(line=2), ""),
        header.grid_row(["(2)b", "45%,滞后", "市教育局", "王小强", "未滞后"], Location(line=3), ""),
        header.grid_row(["(3)c", "63%", "市教育局", "赵晓宾", "进度滞后"], Location(line=4), ""),
        header.grid_row(["(4)d", "72%", "市教育局", "赵晓宾", "不存在滞后"], Location(line=5), ""),
    ]
    rows, rejected, issues = grid_to_rows(grid, "x.txt")
    assert rejected == []
    assert list(rows.is_lagging) == [True, True, True, False]
    said = [(i.location.line, i.severity) for i in issues if i.check == "lagging_disagrees"]
    assert said == [(2, "warning"), (3, "warning")]


def test_lagging_is_read_past_a_negation() -> None:
    assert says_lagging("63%,育英路未按计划完工,滞后进度")
    assert not says_lagging("按序时推进,未滞后")
    assert not says_lagging("无滞后")
    assert not says_lagging(None)


def test_a_line_typed_with_full_width_bars_does_not_hand_the_next_row_the_cells_above_it(
    tmp_path: Path,
) -> None:
    # Item (30)'s line written with ｜: no reader takes it, and (31), whose department and
    # leader are merged from (30), loaded (29)'s 市民政局 and 倪庆渊 with no word.
    lines = sample_lines()
    assert lines[31].startswith("(30)") and lines[31].endswith("| 市残联 | 仇永亲 |")
    assert lines[32].startswith("(31)") and lines[32].endswith("| 100% |")
    lines[31] = lines[31].replace("|", "｜")
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    quarantined = _quarantined(doc, checked)
    assert sorted(quarantined) == [32, 33]
    assert "line 32" in quarantined[33] and "department" in quarantined[33]
    loaded = _by_item(checked.rows)
    assert (30, 1) not in loaded and (31, 1) not in loaded
    assert loaded[(29, 1)] == ("市民政局", "倪庆渊")


def test_a_row_shifted_by_one_full_width_bar_warns_on_every_cell_merged_through_it(
    tmp_path: Path,
) -> None:
    # One ｜ in (30)'s line joins two cells: the row is quarantined for its rate (市残联), its
    # department was read as merged from (29), and (31) took 市民政局 with a warning on the
    # leader only.
    lines = sample_lines()
    lines[31] = lines[31].replace("| 100% |", "｜ 100% |", 1)
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    assert sorted(_quarantined(doc, checked)) == [32]
    said = [i for i in checked.issues if i.check == "merged_from_quarantined"]
    assert [(i.location.line, i.column) for i in said] == [(33, "department"), (33, "leader")]


@pytest.mark.parametrize("first", [45, 16], ids=["the-last-two", "mid-table"])
def test_two_items_pasted_into_one_row_are_quarantined_not_loaded_as_one(
    tmp_path: Path, first: int
) -> None:
    # (46) and (47) pasted into one row: 47 vanished and 46 loaded 47's texts with exit 0;
    # the last two leave no numbering gap to warn about.
    lines = sample_lines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"({first})"))
    nxt = next(i for i, line in enumerate(lines) if line.startswith(f"({first + 1})"))
    cells = [c.strip() for c in lines[at].strip().strip("|").split("|")]
    below = [c.strip() for c in lines[nxt].strip().strip("|").split("|")]
    cells[:3] = [f"{a}{b}" for a, b in zip(cells[:3], below[:3], strict=True)]
    lines[at] = " | ".join(cells) + " |"
    del lines[nxt]
    doc = parse_document(_text_report(tmp_path, lines))
    checked = _checked(doc)
    assert first not in set(checked.rows["item_no"]) and first + 1 not in set(doc.rows["item_no"])
    (joined,) = [r for r in doc.rejected if r.reasons.startswith("the project text")]
    assert joined.location.line == at + 1
    assert joined.reasons == (
        f"the project text of item ({first}) holds ({first + 1}) too, and no row of its own has "
        f"({first + 1}): two items written in one row; write ({first + 1}) in a row of its own"
    )


def test_a_rate_cell_with_a_second_percentage_loads_the_first_and_says_so(tmp_path: Path) -> None:
    # `20%(本月),累计90%`: 20 loaded, the cumulative 90 nowhere said.
    lines = sample_lines()
    line = next(i for i, text in enumerate(lines) if text.startswith("(12)"))
    rate = [c.strip() for c in lines[line].split("|")][3]
    assert rate.endswith("%")
    lines[line] = lines[line].replace(f"| {rate} |", "| 20%(本月),累计90% |", 1)
    doc = parse_document(_text_report(tmp_path, lines))
    rates = dict(zip(doc.rows["item_no"], doc.rows["completion_pct"], strict=True))
    assert rates[12] == 20.0
    (said,) = [i for i in doc.issues if i.check == "several_rates"]
    assert (said.location.line, said.column, said.severity) == (line + 1, "completion", "warning")
    assert said.message == (
        "the completion cell holds 90% after 20%: read as 20%; check that it is this month's "
        "completion rate"
    )
