"""Rows cut by page breaks joined, merged cells carried over the break, rows to the grid."""

from __future__ import annotations

from i18n import _, column_text
from parsers.cells import parse_completion, parse_serial, split_marker
from parsers.model import GridRow, Issue, Location, RejectedRow
from parsers.page_geometry.model import (
    _MERGEABLE,
    _ROOM_OF_A_CUT_CELL,
    AUGUST_HEADER,
    Cells,
    Fragment,
    PdfRow,
)
from parsers.page_geometry.text import join_lines
from parsers.table import Header


def _owner(rows: list[PdfRow], column: int) -> PdfRow | None:
    """The row whose cell in ``column`` the last row shows: itself, or where a merge started."""
    for row in reversed(rows):
        if row.cells[column] is not None:
            return row
    return None


def _append_to_above(rows: list[PdfRow], column: int, text: str) -> None:
    owner = _owner(rows, column)
    if owner is not None:
        owner.cells[column] = join_lines(owner.cells[column] or "", text)


def _cell(cells: Cells, header: Header, column: str) -> str | None:
    index = header.index(column)
    return cells[index] if index is not None and index < len(cells) else None


def starts_item(cells: Cells, header: Header = AUGUST_HEADER) -> bool:
    """Whether a row starts an item: ``(N)`` in its project cell, or a number in its 序号."""
    if split_marker(_cell(cells, header, "content") or "")[0] is not None:
        return True
    return parse_serial(_cell(cells, header, "item_no")) is not None


def has_completion(cells: Cells, header: Header = AUGUST_HEADER) -> bool:
    """Whether a row has its own completion rate (its completion cell starts with a %)."""
    return parse_completion(_cell(cells, header, "completion") or "") is not None


def continues_row_above(cells: Cells, header: Header = AUGUST_HEADER) -> bool:
    """Whether a page's first data row is the rest of a row cut by the page break."""
    return not starts_item(cells, header) and not has_completion(cells, header)


def _was_cut(fragment: Fragment | None, column: int) -> bool:
    """Whether the bottom cell of ``column`` may run on to the next page (filled to the bottom)."""
    if fragment is None or fragment.room is None:
        return True
    return fragment.room[column] <= _ROOM_OF_A_CUT_CELL


def _running_on(previous: Fragment | None, fragment: Fragment) -> list[bool] | None:
    """Per column, whether a cell runs over the break by the ruling: no rule under the
    previous page's last cell, or none over this page's first. None when every cell there is
    closed (producers that close the frame at a break), so the ruling cannot tell."""
    if previous is None or previous.open_bottom is None or fragment.open_top is None:
        return None
    running = [a or b for a, b in zip(previous.open_bottom, fragment.open_top, strict=True)]
    return running if any(running) else None


def _mark_unclear(rows: list[PdfRow], column: int, page: int) -> None:
    owner = _owner(rows, column)
    if owner is None:
        return
    for row in rows[rows.index(owner) :]:
        row.unclear[column] = page


def stitch_page_breaks(fragments: list[Fragment], header: Header = AUGUST_HEADER) -> list[PdfRow]:
    """The rows of every page as one table: cut rows joined, merged cells carried over."""
    content = header.index("content")
    mergeable = [i for i in (header.index(c) for c in _MERGEABLE) if i is not None]
    rows: list[PdfRow] = []
    previous: Fragment | None = None
    for fragment in fragments:
        for position, row in enumerate(fragment.rows):
            if position > 0 or not rows:
                rows.append(row)
                continue
            # Only a page break cuts a row; a table restarted on the same page does not.
            cut = previous if fragment.starts_page else None
            if cut is not None:
                rows[-1].at_break = row.at_break = True
            running = _running_on(cut, fragment)
            if (
                running is not None
                and all(running)
                and starts_item(row.cells, header)
                and has_completion(row.cells, header)
                and _has_own_project(rows[-1], content)
            ):
                # Every cell of the row above was cut, but this row starts an item and has
                # its own rate (the rest of a cell never starts with one): the cut row had
                # nothing left to print here (a browser then draws no band for it). A cut
                # row whose project cell printed nothing above the break is the top of this
                # one (its middle-aligned cells fell under the break): joined below.
                running = None
            if running is not None:
                _stitch_by_ruling(rows, row, running)
                continue
            texts = [column for column, text in enumerate(row.cells) if text]
            if (
                cut is not None
                and continues_row_above(row.cells, header)
                and all(_was_cut(cut, c) for c in texts)
            ):
                for column in texts:
                    _append_to_above(rows, column, row.cells[column] or "")
                continue
            cells = list(row.cells)
            if (
                content is not None
                and not starts_item(cells, header)
                and has_completion(cells, header)
            ):
                # Another row of the item above: what its project cell shows is the end of
                # the item's merged project cell. (Text under a project cell that ended
                # above the break stays, and the row is rejected for its missing number.)
                if not cells[content]:
                    cells[content] = None
                elif cut is not None and _was_cut(cut, content):
                    _append_to_above(rows, content, cells[content] or "")
                    cells[content] = None
            for column in mergeable:
                if cells[column] == "":
                    cells[column] = None
                elif cut is not None and cells[column]:
                    owner = _owner(rows, column)
                    if owner is not None and not owner.cells[column]:
                        # An empty cell above the break and a value under it: one merged
                        # cell with its text on this page, or two cells? The ruling is
                        # closed at the break, so nothing tells.
                        _mark_unclear(rows, column, cut.page)
            rows.append(PdfRow(cells, row.page, row.row))
        previous = fragment
    return rows


