"""Rows of a ``|`` text table wrapped over several lines, joined back into one line each.

A table pasted into a chat or an e-mail arrives with its long rows broken at the width of the
window: the rest of a cell, and the cells after it, go on on the next line(s). A wrap inside a
cell is not a space in Chinese text, so the pieces are joined without one. The rules, in order:

- a line that starts with ``(N)`` always starts a new row: item N, whatever the line above
  is; so does, in a table with a leading 序号 column, a number in its first cell that counts
  up from the last item;
- a line is joined to a row above that does not fit the header: the rest of a row may come
  over several lines, and what does not fit in the end is quarantined as one row, under its
  item, rather than read as rows of their own;
- a line with cells is joined to a row above that fits when the joined text fits too and
  the row is unfinished (the table closes its rows with a ``|`` and this one lacks it) or the
  line does not fit on its own. A line without cells is joined to a row that fits only in a
  table without a closing ``|``, where the rest of a last cell has none, and only between
  two rows: under the last row it is a note. In a table that closes its rows with a ``|``,
  the last piece of a wrapped row has one;
- a line with cells whose joined text has every cell of the header is joined to a row
  above when neither has them all (each would fit only with merged cells left out): a wrap
  can cut a row so that both pieces look like rows;
- anything else starts a row of its own, which the reader reads or quarantines by its first
  line, under the item it starts or continues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LineRow:
    """One table row as written: its first line (1-based), its text joined from its lines."""

    line: int
    text: str
    lines: tuple[int, ...]

    @property
    def wrapped(self) -> bool:
        return len(self.lines) > 1

    def joined_with(self, line: int, text: str) -> LineRow:
        return LineRow(self.line, join_wrap(self.text, text), (*self.lines, line))


def join_wrap(above: str, below: str) -> str:
    """Two pieces of one wrapped row as one line: no space where the wrap was."""
    return above.rstrip() + below.strip()


@dataclass(frozen=True)
class RowShape:
    """What the joining needs to know of the table: whether a text fits the header as a row,
    whether a line starts a row, and whether rows end with a border."""

    fits: Callable[[str], bool]
    #: Whether a text has exactly the header's cells, none left out as merged.
    full: Callable[[str], bool]
    #: The item a line starts and whether by its ``(N)`` (else by a 序号), or None.
    starts: Callable[[str], tuple[int, bool] | None]
    closed_by_bar: bool

    def starts_row(self, text: str, last: int | None) -> bool:
        """``(N)`` always starts a row; a number in the 序号 column only when it counts up
        from the last item (a wrap can leave ``2 |`` of ``1062 |`` at a line's start)."""
        started = self.starts(text)
        if started is None:
            return False
        item, by_marker = started
        return by_marker or last is None or item > last


def lines_to_rows(lines: list[tuple[int, str | None]], shape: RowShape) -> list[LineRow]:
    """Numbered table lines → rows; a line given as ``None`` (a header repeated, a section
    title) ends the row above and is no row itself.

    Each line goes into exactly one row, in order; see the module docstring for the rules.
    """
    rows: list[LineRow] = []
    current: LineRow | None = None
    last: int | None = None  # the last item a row started
    for index, (number, text) in enumerate(lines):
        if text is None:
            if current is not None:
                rows.append(current)
            current = None
            continue
        if current is None or shape.starts_row(text, last) or not _may_continue(current, shape):
            if current is not None:
                rows.append(current)
            current = LineRow(number, text.strip(), (number,))
            started = shape.starts(text)
            last = started[0] if started is not None else last
            continue
        joined = current.joined_with(number, text)
        fits_above, fits_alone = shape.fits(current.text), shape.fits(text)
        unfinished = not fits_above or (
            shape.closed_by_bar and not current.text.rstrip().endswith("|")
        )
        between_rows = not shape.closed_by_bar and _row_follows(lines, index)
        if not fits_above or (
            ("|" in text or between_rows)
            and shape.fits(joined.text)
            and (unfinished or not fits_alone)
        ):
            current = joined
        elif (
            "|" in text
            and shape.full(joined.text)
            and not shape.full(current.text)
            and not shape.full(text)
        ):
            # Two pieces that each fit only with cells left out, and that make one row
            # with every cell: a row cut inside a cell, not two rows.
            current = joined
        else:
            rows.append(current)
            current = LineRow(number, text.strip(), (number,))
    if current is not None:
        rows.append(current)
    return rows


def _row_follows(lines: list[tuple[int, str | None]], index: int) -> bool:
    """Whether the line after ``index`` is a line with cells: a line without any between
    two rows is inside the table (the rest of a cell), not a note under it."""
    following = lines[index + 1][1] if index + 1 < len(lines) else None
    return following is not None and "|" in following


def _may_continue(row: LineRow, shape: RowShape) -> bool:
    """Only a row goes on: a line with cells, or one that starts an item. A note under the
    table (no ``|``) does not collect the lines after it."""
    return "|" in row.text or shape.starts(row.text) is not None
