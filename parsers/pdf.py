"""PDF reports: one ruled table running over several pages, read with pdfplumber.

pdfplumber finds the table on each page separately; the work here is to make the pages one
table again. The steps, each a small conversion:

1. ``pdf_to_fragments`` (the only step that talks to pdfplumber): for every page, the ruled
   tables and, for each row, its cells placed in the six published columns by their bounding
   boxes. A cell that starts in a column is that column's text; a column where no cell starts
   in this row is covered by a merged cell from above (``None``). Only tables whose column
   borders line up with the header's belong to the report; the repeated header row is dropped.
2. ``stitch_page_breaks``: join the rows a page break cut in two, and carry merged cells over
   the break (rule below).
3. ``rows_to_grid``: ``GridRow``s for ``grid_to_rows``, the step every format shares.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfplumber.utils import extract_text

from parsers.errors import TableNotFound, UnreadableDocument
from parsers.grid import parse_completion, split_marker
from parsers.model import GridRow, Location, TableRead
from parsers.ocr.runner import SERIAL, OcrRunner, check_resolution, require_ocr
from parsers.table import HeaderInfo, match_header

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


@dataclass
class PdfRow:
    """One table row as printed on one page: six cells (``None`` = covered by a merge)."""

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
    #: The column borders its rows were placed by.
    borders: tuple[float, ...] = ()


@dataclass
class _Found:
    header: HeaderInfo | None = None
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


def columns_of(x0: float, x1: float, borders: tuple[float, ...]) -> list[int]:
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
    """One pdfplumber row → six cells by position; None for a row that spans the whole table.

    A column where no cell of this row starts is covered by a merged cell from above
    (``None``); a column covered by a cell starting further left is part of that cell (``''``).
    """
    cells: Cells = [None] * (len(borders) - 1)
    for box, text in zip(boxes, texts, strict=True):
        if box is None:
            continue
        columns = columns_of(box[0], box[2], borders)
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


def find_header(texts: list[list[str | None]]) -> tuple[int, HeaderInfo | None]:
    """The header among a table's first rows: (rows up to and with it, the header) or (0, None)."""
    for index, row in enumerate(texts[:_HEADER_SEARCH_ROWS]):
        header = match_header([unwrap(t) if t is not None else None for t in row])
        if header is not None:
            return index + 1, header
    return 0, None


def _borders_match(
    a: tuple[float, ...], b: tuple[float, ...], tolerance: float = _BORDER_TOLERANCE
) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


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
                for column in columns_of(box[0], box[2], borders):
                    bottom[column] = box
    room = [math.inf] * (len(borders) - 1)
    for column, box in bottom.items():
        inside = [c for c in chars if _inside(c, box) and not c["text"].isspace()]
        if inside:
            last = max(char["bottom"] for char in inside)
            size = max(char["size"] for char in inside) or 1.0
            room[column] = (box[3] - last) / size
    return room


Box = tuple[float, float, float, float]


@dataclass
class PageTable:
    """One ruled table found on a page, in pdfplumber's shape, whoever found it.

    ``boxes[r][c]`` is the bounding box ``(x0, top, x1, bottom)`` in points of the cell that
    starts in row ``r`` at the table's ``c``-th cell edge (``None`` where no cell starts there:
    covered by a merge); ``texts`` holds the same positions' text, wrapped lines joined with
    ``\\n``. ``chars`` are the glyphs (or OCR text lines) inside it as pdfplumber's char dicts
    (``x0, x1, top, bottom, size, text``), used to tell whether its bottom cells were cut.
    ``text_above`` gives the page's text above the table, where a title is.

    The text-layer reader (``pdf_page_tables``) and the OCR reader (``parsers.ocr``) both
    produce these; ``tables_to_fragments`` makes the report's table out of them.
    """

    page: int
    boxes: list[list[Box | None]]
    texts: list[list[str | None]]
    chars: list[dict] = field(default_factory=list)
    text_above: Callable[[], str] = field(default=lambda: "")
    #: How far (points) its column borders may be from the header's and still be the
    #: report's table: a scanned page sits a few millimetres off where the last one sat.
    tolerance: float = _BORDER_TOLERANCE


def pdf_page_tables(page: pdfplumber.page.Page, number: int) -> list[PageTable]:
    """The ruled tables pdfplumber finds on one page with a text layer."""
    tables = page.find_tables()
    found = []
    for table in tables:
        boxes = [list(row.cells) for row in table.rows]
        if not boxes:
            continue

        def text_above(table: Any = table) -> str:
            # The page's characters are parsed already; cropping would filter every object
            # of the page again.
            top = table.bbox[1]
            others = [t.bbox for t in tables if t is not table]
            above = [
                char
                for char in page.chars
                if char["bottom"] <= top and not any(_inside(char, b) for b in others)
            ]
            return str(extract_text(above))

        found.append(PageTable(number, boxes, table.extract(), page.chars, text_above))
    return found


