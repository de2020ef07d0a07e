"""The shapes the PDF reader passes between its steps: rows, page fragments, what was found."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.model import SeenRow
from parsers.table import Header, match_header

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
    ``unsettled``: columns that a table read from text geometry cannot settle → why
    (``parsers.page_geometry.words``).
    """

    cells: Cells
    page: int
    row: int
    unclear: dict[int, int] = field(default_factory=dict)
    unsettled: dict[int, str] = field(default_factory=dict)
    #: The row ends a page or starts the next one (``stitch_page_breaks``).
    at_break: bool = False
    #: Columns whose cell's text fills it to its right and bottom edges (``filled_cell``):
    #: the producer may have printed only what fits.
    filled: tuple[int, ...] = ()


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
    #: Lines across the table read from text geometry that are not rows (a note, a
    #: section title), as (row, text): ``parsers.page_geometry.words``.
    notes: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Found:
    header: Header | None = None
    borders: tuple[float, ...] = ()
    header_page: int = 0
    header_top: float = 0.0
    title: str | None = None
    #: The table was read from text geometry (no ruled header): ``parsers.page_geometry.words``.
    by_words: bool = False
    fragments: list[Fragment] = field(default_factory=list)
    seen: list[SeenRow] = field(default_factory=list)