def _has_own_project(row: PdfRow, content: int | None) -> bool:
    """Whether a row shows its project text or is covered there by the item's merged cell."""
    return content is None or row.cells[content] is None or bool(row.cells[content])


def _stitch_by_ruling(rows: list[PdfRow], row: PdfRow, running: list[bool]) -> None:
    """A page's first row where the ruling shows cells running over the break: their text
    goes to the cell where they started; a row whose every cell runs on is the rest of the
    row above, otherwise it is a new row covered there by the merged cells."""
    cells = list(row.cells)
    for column, runs_on in enumerate(running):
        if runs_on and cells[column] is not None:
            if cells[column]:
                _append_to_above(rows, column, cells[column] or "")
            cells[column] = None
    if all(cell is None for cell in cells):
        return
    rows.append(PdfRow(cells, row.page, row.row))


def rows_to_grid(rows: list[PdfRow], header: Header = AUGUST_HEADER) -> list[GridRow]:
    """Stitched rows → grid rows with their page and row, ``raw`` the cells joined.

    Rows whose merged department or leader is unclear are left out: see ``unclear_rows``.
    """
    return [
        header.grid_row(row.cells, Location(page=row.page, row=row.row), _raw(row))
        for row in rows
        if not row.unclear and not row.unsettled
    ]


def _raw(row: PdfRow) -> str:
    return " | ".join(cell or "" for cell in row.cells)


def unclear_rows(
    rows: list[PdfRow], source_name: str, header: Header = AUGUST_HEADER
) -> list[RejectedRow]:
    """Rows whose merged cell the geometry cannot place, rejected with the page of the break."""
    rejected = []
    for row in rows:
        if not row.unclear and not row.unsettled:
            continue
        location = Location(page=row.page, row=row.row)
        issues = tuple(_unsettled(source_name, header, location, row.unsettled)) + tuple(
            Issue(
                source_name,
                "merged_cell_unclear",
                _(
                    "{column} unclear at the page break on page {page}: the cell above the break "
                    "is empty and the one under it is not, and the ruling does not show whether "
                    "they are one merged cell"
                ).format(column=header.columns[column] or _("cell"), page=page),
                location=location,
                column=header.columns[column],
            )
            for column, page in sorted(row.unclear.items())
        )
        item_no, _text = split_marker(_cell(row.cells, header, "content") or "")
        rejected.append(RejectedRow(location, _raw(row), issues, item_no=item_no))
    return rejected


def _unsettled(
    source_name: str, header: Header, location: Location, unsettled: dict[int, str]
) -> list[Issue]:
    """The issues of a row whose cells a table without rules cannot settle."""
    issues = []
    for column, why in sorted(unsettled.items()):
        name = header.columns[column] or header.extra_name(column)
        if why == "straddles":
            message = _(
                "{column}: text runs across the border of the column, in a table without "
                "rules: which cell it belongs to is not clear; check the row in the PDF"
            )
        else:
            message = _(
                "the table has no rules and its cells are not top-aligned (some start under "
                "their row's first line), so which lines make this row, and which merged cell "
                "an empty one belongs to, is not clear; check the row in the PDF"
            )
        issues.append(
            Issue(
                source_name,
                "cell_unsettled",
                message.format(column=name),
                location=location,
                column=header.columns[column],
            )
        )
    return issues


def filled_cells(
    rows: list[PdfRow], source_name: str, header: Header = AUGUST_HEADER
) -> list[Issue]:
    """A warning for each loaded row with a cell its text fills to the edges (``PdfRow.filled``):
    a spreadsheet printed with rows too low for their wrapped text shows each cell's first
    lines only, and nothing in the PDF says more was there (a rate's ``滞后`` may be cut off)."""
    issues = []
    for row in rows:
        if row.unclear or row.unsettled or not row.filled:
            continue
        names = [header.columns[c] or header.extra_name(c) for c in row.filled]
        issues.append(
            Issue(
                source_name,
                "cell_filled",
                _(
                    "the text of the {columns} cell fills it to its right and bottom edges: the "
                    "PDF may show only the part that fits (a sheet printed with rows too low for "
                    "their text); check the row in the original, or print it with the rows' "
                    "height fitted to their text"
                ).format(columns=_(", ").join(column_text(name) for name in names)),
                severity="warning",
                location=Location(page=row.page, row=row.row),
                column=names[0],
                value=(row.cells[row.filled[0]] or "")[-40:],
                action="row loaded",
            )
        )
    return issues


#: Columns that a row cut by a page break may have lost text of.
_TEXT_COLUMNS = ("content", "plan", "actual", "completion")


def incomplete_at_breaks(
    rows: list[PdfRow], source_name: str, header: Header = AUGUST_HEADER
) -> list[Issue]:
    """A warning for each row at a page break that is loaded with an empty text cell: the
    break may have hidden part of it (the producer printed it elsewhere, or not at all)."""
    issues = []
    for row in rows:
        if not row.at_break or row.unclear or row.unsettled:
            continue
        empty = [
            name
            for name in _TEXT_COLUMNS
            if (index := header.index(name)) is not None and row.cells[index] == ""
        ]
        if not empty:
            continue
        issues.append(
            Issue(
                source_name,
                "row_cut_incomplete",
                _(
                    "row at a page break with an empty {column} cell: part of the row may be "
                    "missing; check it in the PDF"
                ).format(column=column_text(empty[0])),
                severity="warning",
                location=Location(page=row.page, row=row.row),
                column=empty[0],
                value="",
                action="row loaded",
            )
        )
    return issues
