"""PDF pages as a reader sees them: turned pages, stamps and print headers over the table."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers import EXPECTED
from tests.truth import Truth, loaded_rows

TRUTH = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)
COMPARED = ["content", "plan_text", "actual_text", "department", "leader"]


def _read(name: str):
    return loaded_rows(Truth(f"pdf/habits/yueqing-2022-08-{name}.pdf"))


def _texts(frame: pd.DataFrame) -> list[list[str]]:
    return [
        ["".join(str(v).split()) if isinstance(v, str) else "" for v in row]
        for row in frame[COMPARED].itertuples(index=False)
    ]


def _assert_the_48_rows(rows: pd.DataFrame) -> None:
    assert len(rows) == 48
    assert _texts(rows) == _texts(TRUTH)
    assert rows["completion_pct"].tolist() == TRUTH["completion_pct"].astype(float).tolist()


@pytest.mark.parametrize("name", ["rotated-page", "rotated-content"])
def test_a_page_turned_in_the_file_is_read_upright(name: str) -> None:
    """Page 3 with ``/Rotate 90`` over upright content (a viewer's "rotate and save"), or
    content drawn turned and shown upright. Before: page 3's 7 rows were lost (and the end
    of (13)'s text with them) or read with the header's texts in the rows."""
    rows, issues = _read(name)
    _assert_the_48_rows(rows)
    turned = [i.location.page for i in issues if i.check == "page_turned"]
    assert turned == ([3] if name == "rotated-page" else [])


def test_a_seal_and_a_stamp_over_the_cells_are_not_read_as_their_text() -> None:
    """Before: (1)'s department read ``核审市教育局``, (27)'s actual text ended in ``★``."""
    rows, issues = _read("stamp")
    _assert_the_48_rows(rows)
    stamps = [(i.location.page, i.value) for i in issues if i.check == "stamp_text"]
    assert stamps == [(1, "乐清市人★民政府办公室 已审核"), (4, "乐清市人★民政府办公室 已审核")]


def test_a_print_header_and_footer_inside_the_table_are_not_read() -> None:
    """Before: the leader's header cell read ``清具市体人民分政管府领导``, so no leader column:
    48 leaders NULL, one warning about an unknown column; ``第 1 页 共 6 页`` ended a cell."""
    rows, issues = _read("page-numbers")
    _assert_the_48_rows(rows)
    over = [i for i in issues if i.check == "stamp_text"]
    assert [i.location.page for i in over] == [1, 2, 3, 4, 5, 6]
    assert "第 1 页 共 6 页" in over[0].message and "乐清市人民政府" in over[0].message


@pytest.mark.parametrize("name", ["portrait-page", "cropbox"])
def test_a_page_drawn_elsewhere_reads_at_its_own_columns(name: str) -> None:
    """Page 3 scaled onto a portrait page (its columns elsewhere; before, its 7 rows were
    lost), and pages with a CropBox inside a larger MediaBox."""
    rows, _issues = _read(name)
    _assert_the_48_rows(rows)


def test_a_second_table_beside_the_first_is_not_lost_unsaid() -> None:
    """Two ruled tables side by side on one page, (1)–(6) and (7)–(12): the left one is
    read; the right one's rows are quarantined as seen but not read (not read as a table
    yet), so the document loads as partial, never as complete."""
    rows, issues = _read("side-by-side")
    assert rows["item_no"].tolist() == [1, 2, 3, 4, 5, 6]
    assert rows["department"].tolist() == TRUTH["department"].tolist()[:6]
    unread = sorted(
        int(i.message.split("(")[1].split(")")[0]) for i in issues if i.check == "row_unaccounted"
    )
    assert unread == [7, 8, 9, 10, 11, 12]
