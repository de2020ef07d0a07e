"""A ruled table on a page → its rows: framed regions cut into cells by the rules."""

from __future__ import annotations

import bisect
import math

from parsers.page_geometry.layout import _Rules
from parsers.page_geometry.model import _BORDER_TOLERANCE, _HIDDEN_RULES, Fragment, PdfRow
from parsers.page_geometry.text import _cell_text, _middle

# A rule that runs past both sides of the table by more than this is not one of its rules.
_BEYOND_FRAME = 6.0
# A cell's last line that ends this close to its right border (in font sizes: no room for
# two more characters, or for a run of digits that wraps whole) and sits this close to its
# bottom border (no padding under its baseline) fills the cell. Word, LibreOffice, browsers
# and ReportLab leave at least 0.32 font sizes under a cell's text (measured on the 33 PDF
# fixtures with a text layer: no cell fills its cell); LibreOffice Calc printing rows too low
# for their wrapped text leaves 0.1, and prints only the lines that fit.
_FILLED_RIGHT = 2.0
_FILLED_BOTTOM = 0.25


def table_regions(rules: _Rules, borders: tuple[float, ...]) -> list[tuple[float, float]]:
    """Where on a page the report table is drawn: stretches framed at its left and right
    border with most of its inner borders ruled (a contact table or a banner is not)."""
    left = rules.vertical_spans(borders[0])
    right = rules.vertical_spans(borders[-1])
    regions = []
    for ltop, lbottom in left:
        for rtop, rbottom in right:
            top, bottom = max(ltop, rtop), min(lbottom, rbottom)
            if bottom - top <= _BORDER_TOLERANCE:
                continue
            inner = [
                x
                for x in borders[1:-1]
                if any(a < bottom and b > top for a, b in rules.vertical_spans(x))
            ]
            # Some styles leave out rules between columns; most are there.
            if len(inner) >= max(1, len(borders) - 2 - _HIDDEN_RULES):
                regions.append((top, bottom))
    return regions


def _row_lines(
    rules: _Rules, top: float, bottom: float, borders: tuple[float, ...]
) -> list[tuple[float, set[int]]]:
    """The horizontal rules across the table between ``top`` and ``bottom`` (frame included),
    each as its height and the columns it crosses; the frame's ends are always listed."""
    middles = [(borders[i] + borders[i + 1]) / 2 for i in range(len(borders) - 1)]
    lines: list[tuple[float, set[int]]] = []
    for y, x0, x1 in rules.horizontal:
        if y < top - _BORDER_TOLERANCE or y > bottom + _BORDER_TOLERANCE:
            continue
        if x1 < borders[0] or x0 > borders[-1]:
            continue
        if x0 < borders[0] - _BEYOND_FRAME and x1 > borders[-1] + _BEYOND_FRAME:
            continue  # the edge of a box round the page (wkhtmltopdf's page area), not a row's
        crossed = {i for i, m in enumerate(middles) if x0 <= m <= x1}
        if lines and y - lines[-1][0] <= _BORDER_TOLERANCE:
            lines[-1][1].update(crossed)
        else:
            lines.append((y, crossed))
    if not lines or lines[0][0] - top > _BORDER_TOLERANCE:
        lines.insert(0, (top, set()))
    if bottom - lines[-1][0] > _BORDER_TOLERANCE:
        lines.append((bottom, set()))
    return lines


