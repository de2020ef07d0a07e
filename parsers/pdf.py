"""PDF reports: one ruled table running over several pages, read with pdfplumber.

pdfplumber finds the table on each page separately; the work here is to make the pages one
table again. The steps, each a small conversion:

1. ``pdf_to_fragments`` (the only step that talks to pdfplumber): for every page, the ruled
   tables and, for each row, its cells placed in the header's columns (found by name,
   ``parsers.table``; a two-row header joined) by their bounding boxes. A cell that starts
   in a column is that column's text; a column where no cell starts in this row is covered
   by a merged cell from above (``None``). Only tables whose column borders line up with the
   header's belong to the report; the repeated header row is dropped.
2. ``stitch_page_breaks``: join the rows a page break cut in two, and carry merged cells over
   the break (rule below).
3. ``rows_to_grid``: ``GridRow``s (cells by column name) for ``grid_to_rows``, the step every
   format shares.

**Page breaks.** The PDF draws a table that runs on to the next page the same whether a row
was cut or the break fell between rows (the frame is closed at the page bottom and the header
is repeated either way), so the first data row of a page is classified by what it holds:

- its project cell starts with an item number ``(N)``: a new item;
- otherwise, it has its own completion rate (the completion cell starts with a percentage):
  a new row of the item above. Text in its project cell is the end of the item's project
  cell, which is merged over both rows, so it is added to that cell and the row's project
  cell becomes "covered" (``None``);
- otherwise it is the rest of the last row of the previous page, cut by the break: each
  cell's text is added to the cell above it (to the cell where a merge started when the
  cell above is covered).

A completion cell always starts with its percentage, and a page break cannot come before a
cell's first line, so a cut row's rest never starts with a percentage. Geometry checks the
join: text runs on to the next page only from a cell filled to the bottom of the page, so
a cell whose text ends well above its bottom edge (``room_at_bottom``) was not cut. A row
that would continue such a cell is left a row of its own, and without an item number it is
rejected with its page and row rather than glued silently to the row above.

In a new row at the top of a page, an empty department or leader cell is a merged cell
carried over the break (the PDF draws it as an empty cell, the value stays on the previous
page), so it inherits; so does one in the first row of a table restarted under its header
(``(续表)``), as a merge cannot cross tables. Other tables (contacts) are left out by their
column borders, and full-width rows (section titles) are not data rows.

**Text.** pdfplumber gives the lines wrapped inside a cell joined with ``\\n``; they are
joined without a space unless both sides are ASCII letters or digits (a wrap in Chinese text
is not a space). The same rule joins the two halves of a cut cell.

**Where.** ``source_page`` is the 1-based page; ``source_row`` counts the rows of the table
on that page from 1 as a reader would, the (repeated) header row included, so the first data
row under the header is row 2. A row cut by a page break is placed where it starts.

**Bad files** raise ``UnreadableDocument`` (not a PDF or damaged, password-protected, no text
layer) or ``TableNotFound``; no pdfminer or pdfplumber exception leaves ``read_pdf``.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field

import pdfplumber
from pdfplumber.utils import extract_text

from parsers.errors import TableNotFound, UnreadableDocument
from parsers.grid import parse_completion, parse_serial, split_marker
from parsers.layouts import Layouts
from parsers.model import GridRow, Location, TableRead
from parsers.table import Header, find_header, match_header

# A cell cut by a page break is filled to the bottom: under its text there is less than one
# line plus the cell's padding, or a line more where widow/orphan control moved a line over.
# Measured in font sizes (a line is about 1.3 of them): cut cells in LibreOffice exports show
# 0.3. A cell with more room than this ended above the break and is not continued.
_ROOM_OF_A_CUT_CELL = 2.5
# Column borders of two tables are the same within this many points (LibreOffice and Word
# place them to a tenth of a point; the tolerance only absorbs rounding).
_BORDER_TOLERANCE = 2.0
# The header is the first row, or comes under a title or unit row or two inside the table.
_HEADER_SEARCH_ROWS = 3
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"  # ideographs, CJK and full-width punctuation
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")

Cells = list[str | None]

#: The August report's header, for the steps below when called without one (tests, tools).
AUGUST_HEADER: Header = match_header(  # type: ignore[assignment]
    ["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]
)


@dataclass
class PdfRow:
    """One table row as printed on one page: a cell per header column (``None`` = merged)."""

    cells: Cells
    page: int
    row: int


@dataclass
class Fragment:
    """The part of the report table printed on one page, header row dropped."""

    page: int
    starts_page: bool = True  # the first table on its page: the previous page may continue
    rows: list[PdfRow] = field(default_factory=list)
    #: Per column, the room left under the text of the bottom cell, in font sizes
    #: (``inf`` for an empty cell); ``None`` where the geometry is not known.
    room: list[float] | None = None


@dataclass
class _Found:
    header: Header | None = None
    borders: tuple[float, ...] = ()
    title: str | None = None
    fragments: list[Fragment] = field(default_factory=list)


def join_lines(left: str, right: str) -> str:
    """Join two pieces of one cell's text: a space only between two ASCII letters or digits."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def unwrap(text: str) -> str:
    """A cell's text with its wrapped lines joined (``'市生态环境\\n局'`` → ``'市生态环境局'``)."""
    joined = ""
    for line in text.split("\n"):
        joined = join_lines(joined, line)
    return joined.strip()


