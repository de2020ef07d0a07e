"""The one row shape every format's parser produces, and where each row came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from i18n import _

if TYPE_CHECKING:
    from parsers.table import Header

#: The one list of the row columns, with their pandas dtypes, in the order of
#: ``ParsedDocument.rows``. The warehouse's ``progress`` columns are these (without ``raw``)
#: after the report's identity (``warehouse.load.PROGRESS_COLUMNS``); the schema SQL is checked
#: against them by ``tests/warehouse/test_columns.py``.
ROW_DTYPES: dict[str, str] = {
    # what the table says, filled the same way by every layout (the August truth holds these)
    "item_no": "Int64",
    "sub_no": "Int64",
    "content": "object",
    "plan_text": "object",
    "actual_text": "object",
    "completion_raw": "object",
    "completion_pct": "float64",
    "is_lagging": "bool",
    "department": "object",
    "leader": "object",
    "department_inherited": "bool",
    "leader_inherited": "bool",
    # where the row came from
    "source_page": "Int64",
    "source_row": "Int64",
    "source_line": "Int64",
    # columns a layout may have, and what the report covers
    "note": "object",
    "extra": "object",
    "period_kind": "object",
    # the row's cells as written: quarantined with a rejected row, never loaded into progress
    "raw": "object",
}

#: Columns of ``ParsedDocument.rows``, in order; ``raw`` keeps the row's cells as written.
ROW_COLUMNS: tuple[str, ...] = tuple(ROW_DTYPES)

#: The row columns a ``progress`` row keeps (all but ``raw``).
STORED_ROW_COLUMNS: tuple[str, ...] = tuple(c for c in ROW_COLUMNS if c != "raw")

#: The columns every layout fills the same way: what a cross-format comparison compares.
VALUE_COLUMNS: tuple[str, ...] = ROW_COLUMNS[: ROW_COLUMNS.index("leader_inherited") + 1]

#: The six columns of the August report's table, in the order it prints them. Other layouts
#: name their columns in any order (see ``parsers.table``); this is the default header.
TABLE_COLUMNS: tuple[str, ...] = (
    "content",
    "plan",
    "actual",
    "completion",
    "department",
    "leader",
)


@dataclass(frozen=True)
class Location:
    """A place in a document: a text line, or a PDF page and table row, or a table row."""

    page: int | None = None
    row: int | None = None
    line: int | None = None

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Location:
        """The place of a table row or an issue record, from its ``source_page/row/line``."""

        def opt(name: str) -> int | None:
            value = row.get(name)
            return None if value is None or pd.isna(value) else int(value)

        return cls(page=opt("source_page"), row=opt("source_row"), line=opt("source_line"))

    def sort_key(self) -> tuple[int, int, int]:
        """Document order: by page, line, then row; a whole-document place comes first."""
        return (self.page or 0, self.line or 0, self.row or 0)

    def describe(self) -> str:
        """``page 3, row 2`` or ``line 7`` (``第3页，第2行``); empty for the whole document."""
        parts = []
        if self.page is not None:
            parts.append(_("page {page}").format(page=self.page))
        if self.line is not None:
            parts.append(_("line {line}").format(line=self.line))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        return _(", ").join(parts)


@dataclass(frozen=True)
class Issue:
    """One problem found in a document: where, which column, what was wrong, what was done."""

    source_name: str
    check: str
    message: str
    severity: str = "error"  # "error" | "warning" | "info"
    location: Location = field(default_factory=Location)
    column: str | None = None
    value: str | None = None
    action: str = "row quarantined"
    #: The part of a scanned page the issue is about, as a small ``data:image/jpeg`` URI.
    image: str | None = None

    def describe(self) -> str:
        return in_document(self.source_name, self.location.describe(), self.message)


def in_document(source_name: str, place: str | None, problem: str) -> str:
    """``2022年8月.pdf, page 3, row 2: problem``: a message that says where."""
    if place:
        return _("{name}, {place}: {problem}").format(
            name=source_name, place=place, problem=problem
        )
    return _("{name}: {problem}").format(name=source_name, problem=problem)


@dataclass(frozen=True)
class GridRow:
    """One table row: its cells by canonical column name, other columns by header text.

    ``cells`` has a key for each canonical column the table's header has (``item_no``,
    ``content``, ``plan``, ``actual``, ``completion``, ``department``, ``leader``, ``note``);
    a column the layout lacks has no key and loads as NULL. A cell is ``None`` where the
    grid position is covered by a merged cell from the row above (the project cell of an
    item's second row, a department or leader cell merged over several rows); an empty
    string is a cell that is there and empty. ``extra`` holds the columns no canonical
    name covers, keyed by their header text; they load as the JSON ``progress.extra``.
    Build one with ``Header.grid_row(cells, location, raw)``.
    """

    cells: dict[str, str | None]
    location: Location
    raw: str
    extra: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RejectedRow:
    """A table row that could not become a progress row, with every reason why."""

    location: Location
    raw: str
    issues: tuple[Issue, ...]
    item_no: int | None = None

    @property
    def reasons(self) -> str:
        return "; ".join(issue.message for issue in self.issues)


@dataclass(frozen=True)
class OcrCell:
    """How OCR read a cell of a scan: its lowest confidence, and the cell cut from the page
    (a small ``data:image/jpeg`` URI) where a clerk may need to see it."""

    confidence: float
    image: str | None = None


#: OCR'd cells by (page, table row, column name), where the column is a ``progress`` column.
OcrCells = dict[tuple[int, int, str], OcrCell]


@dataclass(frozen=True)
class SeenRow:
    """A row the document shows, counted apart from reading the table, to reconcile against.

    ``by_place``: accounted for when a row or rejection comes from the same place (a text
    line, a Word table row); otherwise when a row or rejection carries ``item_no``.
    """

    item_no: int | None
    location: Location
    text: str
    by_place: bool = False


@dataclass
class TableRead:
    """What a format reader found: the header, the text above the table, the grid rows.

    ``rejected`` are rows the reader could not place in the grid; ``issues`` are warnings
    about things it read past (notes, lines that are not rows); ``seen`` are the rows and
    item markers the document shows, counted independently, for ``parsers.reconcile``.
    ``header`` is the matched ``parsers.table.Header`` (its unknown columns are reported once
    per document). ``empty_cells_merge`` is true for formats that write a merged cell as an
    explicit empty cell (text with ``| |``, spreadsheets): there an empty department or
    leader cell under a filled one is read as merged from above, with a warning.
    """

    header_month: int | None
    title: str | None
    grid: list[GridRow]
    rejected: list[RejectedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: The format as stored in ``reports.source_format`` when not the file's suffix
    #: (``pdf-ocr``, ``image-ocr`` for a scan read by OCR).
    source_format: str | None = None
    ocr_cells: OcrCells = field(default_factory=dict)
    seen: list[SeenRow] = field(default_factory=list)
    header: Header | None = None
    empty_cells_merge: bool = False


@dataclass(frozen=True)
class Source:
    """Which document a record is about: its name, bytes, format, period and web address.

    Built once where the document is read (``parse_bytes``, or the run for a document it
    could not read) and carried unchanged by every record after it: the parsed document, the
    checked result, the load, the outcome. ``sha256`` is None for a file never opened;
    ``format`` is as stored in ``reports.source_format``; ``url`` is the web address a
    fetched page came from.
    """

    name: str
    sha256: str | None = None
    format: str | None = None
    region: str | None = None
    year: int | None = None
    month: int | None = None
    url: str | None = None

    @property
    def period(self) -> tuple[str | None, int | None, int | None]:
        return (self.region, self.year, self.month)


class FromSource:
    """A record about one document, whose identity fields are read from its ``source``."""

    source: Source

    @property
    def source_name(self) -> str:
        return self.source.name

    @property
    def source_sha256(self) -> str | None:
        return self.source.sha256

    @property
    def source_format(self) -> str | None:
        return self.source.format

    @property
    def source_url(self) -> str | None:
        return self.source.url

    @property
    def region(self) -> str | None:
        return self.source.region

    @property
    def year(self) -> int | None:
        return self.source.year

    @property
    def month(self) -> int | None:
        return self.source.month

    @property
    def period(self) -> tuple[str | None, int | None, int | None]:
        return self.source.period


@dataclass
class ParsedDocument(FromSource):
    """What a parser read from one document: its period, its rows, and what it could not use.

    ``source_name``, ``region``, ``year``, ``month`` … are its ``source``'s."""

    source: Source
    rows: pd.DataFrame
    rejected: list[RejectedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    ocr_cells: OcrCells = field(default_factory=dict)
    #: What the report covers: month, quarter, half_year or year (``parsers.period``).
    period_kind: str = "month"


def empty_rows() -> pd.DataFrame:
    """A frame with the row columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=ROW_DTYPES[c]) for c in ROW_COLUMNS})
