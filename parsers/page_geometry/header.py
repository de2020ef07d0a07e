"""The report's header among a ruled table's first rows, with the column borders and title."""

from __future__ import annotations

from pdfplumber.utils import extract_text

from parsers.layouts import Layouts
from parsers.page_geometry.layout import TableBoxes
from parsers.page_geometry.model import _BORDER_TOLERANCE, _HEADER_SEARCH_ROWS, _Found
from parsers.page_geometry.text import _inside, title_text, unwrap
from parsers.period import choose_title
from parsers.table import Header, find_header


def find_ruled_header(
    texts: list[list[str | None]], layouts: Layouts | None = None
) -> tuple[int, Header | None]:
    """The header among a table's first rows: (rows up to and with it, the header) or (0, None).

    A two-row header (a group cell over some columns) is read as the two rows joined.
    """
    rows = [[unwrap(t) if t is not None else None for t in row] for row in texts]
    found = find_header(rows[: _HEADER_SEARCH_ROWS + 1], layouts, search=_HEADER_SEARCH_ROWS)
    if found is None:
        return 0, None
    index, header = found
    return index + header.rows, header


def _edges(boxes: list[list[tuple[float, float, float, float] | None]]) -> tuple[float, ...]:
    """The column borders of rows of cell boxes: every left and right edge, near ones merged."""
    xs = sorted({x for row in boxes for box in row if box for x in (box[0], box[2])})
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > _BORDER_TOLERANCE:
            merged.append(x)
    return tuple(merged)


def _find_header_on(
    number: int,
    chars: list[dict],
    tables: list[TableBoxes],
    found: _Found,
    layouts: Layouts | None,
) -> None:
    """Look for the header row among the first rows of the page's ruled tables."""
    for table in tables:
        boxes = table.rows[: _HEADER_SEARCH_ROWS + 1]
        texts = [
            [extract_text([c for c in chars if _inside(c, box)]) if box else None for box in row]
            for row in boxes
        ]
        start, header = find_ruled_header(texts, layouts)
        if header is None:
            continue
        found.header = header
        if header.rows == 1:
            header_boxes = [box for box in boxes[start - 1] if box]
            found.borders = tuple([box[0] for box in header_boxes] + [header_boxes[-1][2]])
        else:  # the lower row splits the group cell: both rows' edges
            found.borders = _edges(boxes[start - header.rows : start])
        found.header_page = number
        found.header_top = table.bbox[1]
        # A title may sit above the table or in full-width rows above the header.
        others = [t.bbox for t in tables if t is not table]
        above = [
            char
            for char in chars
            if char["bottom"] <= table.bbox[1] and not any(_inside(char, b) for b in others)
        ]
        lines = extract_text(above).splitlines()
        lines += [unwrap(t or "") for row in texts[: start - header.rows] for t in row]
        title = choose_title(lines)
        found.title = title_text(title) if title else None
        return