def title_text(text: str) -> str:
    """The title's lines joined; the gaps a PDF leaves between Chinese and digits removed."""
    return _CJK_SPACE.sub("", " ".join(line.strip() for line in text.splitlines())).strip()


def _column_of(x0: float, x1: float, borders: tuple[float, ...]) -> list[int]:
    """The columns (by the header's borders) that a cell from ``x0`` to ``x1`` covers."""
    columns = []
    for index in range(len(borders) - 1):
        middle = (borders[index] + borders[index + 1]) / 2
        if x0 - _BORDER_TOLERANCE <= middle <= x1 + _BORDER_TOLERANCE:
            columns.append(index)
    return columns


def row_to_cells(
    boxes: list[tuple[float, float, float, float] | None],
    texts: list[str | None],
    borders: tuple[float, ...],
) -> Cells | None:
    """One pdfplumber row → a cell per column by position; None for a full-width row.

    A column where no cell of this row starts is covered by a merged cell from above
    (``None``); a column covered by a cell starting further left is part of that cell (``''``).
    """
    cells: Cells = [None] * (len(borders) - 1)
    for box, text in zip(boxes, texts, strict=True):
        if box is None:
            continue
        columns = _column_of(box[0], box[2], borders)
        if not columns:
            continue
        if len(columns) == len(cells):
            return None  # a full-width row: a section title, not a data row
        first = columns[0]
        value = unwrap(text or "")
        cells[first] = value if cells[first] is None else join_lines(cells[first] or "", value)
        for other in columns[1:]:
            if cells[other] is None:
                cells[other] = ""
    return cells


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def header_rows(
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


def _borders_match(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(
        abs(x - y) <= _BORDER_TOLERANCE for x, y in zip(a, b, strict=True)
    )


def _table_borders(rows: list[list[tuple[float, float, float, float] | None]]) -> tuple[float, ...]:
    xs = sorted(
        {round(box[0], 1) for row in rows for box in row if box}
        | {round(box[2], 1) for row in rows for box in row if box}
    )
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > _BORDER_TOLERANCE:
            merged.append(x)
    return tuple(merged)


def room_at_bottom(
    chars: list[dict],
    boxes: list[list[tuple[float, float, float, float] | None]],
    borders: tuple[float, ...],
) -> list[float]:
    """For each column, the room under the text of the table's bottom cell, in font sizes."""
    bottom: dict[int, tuple[float, float, float, float]] = {}
    for row in boxes:
        for box in row:
            if box is not None:
                for column in _column_of(box[0], box[2], borders):
                    bottom[column] = box
    room = [math.inf] * (len(borders) - 1)
    for column, box in bottom.items():
        inside = [c for c in chars if _inside(c, box) and not c["text"].isspace()]
        if inside:
            last = max(char["bottom"] for char in inside)
            size = max(char["size"] for char in inside) or 1.0
            room[column] = (box[3] - last) / size
    return room


def pdf_to_fragments(
    pdf: pdfplumber.PDF, source_name: str, layouts: Layouts | None = None
) -> _Found:
    """Every page's part of the report table, found by its header and column borders."""
    found = _Found()
    chars_seen = 0
    for number, page in enumerate(pdf.pages, start=1):
        chars_seen += len(page.chars)
        on_this_page = 0
        tables = page.find_tables()
        for table in tables:
            rows = table.rows
            boxes = [list(row.cells) for row in rows]
            if not boxes:
                continue
            texts = table.extract()
            start, header = header_rows(texts, layouts)
            if header is not None:
                if header.rows == 1:
                    header_boxes = [box for box in boxes[start - 1] if box]
                    borders = tuple([box[0] for box in header_boxes] + [header_boxes[-1][2]])
                else:  # the lower row splits the group cell: both rows' edges
                    borders = _table_borders(boxes[start - header.rows : start])
                if found.header is None:
                    found.header, found.borders = header, borders
                    # The page's characters are parsed already; cropping would filter
                    # every object of the page again. A title may also sit in the table,
                    # in full-width rows above the header.
                    top = table.bbox[1]
                    others = [t.bbox for t in tables if t is not table]
                    above = [
                        char
                        for char in page.chars
                        if char["bottom"] <= top and not any(_inside(char, b) for b in others)
                    ]
                    in_table = [unwrap(t or "") for row in texts[: start - 1] for t in row]
                    title = " ".join([extract_text(above), *in_table])
                    found.title = title_text(title) or None
                elif not _borders_match(borders, found.borders):
                    continue
            elif found.header is None or not _borders_match(_table_borders(boxes), found.borders):
                continue
            # A table that starts a page may continue the previous page's; a second table on
            # the same page (the table restarted under a "(续表)" line) starts cleanly.
            fragment = Fragment(page=number, starts_page=on_this_page == 0)
            on_this_page += 1
            for index in range(start, len(boxes)):
                cells = row_to_cells(boxes[index], texts[index], found.borders)
                if cells is None:
                    continue
                if all(cell is None or cell == "" for cell in cells):
                    continue
                fragment.rows.append(PdfRow(cells, number, index + 1))
            if fragment.rows:
                fragment.room = room_at_bottom(page.chars, boxes[start:], found.borders)
                found.fragments.append(fragment)
    if chars_seen == 0:
        raise UnreadableDocument(
            source_name,
            "has no text layer (a scanned image?): run OCR first, e.g. ocrmypdf, and send "
            "the result",
        )
    return found


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


def stitch_page_breaks(fragments: list[Fragment], header: Header = AUGUST_HEADER) -> list[PdfRow]:
    """The rows of every page as one table: cut rows joined, merged cells carried over."""
    content = header.index("content")
    merged_over_break = [
        i for i in (header.index("department"), header.index("leader")) if i is not None
    ]
    rows: list[PdfRow] = []
    previous: Fragment | None = None
    for fragment in fragments:
        for position, row in enumerate(fragment.rows):
            if position > 0 or not rows:
                rows.append(row)
                continue
            # Only a page break cuts a row; a table restarted on the same page does not.
            cut = previous if fragment.starts_page else None
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
            for column in merged_over_break:
                if cells[column] == "":
                    cells[column] = None
            rows.append(PdfRow(cells, row.page, row.row))
        previous = fragment
    return rows


def rows_to_grid(rows: list[PdfRow], header: Header = AUGUST_HEADER) -> list[GridRow]:
    """Stitched rows → grid rows with their page and row, ``raw`` the cells joined."""
    return [
        header.grid_row(
            row.cells,
            Location(page=row.page, row=row.row),
            " | ".join(cell or "" for cell in row.cells),
        )
        for row in rows
    ]


def _open_failure(source_name: str, exc: Exception) -> UnreadableDocument:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return UnreadableDocument(source_name, "password-protected PDF: send it without a password")
    detail = str(cause).strip() or type(cause).__name__
    return UnreadableDocument(source_name, f"not a PDF or damaged ({detail})")


def read_pdf(data: bytes, source_name: str, *, layouts: Layouts | None = None) -> TableRead:
    """A PDF report's bytes → its table as grid rows with their page and row numbers."""
    if not data.strip():
        raise UnreadableDocument(source_name, "the file is empty")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise UnreadableDocument(source_name, "the PDF has no pages")
            found = pdf_to_fragments(pdf, source_name, layouts)
    except (UnreadableDocument, TableNotFound):
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files; none may escape
        raise _open_failure(source_name, exc) from None
    if found.header is None:
        raise TableNotFound(
            source_name,
            "no progress table found: no ruled table whose header reads '项目内容 | 8月计划进度 | "
            "实际进度情况 | 完成率 | 责任单位 | 具体分管领导'",
        )
    return TableRead(
        header_month=found.header.month,
        title=found.title,
        grid=rows_to_grid(stitch_page_breaks(found.fragments, found.header), found.header),
        header=found.header,
    )
