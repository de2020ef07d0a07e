"""PDF reports: one ruled table running over several pages, read by its ruling.

pdfplumber's table finder gives each page's rules (snapped and joined edges); the reader
builds the table from them itself, because a producer's breaks are not closed cells: a
browser leaves a cell cut by the page edge open (no rule under it), and pdfplumber drops
such a cell and everything in it. The steps, each a small conversion:

1. ``pdf_page_layout`` (the only step that talks to pdfplumber) gives each page as a
   ``PageLayout``: its characters, rules and ruled tables; a scanned page comes as the same
   shape from OCR (``parsers.ocr``). ``layouts_to_found``: on the first page with it,
   the header row among the first rows of a ruled table (columns found by name in any
   order, ``parsers.table``; a two-row header joined) gives the column borders and the
   title above. On every page, ``table_regions`` finds where the report table is framed
   (ruled at its left and right border, most inner borders ruled), and
   ``region_to_fragment`` cuts it into row bands at its horizontal rules and into columns at
   the header's borders. A cell is a rectangle: the bands that no rule separates in a column
   are one merged cell, and every character inside it is its text, wherever the producer
   drew it (top, middle), given to its first row; the rows below it get ``None`` (covered).
   A band without inner column rules is a full-width row (a section title), not data. The
   header repeated at the top of a page is dropped.
2. ``stitch_page_breaks``: join the rows a page break cut in two and carry merged cells over
   the break (rules below).
3. ``rows_to_grid``: ``GridRow``s (cells by column name, ``Header.grid_row``) for
   ``grid_to_rows``, the step every format shares;
   ``unclear_rows``: rows whose merged cell the geometry cannot place, rejected.

**Page breaks, by the ruling.** A column with no rule under the last cell of a page, or
none over the first cell of the next, is one cell running over the break: its text (on
either page) goes to the row where the cell starts, and the next page's row is covered
there. A first row whose every cell runs on is the rest of the row above.

**Page breaks where every cell is closed** (LibreOffice, Word and WPS close the frame at
the page bottom and repeat the header, whether or not a row was cut), the first data row
of a page is classified by what it holds:

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
rejected with its page and row rather than glued silently to the row above. In a new row at
the top of a page, an empty department or leader cell is a merged cell carried over the
break (the value stays on the previous page), so it inherits. An empty department or leader
above the break with a value under it is ambiguous (one merged cell whose text is on the
next page, or two cells): those rows are rejected, "department unclear at the page break on
page N", never given a guessed value.

**Text.** A cell's lines are joined without a space unless both sides are ASCII letters or
digits (a wrap in Chinese text is not a space); the same rule joins the two halves of a cut
cell. Look-alike code points of the text layer are folded later, in the grid step.

**Seen rows.** ``markers_on_page`` counts the item markers ``(N)`` that start a run of text
anywhere on a page, apart from the table reading, for ``parsers.reconcile``.

**Where.** ``source_page`` is the 1-based page; ``source_row`` counts the row bands of the
table on that page from 1 as a reader would, a header row on that page included, so the
first data row under the header is row 2. A row cut by a page break is placed where it starts.

**Bad files** raise ``UnreadableDocument`` (not a PDF or damaged, password-protected, no text
layer) or ``TableNotFound``; no pdfminer or pdfplumber exception leaves ``read_pdf``.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pdfplumber
from pdfplumber.table import TableFinder
from pdfplumber.utils import extract_text

from i18n import _
from parsers.errors import LimitExceeded, TableNotFound, UnreadableDocument
from parsers.grid import ITEM_NUMBER, parse_completion, parse_serial, split_marker
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits, too_many_pages
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow, TableRead
from parsers.ocr.runner import SERIAL, OcrRunner, require_ocr
from parsers.period import choose_title
from parsers.table import Header, match_header
from parsers.table import find_header as find_header_in_texts

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
# Styles that leave out the rules between some columns still rule most of them.
_HIDDEN_RULES = 3
# Department and leader: a merge of these runs on past a break as an empty cell.
_MERGEABLE = ("department", "leader")
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"  # ideographs, CJK and full-width punctuation
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")

Cells = list[str | None]
Box = tuple[float, float, float, float]

#: The August report's header, for the steps below when called without one (tests, tools).
AUGUST_HEADER: Header = match_header(  # type: ignore[assignment]
    ["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]
)


@dataclass
class PdfRow:
    """One table row as printed on one page: a cell per header column (``None`` = merged).

    ``unclear``: columns whose merged value the geometry cannot place → the page of the break.
    """

    cells: Cells
    page: int
    row: int
    unclear: dict[int, int] = field(default_factory=dict)


@dataclass
class Fragment:
    """The part of the report table printed on one page, header row dropped."""

    page: int
    starts_page: bool = True  # the first table on its page: the previous page may continue
    rows: list[PdfRow] = field(default_factory=list)
    #: Per column, the room left under the text of the bottom cell, in font sizes
    #: (``inf`` for an empty cell); ``None`` where the geometry is not known.
    room: list[float] | None = None
    #: Per column, no rule over the first row's cell / under the last row's cell: the cell
    #: runs on from the previous page / to the next. ``None`` where not known.
    open_top: list[bool] | None = None
    open_bottom: list[bool] | None = None
    #: Per band, whether it is one cell across the whole table (a section title).
    full_width: list[bool] = field(default_factory=list)
    #: The characters of each cell, by (band index, column), for readers that keep more
    #: about a character than its text (OCR: its confidence).
    cell_chars: dict[tuple[int, int], list[dict]] = field(default_factory=dict)


@dataclass
class _Found:
    header: Header | None = None
    borders: tuple[float, ...] = ()
    header_page: int = 0
    header_top: float = 0.0
    title: str | None = None
    fragments: list[Fragment] = field(default_factory=list)
    seen: list[SeenRow] = field(default_factory=list)


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


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def find_header(
    texts: list[list[str | None]], layouts: Layouts | None = None
) -> tuple[int, Header | None]:
    """The header among a table's first rows: (rows up to and with it, the header) or (0, None).

    A two-row header (a group cell over some columns) is read as the two rows joined.
    """
    rows = [[unwrap(t) if t is not None else None for t in row] for row in texts]
    found = find_header_in_texts(
        rows[: _HEADER_SEARCH_ROWS + 1], layouts, search=_HEADER_SEARCH_ROWS
    )
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


# --------------------------------------------------------------------------- geometry


@dataclass
class _Rules:
    """A page's ruling as pdfplumber's table finder sees it (snapped and joined edges)."""

    horizontal: list[tuple[float, float, float]]  # (y, x0, x1)
    vertical: list[tuple[float, float, float]]  # (x, top, bottom)

    @classmethod
    def of(cls, edges: list[dict]) -> _Rules:
        horizontal = sorted((e["top"], e["x0"], e["x1"]) for e in edges if e["orientation"] == "h")
        vertical = sorted(
            (e["x0"], e["top"], e["bottom"]) for e in edges if e["orientation"] == "v"
        )
        return cls(horizontal, vertical)

    def vertical_spans(self, x: float) -> list[tuple[float, float]]:
        """The stretches (top, bottom) ruled at ``x``, touching stretches joined."""
        spans: list[tuple[float, float]] = []
        for ex, top, bottom in self.vertical:
            if abs(ex - x) > _BORDER_TOLERANCE:
                continue
            if spans and top <= spans[-1][1] + _BORDER_TOLERANCE:
                spans[-1] = (spans[-1][0], max(spans[-1][1], bottom))
            else:
                spans.append((top, bottom))
        return spans

    def crosses(self, x: float, top: float, bottom: float) -> bool:
        """Whether a vertical rule at ``x`` runs from ``top`` to ``bottom``."""
        return any(
            abs(ex - x) <= _BORDER_TOLERANCE
            and etop <= top + _BORDER_TOLERANCE
            and ebottom >= bottom - _BORDER_TOLERANCE
            for ex, etop, ebottom in self.vertical
        )


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


def _cell_text(chars: list[dict]) -> str:
    return unwrap(extract_text(chars)) if chars else ""


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
    fragment.rows = [PdfRow(cells, number, index + 1) for index, cells in enumerate(rows)]
    return fragment, rows


def _middle(char: dict) -> tuple[float, float]:
    return (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2


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


_MARKER_AT_START = re.compile(rf"(?:^|\x00)\s*{ITEM_NUMBER}")


def markers_on_page(chars: list[dict], number: int) -> list[SeenRow]:
    """Item markers ``(N)`` that start a run of text on the page, wherever it is drawn.

    Counted from the characters alone, not from the table reading, so that a row drawn
    outside the table's cells (or lost by it) is still seen. Characters on one baseline
    are one line; a gap wider than a character starts a new run (the next cell's text).
    """
    lines: dict[int, list[dict]] = {}
    for char in chars:
        lines.setdefault(round(char["top"]), []).append(char)
    seen: list[SeenRow] = []
    for _top, line in sorted(lines.items()):
        line.sort(key=lambda c: c["x0"])
        if not any("(" in c["text"] or "（" in c["text"] for c in line):
            continue
        parts: list[str] = []
        previous = None
        for char in line:
            if previous is not None and char["x0"] - previous["x1"] > previous["size"]:
                parts.append("\x00")
            parts.append(char["text"])
            previous = char
        text = "".join(parts)
        for match in _MARKER_AT_START.finditer(text):
            run = text[match.start() :].lstrip("\x00").split("\x00")[0]
            seen.append(SeenRow(int(match.group(1)), Location(page=number), run.strip()))
    return seen


@dataclass
class TableBoxes:
    """A ruled table's first rows as cell boxes (``None`` where a merged cell covers), and
    its bounding box: where the header row is looked for."""

    rows: list[list[Box | None]]
    bbox: Box


@dataclass
class PageLayout:
    """One page as the reader needs it, whoever drew or read it: its characters (pdfplumber's
    char dicts: ``x0, x1, top, bottom, size, text``), its rules, and its ruled tables.

    The text layer gives these for a PDF page (``pdf_page_layout``); OCR gives them for a
    scanned page (``parsers.ocr``: a "character" is then a piece of a text line, and carries
    its ``confidence``). ``left`` is the x of the table's left rule on a scan, which sits a
    few millimetres off from page to page: the page is moved to the header page's borders.
    """

    number: int
    chars: list[dict]
    rules: _Rules
    tables: Callable[[], list[TableBoxes]]
    left: float | None = None

    def moved(self, dx: float) -> PageLayout:
        """The page moved right by ``dx`` points."""
        chars = [{**c, "x0": c["x0"] + dx, "x1": c["x1"] + dx} for c in self.chars]
        rules = _Rules(
            [(y, x0 + dx, x1 + dx) for y, x0, x1 in self.rules.horizontal],
            [(x + dx, top, bottom) for x, top, bottom in self.rules.vertical],
        )
        tables = self.tables()
        moved = [
            TableBoxes(
                [[(b[0] + dx, b[1], b[2] + dx, b[3]) if b else None for b in r] for r in t.rows],
                (t.bbox[0] + dx, t.bbox[1], t.bbox[2] + dx, t.bbox[3]),
            )
            for t in tables
        ]
        left = None if self.left is None else self.left + dx
        return PageLayout(self.number, chars, rules, lambda: moved, left)


def pdf_page_layout(page: pdfplumber.page.Page, number: int) -> PageLayout:
    """A page with a text layer: its characters, and its rules and tables as pdfplumber's
    table finder sees them."""
    finder = TableFinder(page)

    def tables() -> list[TableBoxes]:
        return [
            TableBoxes([list(row.cells) for row in t.rows[: _HEADER_SEARCH_ROWS + 1]], t.bbox)
            for t in finder.tables
        ]

    return PageLayout(number, page.chars, _Rules.of(finder.edges), tables)


def pdf_to_fragments(
    pdf: pdfplumber.PDF, source_name: str, layouts: Layouts | None = None
) -> _Found:
    """Every page's part of the report table, found by its header and column borders."""
    pages = [pdf_page_layout(page, number) for number, page in enumerate(pdf.pages, start=1)]
    if not any(page.chars for page in pages):
        raise UnreadableDocument(source_name, _("has no text layer and no scanned pages"))
    return layouts_to_found(pages, layouts)


def layouts_to_found(pages: Iterable[PageLayout], layouts: Layouts | None = None) -> _Found:
    """Every page's part of the report table, found by its header and column borders.

    ``pages`` are the page layouts (text layer or OCR); ``layouts`` the header words.
    """
    found = _Found()
    for layout in pages:
        number, chars = layout.number, layout.chars
        found.seen += markers_on_page(chars, number)
        if found.header is None:
            _find_header_on(number, chars, layout.tables(), found, layouts)
            if found.header is None:
                continue
        elif layout.left is not None and abs(layout.left - found.borders[0]) > _BORDER_TOLERANCE:
            layout = layout.moved(found.borders[0] - layout.left)
            chars = layout.chars
        rules = layout.rules
        for position, region in enumerate(table_regions(rules, found.borders)):
            if number == found.header_page and region[1] <= found.header_top:
                continue
            fragment, texts = region_to_fragment(number, chars, rules, region, found.borders)
            fragment.starts_page = position == 0
            skip = 0
            repeated = find_header_in_texts(
                [[c or "" for c in cells] for cells in texts[: _HEADER_SEARCH_ROWS + 1]],
                layouts,
                search=_HEADER_SEARCH_ROWS,
            )
            if repeated is not None:
                skip = repeated[0] + repeated[1].rows
                fragment.open_top = [False] * len(texts[0])
            rows = []
            for index, row in enumerate(fragment.rows):
                if index < skip or fragment.full_width[index]:
                    continue
                empty = all(cell is None or cell == "" for cell in row.cells)
                if empty and not (index == skip and any(fragment.open_top or [])):
                    continue
                rows.append(row)
            fragment.rows = rows
            if rows:
                found.fragments.append(fragment)
    return found


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
        start, header = find_header(texts, layouts)
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
            running = _running_on(cut, fragment)
            if (
                running is not None
                and all(running)
                and starts_item(row.cells, header)
                and has_completion(row.cells, header)
            ):
                # Every cell of the row above was cut, but this row starts an item and has
                # its own rate (the rest of a cell never starts with one): the cut row had
                # nothing left to print here (a browser then draws no band for it).
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
        if not row.unclear
    ]


