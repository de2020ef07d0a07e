"""Rules shared by the readers of tables with spanned cells (Word, HTML, spreadsheets)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import COMPARED, FIXTURES, as_text, expected_rows, parsed, without_space


@pytest.mark.parametrize(
    ("fixture", "first_row"),
    [
        ("docx/habits/split-rate-cells.docx", 1),  # Word: "Split Cells", a seventh grid column
        ("sheets/yueqing-2022-08-split-rate.xlsx", 2),  # 完成率 merged over D:E
    ],
)
def test_a_cell_split_under_one_header_cell_is_read_as_that_column(
    fixture: str, first_row: int
) -> None:
    # The lagging rows' completion cells are split in two: the rate, then the words that say
    # 滞后. Before, the words went to extra as 'column 5' and the rows loaded not lagging.
    path = FIXTURES / fixture
    doc = parsed(path)
    expected = expected_rows()
    split = expected.completion_raw.str.contains(",")
    rate, words = expected.completion_raw.str.split(",", n=1).str[0], expected.completion_raw
    joined = expected.copy()
    joined.loc[split, "completion_raw"] = (
        rate[split] + "\n" + words[split].str.split(",", n=1).str[1]
    )
    pd.testing.assert_frame_equal(
        without_space(as_text(doc.rows, COMPARED)), without_space(joined[COMPARED])
    )
    assert doc.rows.is_lagging.sum() == 7
    assert "column 5" not in "".join(doc.rows.extra.dropna())
    warned = [i for i in doc.issues if i.check == "split_cell"]
    rows = [first_row + i + 1 for i in expected.index[split]]
    assert [(i.location.row, i.severity) for i in warned] == [(r, "warning") for r in rows]
    assert warned[0].message == (
        "the 完成率 cell is split into 2 cells under one header cell; read as one cell, their "
        "texts joined: 45% / 建设量未达节点要求,滞后进度。"
    )
    # The other rows' cells span both parts of the column: not a merge across columns.
    assert [i for i in doc.issues if i.check in ("merged_across", "unknown_column")] == []


def test_a_split_cell_needs_a_header_cell_over_both_parts(tmp_path: Path) -> None:
    """A column with a header cell of its own is a column, not a part: a sheet whose 完成率
    header cell is not merged over E reads E as a column kept in extra."""
    import openpyxl

    source = FIXTURES / "sheets" / "yueqing-2022-08-split-rate.xlsx"
    book = openpyxl.load_workbook(source)
    sheet = book.active
    sheet.unmerge_cells("D2:E2")
    sheet["E2"] = "说明"
    target = tmp_path / "yueqing-2022-08-rate-and-words.xlsx"
    book.save(target)
    doc = parsed(target)
    assert [i for i in doc.issues if i.check == "split_cell"] == []
    assert doc.rows.completion_raw.tolist()[5] == "45%"
    assert '"说明": "建设量未达节点要求,滞后进度。"' in doc.rows.extra.tolist()[5]
