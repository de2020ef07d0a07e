"""Spreadsheets: the progress table of an ``.xlsx``/``.xlsm`` workbook, merged cells included.

The zip is checked for size (``parsers.zip_limits``) and opened with openpyxl (not
read-only: read-only sheets do not report merged ranges), with formulas read as their last
computed values. The first sheet with a row among its first non-empty rows that matches the
header holds the report; the table's columns are those of the header row. A merged range
becomes a spanned cell as in Word (see ``parsers.spanned_table``): its value is in its first
row, and the rows below are merged from above, so the grid step inherits and flags them.

A cell is read as Excel shows it: a number formatted as a percentage (``0.72`` with
``0%``) reads ``72%``; in the completion column a plain number above 1 or 0 (``72``) is a
percentage too, while a plain number from 0 to 1 (``0.72``) is ambiguous and is kept as
written, so it fails the completion check instead of loading as a wrong rate. Rows or
columns of the table hidden in Excel are read, with a warning. Text in the rows above the
header (a merged title row) is the title. ``source_row`` is the sheet's row number.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from i18n import _, ngettext
from parsers.errors import LimitExceeded, UnreadableDocument
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import Issue, Location, TableRead
from parsers.spanned_table import (
    Cell,
    ReportTable,
    SpanRow,
    find_span_header,
    table_not_found,
    title_from,
)
from parsers.table import Header
from parsers.zip_limits import check_office_zip

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# How many non-empty rows of a sheet may come before the header (title, unit, date lines).
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class _Shown:
    """A cell as Excel shows it, and whether it holds a number without a percent format."""

    text: str
    plain_number: float | None = None


def shown(cell) -> _Shown:
    """The text Excel shows for a cell (percent formats applied, whole numbers without .0)."""
    value = cell.value
    if value is None:
        return _Shown("")
    if isinstance(value, bool):
        return _Shown("TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        number_format = cell.number_format or "General"
        if "%" in number_format:
            before = number_format.split("%", 1)[0]
            decimals = sum(1 for c in before.split(".", 1)[1] if c in "0#") if "." in before else 0
            return _Shown(f"{value * 100:.{decimals}f}%")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value) if isinstance(value, int) else f"{value:.10g}"
        return _Shown(text, float(value))
    if isinstance(value, dt.datetime):
        return _Shown(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
    if isinstance(value, dt.date | dt.time):
        return _Shown(value.isoformat())
    return _Shown(str(value))


def open_workbook(
    data: bytes, source_name: str, limits: ParseLimits = DEFAULT_LIMITS
):  # -> openpyxl.Workbook
    """Bytes → an openpyxl workbook, or an UnreadableDocument saying what the file is."""
    import openpyxl  # imported here so that reading other formats never pays for it

    if not data:
        raise UnreadableDocument(source_name, _("the file is empty"))
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise UnreadableDocument(
                source_name,
                _(
                    "password-protected (encrypted) workbook: save it without a password and "
                    "send it again"
                ),
            )
        raise UnreadableDocument(
            source_name,
            _(
                "this is an old Excel 97-2003 (.xls) file, not a .xlsx: name it .xls, or open it "
                "in Excel or WPS and save it as .xlsx"
            ),
        )
    check_office_zip(
        data,
        source_name,
        limits,
        main_part="xl/workbook.xml",
        not_zip=_("not an Excel .xlsx file (a .xlsx is a zip archive; this is not one)"),
        without_main_part=_("a zip archive without xl/workbook.xml: not an Excel workbook"),
    )
    check_merges(data, source_name, limits)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl and lxml raise many types for a broken part
        raise UnreadableDocument(
            source_name, _("the workbook is damaged and cannot be opened ({exc})").format(exc=exc)
        ) from None


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_merges(data: bytes, source_name: str, limits: ParseLimits) -> None:
    """Before openpyxl opens the workbook: a merged range over more than
    ``limits.max_sheet_cells`` cells rejects it (openpyxl makes an object for every cell a
    merge covers: ``A1:XFD1048576`` would be 17 billion). The parts' sizes are checked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            for found in _MERGE_REF.finditer(archive.read(name)):
                left, top, right, bottom = found.groups()
                rows = int(bottom) - int(top) + 1
                columns = _column_number(right) - _column_number(left) + 1
                if rows * columns > limits.max_sheet_cells:
                    where = f"{left.decode()}{top.decode()}:{right.decode()}{bottom.decode()}"
                    raise _too_many_cells(source_name, where, limits)