def _raw(row: PdfRow) -> str:
    return " | ".join(cell or "" for cell in row.cells)


def unclear_rows(
    rows: list[PdfRow], source_name: str, header: Header = AUGUST_HEADER
) -> list[RejectedRow]:
    """Rows whose merged cell the geometry cannot place, rejected with the page of the break."""
    rejected = []
    for row in rows:
        if not row.unclear:
            continue
        location = Location(page=row.page, row=row.row)
        issues = tuple(
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


def _open_failure(source_name: str, exc: Exception) -> UnreadableDocument:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return UnreadableDocument(
            source_name, _("password-protected PDF: send it without a password")
        )
    detail = str(cause).strip() or type(cause).__name__
    return UnreadableDocument(
        source_name, _("not a PDF or damaged ({detail})").format(detail=detail)
    )


def count_pages(data: bytes) -> int | None:
    """The page count from PDFium in milliseconds (pdfplumber takes seconds for thousands of
    pages); None when PDFium cannot open the file, which pdfplumber then explains."""
    import pypdfium2  # installed with pdfplumber

    try:
        document = pypdfium2.PdfDocument(data)
    except Exception:  # damaged or encrypted: pdfplumber's message says which
        return None
    try:
        return len(document)
    finally:
        document.close()


def fragments_to_table(found: _Found, source_name: str) -> tuple[TableRead, list[PdfRow]]:
    """The report's table from its pages' fragments: header checked, page breaks stitched."""
    if found.header is None:
        raise TableNotFound(
            source_name,
            _(
                "no progress table found: no ruled table whose header reads "
                "'项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导'"
            ),
        )
    rows = stitch_page_breaks(found.fragments, found.header)
    table = TableRead(
        header_month=found.header.month,
        title=found.title,
        grid=rows_to_grid(rows, found.header),
        rejected=unclear_rows(rows, source_name, found.header),
        seen=found.seen,
        header=found.header,
    )
    return table, rows


def read_pdf(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    ocr: OcrRunner = SERIAL,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A PDF report's bytes → its table as grid rows with their page and row numbers.

    Pages with a text layer are read from it; pages that are only an image (a scan) are read
    by OCR through ``ocr``, and then go through the same steps.
    """
    if not data.strip():
        raise UnreadableDocument(source_name, _("the file is empty"))
    pages = count_pages(data)
    if pages is not None and pages > limits.max_pages:
        raise too_many_pages(source_name, pages, limits)
    # pdfminer logs every font it cannot measure (browser PDFs embed such fonts): not news.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    page_layouts: dict[int, PageLayout] = {}
    scanned: list[int] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise UnreadableDocument(source_name, _("the PDF has no pages"))
            if len(pdf.pages) > limits.max_pages:  # PDFium could not count them
                raise too_many_pages(source_name, len(pdf.pages), limits)
            for number, page in enumerate(pdf.pages, start=1):
                if not page.chars and page.images:
                    scanned.append(number)
                else:
                    page_layouts[number] = pdf_page_layout(page, number)
            if not scanned:
                if not any(layout.chars for layout in page_layouts.values()):
                    raise UnreadableDocument(
                        source_name, _("has no text layer and no scanned pages")
                    )
                found = layouts_to_found((page_layouts[n] for n in sorted(page_layouts)), layouts)
    except (UnreadableDocument, TableNotFound, LimitExceeded):
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files; none may escape
        raise _open_failure(source_name, exc) from None
    if not scanned:
        return fragments_to_table(found, source_name)[0]
    require_ocr(source_name)
    from parsers.ocr.reader import read_scans, scan_pdf_pages

    scans = read_scans(source_name, scan_pdf_pages(data, scanned, ocr.dpi, source_name), ocr)
    page_layouts.update(scans.layouts())
    found = layouts_to_found((page_layouts[n] for n in sorted(page_layouts)), layouts)
    table, rows = fragments_to_table(found, source_name)
    return scans.annotate(table, found.fragments, rows, "pdf-ocr", ocr.min_confidence)
