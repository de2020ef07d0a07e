"""Ruled PDF tables read cell by cell: what a cell's place on the page says about its text."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import FIXTURES, expected_rows, parsed

CALC_PRINT = FIXTURES / "producers" / "yueqing-2022-08-calc-print.pdf"


def _filled_rows(path: Path) -> set[int | None]:
    return {i.location.row for i in parsed(path).issues if i.check == "cell_filled"}


def test_a_sheet_printed_with_rows_too_low_says_which_rows_may_be_cut() -> None:
    # LibreOffice Calc prints each 15 pt row with the first line of its wrapped text only.
    # Before, the 48 rows loaded with 31 of them cut short unsaid, (47)'s rate '63%,尚有1个小区'
    # without the 滞后 that made it lagging.
    doc = parsed(CALC_PRINT)
    expected = expected_rows()
    assert len(doc.rows) == 48
    warned = {i.location.row for i in doc.issues if i.check == "cell_filled"}
    rows = doc.rows.assign(row=doc.rows.source_row.astype(int))
    texts = ["content", "plan_text", "actual_text", "completion_raw"]
    got = rows[texts].fillna("").map(lambda v: "".join(str(v).split()))
    want = expected[texts].fillna("").map(lambda v: "".join(str(v).split()))
    cut = set(rows.row[(got != want).any(axis=1).to_numpy()])
    assert len(cut) == 32
    assert cut <= warned  # every row cut short is named
    assert len(warned) <= 40  # rows whose cells all show in full are not
    [lagging] = [i for i in doc.issues if i.check == "cell_filled" and i.location.row == 49]
    assert lagging.describe() == (
        "yueqing-2022-08-calc-print.pdf, page 1, row 49: the text of the project text (项目内容), "
        "completion rate (完成率) cell fills it to its right and bottom edges: the PDF may show "
        "only the part that fits (a sheet printed with rows too low for their text); check the "
        "row in the original, or print it with the rows' height fitted to their text"
    )
    # Short cells show whole: departments and leaders as the report has them.
    assert doc.rows.department.tolist() == expected.department.tolist()
    assert doc.rows.leader.tolist() == expected.leader.tolist()


def test_cells_with_room_under_their_text_are_not_taken_as_cut() -> None:
    # Word's table exported by LibreOffice, a row cut by the page break: every cell has
    # padding under its last line, the cut one too.
    doc = parsed(FIXTURES / "pdf" / "split-first-column.pdf")
    assert [i for i in doc.issues if i.check == "cell_filled"] == []


def test_a_pdf_redistilled_by_ghostscript_is_measured_where_its_text_stands() -> None:
    # pdfwrite rewrites the fonts' descent: every glyph's box reaches 0.18 font sizes lower,
    # onto the bottom rules, while the layout is the page's own. Measured from the glyph
    # boxes, 11 cells of the August PDF were taken as cut; from the baseline, none is, and
    # the Calc print keeps its warnings through the same round trip.
    assert _filled_rows(FIXTURES / "producers" / "yueqing-2022-08-gs-pdfwrite.pdf") == set()
    calc = _filled_rows(CALC_PRINT)
    assert len(calc) >= 32
    assert _filled_rows(FIXTURES / "producers" / "yueqing-2022-08-calc-print-gs.pdf") == calc


def test_a_page_turned_in_the_file_keeps_its_text_where_it_stands() -> None:
    # The glyphs' origins turn with the page: left in the file's frame they put every
    # baseline elsewhere, and cells with room under their text were taken as cut.
    path = FIXTURES / "pdf" / "habits" / "yueqing-2022-08-rotated-page.pdf"
    assert _filled_rows(path) == set()