def _too_many_cells(source_name: str, where: str, limits: ParseLimits) -> LimitExceeded:
    return LimitExceeded(
        source_name,
        _(
            "the sheet reaches {where}, more than {limit:,} cells (the limit on a sheet's cells, "
            "ParseLimits.max_sheet_cells): delete what lies beyond the report's table"
        ).format(where=where, limit=limits.max_sheet_cells),
    )


class _Sheet:
    """One worksheet's cells as shown, with its merged ranges.

    Its extent is the last row and column that hold a value (or a merge starting within
    them), not the sheet's declared dimension nor a styled empty cell far out; past
    ``limits.max_sheet_cells`` the document is rejected.
    """

    def __init__(self, ws, source_name: str = "", limits: ParseLimits = DEFAULT_LIMITS) -> None:
        self.ws = ws
        self.merges = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in ws.merged_cells.ranges]
        filled = [
            key
            for key, cell in ws._cells.items()
            if cell.value is not None and str(cell.value).strip()
        ]
        self.max_row = max((r for r, _c in filled), default=0)
        self.max_col = max((c for _r, c in filled), default=0)
        for top, bottom, left, right in self.merges:
            if top <= self.max_row and left <= self.max_col:
                self.max_row = max(self.max_row, bottom)
                self.max_col = max(self.max_col, right)
        if self.max_row * self.max_col > limits.max_sheet_cells:
            from openpyxl.utils import get_column_letter

            where = f"{get_column_letter(self.max_col)}{self.max_row}"
            raise _too_many_cells(source_name, where, limits)

    def merge_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for merge in self.merges:
            if merge[0] <= row <= merge[1] and merge[2] <= col <= merge[3]:
                return merge
        return None

    def shown(self, row: int, col: int) -> _Shown:
        return shown(self.ws.cell(row=row, column=col))

    def span_row(self, row: int, first: int, last: int) -> tuple[SpanRow, list[_Shown]]:
        """Row ``row`` over columns ``first``–``last``: merged ranges as spanned cells.

        Also returns the shown value at each position (a merge's value in its first one).
        """
        cells: list[Cell] = []
        values: list[_Shown] = []
        col = first
        while col <= last:
            merge = self.merge_at(row, col)
            if merge is None:
                value = self.shown(row, col)
                cells.append(Cell(value.text))
                values.append(value)
                col += 1
                continue
            top, _bottom, left, right = merge
            width = min(right, last) - col + 1
            if row == top:
                value = self.shown(top, left)
                cells.append(Cell(value.text, width))
                values.extend([value] + [_Shown("")] * (width - 1))
            else:
                cells.append(Cell("", width, continues=True))
                values.extend([_Shown("")] * width)
            col += width
        return SpanRow(tuple(cells), number=row), values

    def extent(self, row: int) -> tuple[int, int] | None:
        """The first and last column with a value in ``row``."""
        filled = [c for c in range(1, self.max_col + 1) if self.shown(row, c).text.strip()]
        return (filled[0], filled[-1]) if filled else None


