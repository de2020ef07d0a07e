"""Text tables separated by tabs or commas: a sheet saved as text or as CSV.

Excel's and WPS's "Text (tab delimited)" (the ANSI code page, GB18030 on a Chinese Windows,
CRLF), "CSV UTF-8" (with a byte-order mark) and LibreOffice Calc's text export write every
cell of a row, a cell holding a line break or the separator in double quotes (``""`` for a
quote inside), and a merged cell as empty cells. ``csv`` reads the quoting; a row is one
record, which may run over several lines, and ``source_line`` is the line where it starts.

The separator is the one the header line uses: tab, else comma. Rows are read like a ``|``
table's whose merges are written as empty cells (``empty_cells_merge``): every row has the
header's cells. Cells missing at the end of a row are empty (Excel leaves out trailing empty
cells after the first rows of a sheet) where that reads the same as merged cells left out,
as a ``|`` table leaves them out; a row where the two differ, or with more filled cells than
the header, is quarantined, never shifted. A completion rate typed as a plain number
(``72``) is the rate (``72%``), as in a workbook.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from i18n import _
from parsers.cells import split_marker
from parsers.errors import UnreadableDocument
from parsers.formats.text.bar_table import place_cells
from parsers.formats.text.shared import (
    cell_count_issue,
    header_key,
    is_section_title,
    merged_from_above,
    merged_from_quarantined,
    not_a_row,
)
from parsers.layouts import Layouts
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow, TableRead
from parsers.period import choose_title
from parsers.table import Header, find_header, header_miss, match_header

#: The separators tried after ``|``, in order, with how a message names them.
SEPARATORS: tuple[str, ...] = ("\t", ",", ";")
#: A record longer than this is an unclosed quote swallowing the lines after it.
_MAX_FIELD = 1 << 20


@dataclass(frozen=True)
class Record:
    """One row of a delimited text: its first and last line (1-based) and its cells."""

    line: int
    end: int
    cells: list[str]

    @property
    def filled(self) -> list[str]:
        return [c for c in self.cells if c]


def split_records(text: str, separator: str) -> tuple[list[Record], str | None]:
    """The rows of ``text`` as ``csv`` reads them with ``separator`` (Excel's quoting), and
    what stopped the reading, if anything (a quote left open, text after a closing quote),
    with its line.

    Cells are stripped and a line break inside a cell is ``\\n``; empty rows are dropped.
    """
    csv.field_size_limit(_MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[Record] = []
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                records.append(Record(start, previous, [_cell(cell) for cell in cells]))
    except csv.Error as exc:
        return records, _(
            "line {line}: {error}: a cell that starts with a double quote must end with one; "
            "save the sheet again as text"
        ).format(line=previous + 1, error=exc)
    return records, None


def _cell(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _find_record_header(
    records: list[Record], layouts: Layouts | None
) -> tuple[int, Header] | str | None:
    """(index of the header's first record, Header); else why the first record that looks
    like a header is not one, or None."""
    miss: str | None = None
    for index, record in enumerate(records):
        if len(record.cells) < 2:
            continue
        window = [record.cells, *(r.cells for r in records[index + 1 : index + 2])]
        found = find_header(window, layouts, search=1)
        if found is not None:
            return index, found[1]
        if miss is None:
            why = header_miss(record.cells, layouts)
            if why is not None:
                miss = _("line {line} looks like a header, but {why}").format(
                    line=record.line, why=why
                )
    return miss


def read_delimited(
    text: str, source_name: str, layouts: Layouts | None = None
) -> TableRead | list[str]:
    """The table of a tab- or comma-separated text; without a header with either separator,
    why each near miss is not a header (to name in the message)."""
    misses: list[str] = []
    for separator in SEPARATORS:
        if separator not in text:
            continue
        records, stopped = split_records(text, separator)
        found = _find_record_header(records, layouts)
        if isinstance(found, tuple):
            if stopped is not None:
                raise UnreadableDocument(source_name, stopped)
            return records_to_table(records, found[0], found[1], source_name, layouts)
        if found is not None:
            misses.append(found)
    return misses


def records_to_table(
    records: list[Record],
    start: int,
    header: Header,
    source_name: str,
    layouts: Layouts | None = None,
) -> TableRead:
    """The records under the header → grid rows; notes are warnings, repeated headers and
    section titles are passed over, a row with too many cells is quarantined."""
    keys = {header_key(r.cells) for r in records[start : start + header.rows]}
    completion = header.index("completion")
    grid: list[GridRow] = []
    rejected: list[RejectedRow] = []
    issues: list[Issue] = []
    seen: list[SeenRow] = []
    above: int | None = None
    last_line = 0  # the line of the last row read or quarantined
    for record in records[start + header.rows :]:
        cells, filled = record.cells, record.filled
        location = Location(line=record.line)
        raw = " | ".join(cells)
        if header_key(cells) in keys or match_header(cells, layouts) is not None:
            continue
        item = split_marker(cells[0])[0] if cells else None
        if len(filled) == 1 and item is None and split_marker(filled[0])[0] is None:
            if not is_section_title(filled[0]):
                issues.append(
                    not_a_row(
                        source_name,
                        location,
                        filled[0],
                        _(
                            "line has one cell and was not read: if it is a row of the table, "
                            "give it its cells"
                        ),
                    )
                )
            continue
        seen.append(SeenRow(item, location, raw, by_place=True))
        owner = item if item is not None else above
        above = owner
        while len(cells) > header.width and not cells[-1]:
            cells = cells[:-1]
        if len(cells) > header.width:
            rejected.append(
                RejectedRow(
                    location,
                    raw,
                    (_too_many(source_name, record, len(cells), header, owner),),
                    item_no=owner,
                )
            )
            last_line = record.line
            continue
        if len(cells) < header.width:
            padded = [*cells, *[""] * (header.width - len(cells))]
            if not _missing_at_the_end(cells, padded, header):
                rejected.append(
                    RejectedRow(
                        location,
                        raw,
                        (_too_few(source_name, record, len(cells), header, owner),),
                        item_no=owner,
                    )
                )
                last_line = record.line
                continue
            cells = padded
        if completion is not None:
            cells[completion] = number_as_rate(cells[completion])
        row = header.grid_row(cells, location, raw)
        if rejected and rejected[-1].location.line == last_line and merged_from_above(row):
            problem = merged_from_quarantined(source_name, row, rejected[-1], owner)
            rejected.append(RejectedRow(location, raw, (problem,), item_no=owner))
        else:
            grid.append(row)
        last_line = record.line
    preamble = [" ".join(r.filled) for r in records[:start]]
    return TableRead(
        seen=seen,
        header_month=header.month,
        title=choose_title(preamble),
        grid=grid,
        rejected=rejected,
        issues=issues,
        header=header,
        empty_cells_merge=True,
    )


_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def number_as_rate(cell: str) -> str:
    """A completion cell that is a plain number above 1, or 0 (``72``), as the rate it stands
    for (``72%``): a sheet writes a rate typed into a General cell so. A number from 0 to 1
    (``0.72``) could be 72% or 0.72%: kept as written, it fails the completion check rather
    than loading a guess. The same rule as for a workbook's cells (``parsers.formats.xlsx``)."""
    if _PLAIN_NUMBER.match(cell) is None:
        return cell
    number = float(cell)
    return cell if 0 < number <= 1 else f"{cell}%"


def _missing_at_the_end(cells: list[str], padded: list[str], header: Header) -> bool:
    """Whether a short row reads the same with its missing cells at the end (as Excel leaves
    out empty cells there) and with merged cells left out (as a ``|`` table does): then both
    are empty or merged from above. Otherwise which cell is missing is not known."""
    placed = place_cells(cells, header)
    return placed is not None and [c or "" for c in placed] == padded


def _too_few(
    source_name: str, record: Record, cells: int, header: Header, item: int | None
) -> Issue:
    message = _(
        "row has {cells} cells; the header has {columns} columns, and which are missing is "
        "not clear: write every cell of the row, an empty one as nothing between two "
        "separators"
    ).format(cells=cells, columns=header.width)
    return cell_count_issue(source_name, record.line, message, item, str(cells))


def _too_many(
    source_name: str, record: Record, cells: int, header: Header, item: int | None
) -> Issue:
    message = _(
        "row has {cells} cells; the header has {columns} columns: a cell whose text holds "
        "the separator must be in double quotes (save the sheet again as text rather than "
        "typing it)"
    ).format(cells=cells, columns=header.width)
    return cell_count_issue(source_name, record.line, message, item, str(cells))