def region_to_fragment(
    number: int,
    chars: list[dict],
    rules: _Rules,
    region: tuple[float, float],
    borders: tuple[float, ...],
) -> tuple[Fragment, list[list[str | None]]]:
    """One framed stretch of the report table → its rows, cut into cells by the rules.

    A cell is a rectangle: a row band and a column, joined with the bands below it while
    no rule separates them in that column (a merged cell). Its text is every character
    inside the rectangle, wherever the producer placed it (top, middle); it goes to the
    rectangle's first row, and the other rows it covers get ``None``. A band with no inner
    column border ruled across it is one cell over the whole width (a section title) and
    not a data row. Returns the fragment (every band, header included) and the bands' texts.
    """
    top, bottom = region
    fragment = Fragment(page=number)
    lines = _row_lines(rules, top, bottom, borders)
    ncols = len(borders) - 1
    tops = [y for y, _ in lines]
    buckets: list[list[list[dict]]] = [[[] for _ in range(ncols)] for _ in lines[:-1]]
    for char in chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        if not (borders[0] <= x < borders[-1] and top <= y < bottom):
            continue
        band = bisect.bisect_right(tops, y) - 1
        column = bisect.bisect_right(borders, x) - 1
        if 0 <= band < len(buckets) and 0 <= column < ncols:
            buckets[band][column].append(char)
    if buckets:
        open_below = {column for column in range(ncols) if column not in lines[-1][1]}
        for char in overflow_below(chars, borders, bottom, open_below):
            buckets[-1][bisect.bisect_right(borders, _middle(char)[0]) - 1].append(char)
    full_width = [
        not any(rules.crosses(x, lines[i][0], lines[i + 1][0]) for x in borders[1:-1])
        for i in range(len(buckets))
    ]
    rows: list[list[str | None]] = [[None] * ncols for _ in buckets]
    filled: list[list[int]] = [[] for _ in buckets]
    for column in range(ncols):
        start, gathered = 0, list(buckets[0][column]) if buckets else []
        for band in range(1, len(buckets) + 1):
            ends = (
                band == len(buckets)
                or column in lines[band][1]
                or full_width[band]
                or full_width[band - 1]
            )
            if not ends:
                gathered += buckets[band][column]
                continue
            rows[start][column] = _cell_text(gathered)
            fragment.cell_chars[(start, column)] = gathered
            closed = band < len(buckets) or column in lines[-1][1]
            if closed and filled_cell(gathered, borders[column + 1], lines[band][0]):
                filled[start].append(column)
            if band < len(buckets):
                start, gathered = band, list(buckets[band][column])
    for band, wide in enumerate(full_width):
        if wide:  # one cell across the table (a title, a section): its text in the first column
            text: str | None = _cell_text([c for cell in buckets[band] for c in cell])
            rows[band] = [text] + [""] * (ncols - 1)
    fragment.open_top = [column not in lines[0][1] for column in range(ncols)]
    fragment.open_bottom = [column not in lines[-1][1] for column in range(ncols)]
    fragment.full_width = full_width
    fragment.room = room_at_bottom(buckets, rows, lines)
    fragment.rows = [
        PdfRow(cells, number, index + 1, filled=tuple(filled[index]))
        for index, cells in enumerate(rows)
    ]
    return fragment, rows


def filled_cell(chars: list[dict], right: float, bottom: float) -> bool:
    """Whether a cell's text fills it: its last line reaches the right border and lies on the
    bottom border (see ``_FILLED_RIGHT``). Text read by OCR is never taken as filling: its
    boxes are the reader's estimate, not the producer's layout."""
    ink = [c for c in chars if not c["text"].isspace()]
    if not ink or any("confidence" in c for c in ink):
        return False
    size = max(c["size"] for c in ink) or 1.0
    last_top = max(c["top"] for c in ink)
    last = [c for c in ink if c["top"] > last_top - size / 2]
    return (right - max(c["x1"] for c in last)) / size < _FILLED_RIGHT and (
        bottom - max(map(_baseline, last))
    ) / size < _FILLED_BOTTOM


def _baseline(char: dict) -> float:
    """Where a character stands (top-down), not where its box ends: the box reaches down by
    the descent its font file states, which one producer writes as 0 (LibreOffice) and
    another as the font's (Ghostscript's pdfwrite of the same page: 0.18 font sizes lower),
    while the layout under it is the same."""
    matrix = char.get("matrix")
    if matrix is None or not char.get("upright", True):
        return char["bottom"]
    return char["bottom"] + (char["y0"] - matrix[5])


def overflow_below(
    chars: list[dict], borders: tuple[float, ...], bottom: float, columns: set[int]
) -> list[dict]:
    """Characters of the table's open bottom cells that the producer drew past the frame.

    A browser lets a cell cut by the page break (no rule under it, ``columns``) overflow the
    frame: the ``事``/``业`` of a department drawn under the page's last rule. Taken are the
    lines that start on the frame's bottom and the lines right under them in such a column;
    a paragraph under the table, or any text under a closed cell, is not.
    """
    below = sorted(
        (c for c in chars if borders[0] <= _middle(c)[0] < borders[-1] and _middle(c)[1] >= bottom),
        key=lambda c: c["top"],
    )
    reach: dict[int, float] = {}
    taken = []
    for char in below:
        column = bisect.bisect_right(borders, _middle(char)[0]) - 1
        if column in columns and char["top"] < reach.get(column, bottom + _BORDER_TOLERANCE):
            taken.append(char)
            reach[column] = max(reach.get(column, 0.0), char["bottom"] + char["size"] / 2)
    return taken


def room_at_bottom(
    buckets: list[list[list[dict]]], rows: list[list[str | None]], lines: list
) -> list[float]:
    """For each column, the room under the text of the table's bottom cell, in font sizes."""
    ncols = len(rows[0]) if rows else 0
    room = [math.inf] * ncols
    bottom = lines[-1][0]
    for column in range(ncols):
        band = len(rows) - 1
        chars: list[dict] = []
        while band >= 0:
            chars += buckets[band][column]
            if rows[band][column] is not None:
                break
            band -= 1
        inside = [c for c in chars if not c["text"].isspace()]
        if inside:
            last = max(c["bottom"] for c in inside)
            size = max(c["size"] for c in inside) or 1.0
            room[column] = (bottom - last) / size
    return room