def _find_sheet_header(
    sheet: _Sheet, layouts: Layouts | None
) -> tuple[int, int, int, Header] | None:
    """Header row and its first and last column, among the first non-empty rows (the row
    under it joined to it when the two are a two-row header)."""
    seen = 0
    for row in range(1, sheet.max_row + 1):
        extent = sheet.extent(row)
        if extent is None:
            continue
        seen += 1
        if seen > _HEADER_SEARCH_ROWS:
            return None
        rows = [sheet.span_row(r, *extent)[0] for r in range(row, min(row + 2, sheet.max_row + 1))]
        found = find_span_header(rows, 1, layouts)
        if found is not None:
            return row, extent[0], extent[1], found[1]
    return None


def _completion_as_shown(
    span_row: SpanRow, values: list[_Shown], completion: tuple[int, ...]
) -> SpanRow:
    """A plain number in a completion column (``72``) as the rate it stands for (``72%``).

    ``completion`` holds every column that names the completion rate (``7月完成率`` and
    ``8月完成率``: which one is read is chosen later)."""
    rates = {
        position
        for position in completion
        if position < len(values)
        and (number := values[position].plain_number) is not None
        and not 0 < number <= 1
    }
    if not rates:
        return span_row
    cells = list(span_row.cells)
    column = 0
    for index, cell in enumerate(cells):
        if column in rates and not cell.continues:
            cells[index] = Cell(f"{cell.text}%", cell.span)
        column += cell.span
    return SpanRow(tuple(cells), number=span_row.number, line=span_row.line)


def _hidden_columns(sheet: _Sheet, first: int, last: int) -> list[int]:
    """The columns from ``first`` to ``last`` hidden in the spreadsheet."""
    hidden: set[int] = set()
    for dim in sheet.ws.column_dimensions.values():
        if dim.hidden and dim.min is not None:
            hidden.update(range(max(dim.min, first), min(dim.max or dim.min, last) + 1))
    return sorted(hidden)


def _hidden_issues(
    sheet: _Sheet, source_name: str, header_row: int, first: int, last: int, header: Header
) -> list[Issue]:
    """A warning per hidden column of the table and per hidden row that holds data: they are
    read like the visible ones, and the clerk may not know they are there."""
    from openpyxl.utils import get_column_letter

    name = sheet.ws.title
    issues = []
    for col in _hidden_columns(sheet, first, last):
        position = col - first
        header_text = header.texts[position] if position < header.width else ""
        text = header_text or _("no header")
        issues.append(
            Issue(
                source_name,
                "hidden_cells",
                _(
                    "sheet {name}: column {letter} `{text}` is hidden in the spreadsheet; it is "
                    "read as a column of the table: unhide it to check it, or delete it if it "
                    "is not part of this report"
                ).format(name=name, letter=get_column_letter(col), text=text),
                severity="warning",
                location=Location(row=header_row),
                column=header_text or get_column_letter(col),
                action="column read",
            )
        )
    for row in range(header_row + header.rows, sheet.max_row + 1):
        if sheet.ws.row_dimensions[row].hidden and sheet.extent(row) is not None:
            first_text = next(
                (
                    sheet.shown(row, c).text
                    for c in range(first, last + 1)
                    if sheet.shown(row, c).text
                ),
                "",
            )
            issues.append(
                Issue(
                    source_name,
                    "hidden_cells",
                    _(
                        "sheet {name}: row {row} (`{start}`) is hidden in the spreadsheet; it "
                        "was read as a row of the report: unhide it to check it, or delete it "
                        "if it is not part of this report"
                    ).format(name=name, row=row, start=first_text[:12]),
                    severity="warning",
                    location=Location(row=row),
                    value=first_text[:40],
                    action="row kept",
                )
            )
    return issues