def tables_to_fragments(pages: Iterable[list[PageTable]]) -> _Found:
    """Every page's part of the report table, found by its header and column borders."""
    found = _Found()
    for tables in pages:
        on_this_page = 0
        for table in tables:
            boxes, texts = table.boxes, table.texts
            start, header = find_header(texts)
            if header is not None:
                # A table under the report's header is the report's, placed by its own
                # borders (a scanned page is shifted; a "(续表)" may be drawn narrower).
                header_boxes = [box for box in boxes[start - 1] if box]
                borders = tuple([box[0] for box in header_boxes] + [header_boxes[-1][2]])
                if found.header is None:
                    found.header = header
                    # A title may also sit in the table, in full-width rows above the header.
                    in_table = [unwrap(t or "") for row in texts[: start - 1] for t in row]
                    title = " ".join([table.text_above(), *in_table])
                    found.title = title_text(title) or None
                found.borders = borders
            elif found.header is None or not _borders_match(
                _table_borders(boxes), found.borders, table.tolerance
            ):
                continue
            # A table that starts a page may continue the previous page's; a second table on
            # the same page (the table restarted under a "(续表)" line) starts cleanly.
            fragment = Fragment(
                page=table.page, starts_page=on_this_page == 0, borders=found.borders
            )
            on_this_page += 1
            for index in range(start, len(boxes)):
                cells = row_to_cells(boxes[index], texts[index], found.borders)
                if cells is None:
                    continue
                if all(cell is None or cell == "" for cell in cells):
                    continue
                fragment.rows.append(PdfRow(cells, table.page, index + 1))
            if fragment.rows:
                fragment.room = room_at_bottom(table.chars, boxes[start:], found.borders)
                found.fragments.append(fragment)
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


def continues_row_above(cells: Cells) -> bool:
    """Whether a page's first data row is the rest of a row cut by the page break."""
    item_no, _ = split_marker(cells[0] or "")
    if item_no is not None:
        return False
    return parse_completion(cells[3] or "") is None


def _was_cut(fragment: Fragment | None, column: int) -> bool:
    """Whether the bottom cell of ``column`` may run on to the next page (filled to the bottom)."""
    if fragment is None or fragment.room is None:
        return True
    return fragment.room[column] <= _ROOM_OF_A_CUT_CELL


def stitch_page_breaks(fragments: list[Fragment]) -> list[PdfRow]:
    """The rows of every page as one table: cut rows joined, merged cells carried over."""
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
                and continues_row_above(row.cells)
                and all(_was_cut(cut, c) for c in texts)
            ):
                for column in texts:
                    _append_to_above(rows, column, row.cells[column] or "")
                continue
            cells = list(row.cells)
            item_no, _ = split_marker(cells[0] or "")
            if item_no is None and parse_completion(cells[3] or "") is not None:
                # Another row of the item above: what its project cell shows is the end of
                # the item's merged project cell. (Text under a project cell that ended
                # above the break stays, and the row is rejected for its missing number.)
                if not cells[0]:
                    cells[0] = None
                elif cut is not None and _was_cut(cut, 0):
                    _append_to_above(rows, 0, cells[0])
                    cells[0] = None
            for column in (4, 5):
                if cells[column] == "":
                    cells[column] = None
            rows.append(PdfRow(cells, row.page, row.row))
        previous = fragment
    return rows


def rows_to_grid(rows: list[PdfRow]) -> list[GridRow]:
    """Stitched rows → grid rows with their page and row, ``raw`` the cells joined."""
    return [
        GridRow(
            tuple(row.cells),
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


def _scan_dpi(page: pdfplumber.page.Page) -> float:
    """The resolution of the sharpest image on a page, in pixels per inch as printed."""
    return max(
        (
            image["srcsize"][0] / ((image["x1"] - image["x0"]) / 72)
            for image in page.images
            if image["x1"] > image["x0"]
        ),
        default=0.0,
    )


def pdf_to_fragments(pdf: pdfplumber.PDF, source_name: str) -> _Found:
    """Every page's part of the report table in a PDF with a text layer."""
    return tables_to_fragments(
        pdf_page_tables(page, number) for number, page in enumerate(pdf.pages, start=1)
    )


def fragments_to_table(found: _Found, source_name: str) -> tuple[TableRead, list[PdfRow]]:
    """The report's table from its pages' fragments: header checked, page breaks stitched."""
    if found.header is None:
        raise TableNotFound(
            source_name,
            "no progress table found: no ruled table whose header reads '项目内容 | 8月计划进度 | "
            "实际进度情况 | 完成率 | 责任单位 | 具体分管领导'",
        )
    rows = stitch_page_breaks(found.fragments)
    table = TableRead(header_month=found.header.month, title=found.title, grid=rows_to_grid(rows))
    return table, rows


def read_pdf(data: bytes, source_name: str, ocr: OcrRunner = SERIAL) -> TableRead:
    """A PDF report's bytes → its table as grid rows with their page and row numbers.

    Pages with a text layer are read from it; pages that are only an image (a scan) are read
    by OCR through ``ocr``, and then go through the same steps.
    """
    if not data.strip():
        raise UnreadableDocument(source_name, "the file is empty")
    pages: dict[int, list[PageTable]] = {}
    scanned: list[int] = []
    has_text = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise UnreadableDocument(source_name, "the PDF has no pages")
            for number, page in enumerate(pdf.pages, start=1):
                if page.chars:
                    has_text = True
                    pages[number] = pdf_page_tables(page, number)
                elif page.images:
                    scanned.append(number)
                    check_resolution(source_name, number, _scan_dpi(page))
                else:
                    pages[number] = []
    except (UnreadableDocument, TableNotFound):
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files; none may escape
        raise _open_failure(source_name, exc) from None
    if not scanned:
        if not has_text:
            raise UnreadableDocument(source_name, "has no text layer and no scanned pages")
        found = tables_to_fragments(pages[n] for n in sorted(pages))
        return fragments_to_table(found, source_name)[0]
    require_ocr(source_name)
    from parsers.ocr.reader import read_scans, scan_pdf_pages

    scans = read_scans(source_name, scan_pdf_pages(data, scanned, ocr.dpi, source_name), ocr)
    pages.update(scans.tables())
    found = tables_to_fragments(pages[n] for n in sorted(pages))
    table, rows = fragments_to_table(found, source_name)
    return scans.annotate(table, found.fragments, rows, "pdf-ocr", ocr.min_confidence)