def sheet_to_table(
    sheet: _Sheet, source_name: str, layouts: Layouts | None = None
) -> TableRead | None:
    """The report table of one sheet, or None when the sheet has no header row."""
    from openpyxl.utils import get_column_letter

    found = _find_sheet_header(sheet, layouts)
    if found is None:
        return None
    header_row, first, last, header = found
    title_candidates = [
        sheet.shown(r, c).text for r in range(1, header_row) for c in range(1, sheet.max_col + 1)
    ]
    rows: list[SpanRow] = []
    issues: list[Issue] = []
    name = sheet.ws.title
    for r in range(header_row + header.rows, sheet.max_row + 1):
        span_row, values = sheet.span_row(r, first, last)
        rows.append(_completion_as_shown(span_row, values, header.positions("completion")))
        outside = [
            (f"{get_column_letter(c)}{r}", sheet.shown(r, c).text)
            for c in [*range(1, first), *range(last + 1, sheet.max_col + 1)]
            if sheet.shown(r, c).text.strip()
        ]
        if outside:
            issues.append(
                Issue(
                    source_name,
                    "outside_table",
                    _(
                        "sheet {name}: {cells} outside the table's columns ({first}–{last}) not "
                        "read"
                    ).format(
                        name=name,
                        cells=", ".join(ref for ref, _cell in outside),
                        first=get_column_letter(first),
                        last=get_column_letter(last),
                    ),
                    severity="warning",
                    location=Location(row=r),
                    value=outside[0][1][:40],
                    action="cell not read",
                )
            )
    header_rows = [
        sheet.span_row(r, first, last)[0] for r in range(header_row, header_row + header.rows)
    ]
    report = ReportTable(source_name, header, header_rows, layouts)
    report.add_table(rows, last - first + 1, 0, continues=False)
    issues += _hidden_issues(sheet, source_name, header_row, first, last, header)
    report.notes_below()
    return TableRead(
        header_month=header.month,
        title=title_from(title_candidates),
        grid=report.grid,
        rejected=report.rejected,
        issues=[*issues, *report.issues],
        seen=report.seen,
        header=header,
        # A spreadsheet copied from elsewhere writes merged cells as empty cells.
        empty_cells_merge=True,
    )


def _other_sheet_issues(workbook, read, source_name: str, layouts: Layouts | None) -> list[Issue]:
    """What to say about the sheets around the one read: that it is hidden, if it is, and
    each other sheet with a progress table of its own (not read: last month's, often hidden)."""
    issues = []
    if read.sheet_state != "visible":
        issues.append(
            Issue(
                source_name,
                "hidden_cells",
                _(
                    "sheet {name}, the only one with the progress table, is hidden in the "
                    "spreadsheet; it was read: unhide it to check it is this report"
                ).format(name=read.title),
                severity="warning",
                action="sheet read",
            )
        )
    for ws in workbook.worksheets:
        if ws is read or _find_sheet_header(_Sheet(ws), layouts) is None:
            continue
        if ws.sheet_state != "visible":
            message = _(
                "sheet {name} is hidden in the spreadsheet and has a progress table too; it was "
                "not read (sheet {read} was): delete it if it is not part of this report"
            )
            check = "hidden_cells"
        else:
            message = _(
                "sheet {name} has a progress table too; it was not read (sheet {read} was): "
                "send each report as a file of its own"
            )
            check = "not_a_row"
        issues.append(
            Issue(
                source_name,
                check,
                message.format(name=ws.title, read=read.title),
                severity="warning",
                action="sheet not read",
            )
        )
    return issues


def read_xlsx(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A workbook's bytes → the report table of its first sheet that has one."""
    workbook = open_workbook(data, source_name, limits)
    try:
        # A visible sheet first: a hidden one is often last month's, kept in the workbook.
        sheets_in_order = sorted(workbook.worksheets, key=lambda ws: ws.sheet_state != "visible")
        for ws in sheets_in_order:
            table = sheet_to_table(_Sheet(ws, source_name, limits), source_name, layouts)
            if table is not None:
                table.issues[:0] = _other_sheet_issues(workbook, ws, source_name, layouts)
                return table
        sheets = len(workbook.worksheets)
        where = ngettext(
            "among the first rows of its {sheets} sheet",
            "among the first rows of its {sheets} sheets",
            sheets,
        ).format(sheets=sheets)
        raise table_not_found(source_name, 0, where)
    finally:
        workbook.close()
