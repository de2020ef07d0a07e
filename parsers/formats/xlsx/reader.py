"""Spreadsheets: the progress table of an ``.xlsx``/``.xlsm`` workbook, merged cells included.

The zip is checked for size (``parsers.zip_limits``) and opened with openpyxl (not
read-only: read-only sheets do not report merged ranges), with formulas read as their last
computed values, and opened again for the formulas themselves when it has any
(``parsers.formats.xlsx.formulas``: a stored value that is not the formula's is not read).
Of the sheets with a row among their first non-empty rows that matches the header, the
first visible one holds the report, unless the file's name gives a month and another sheet
is that month's (a workbook with a sheet a month); the others are named in warnings. The
table's columns are those of the header row. A merged range becomes a spanned cell as in
Word (see ``parsers.spanned_table``): its value is in its first row, and the rows below are
merged from above, so the grid step inherits and flags them.

A cell is read as Excel shows it (``parsers.formats.xlsx.cells``): a number formatted as a
percentage (``0.72`` with ``0%``, ``72`` with ``0"%"``) reads ``72%``; in the completion
column a plain number above 1 or 0 (``72``, also stored as text) is a percentage too, while
a plain number from 0 to 1 (``0.72``) is ambiguous and is kept as written, so it fails the
completion check instead of loading as a wrong rate. What Excel does not show (a value its
format hides, text in the background's colour) is not read, with a warning. Rows or columns
of the table hidden in Excel are read, with a warning. Text in the rows above the header (a
merged title row) is the title. ``source_row`` is the sheet's row number.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

from i18n import _, ngettext
from parsers.errors import LimitExceeded, UnreadableDocument
from parsers.formats.xlsx.cells import _Shown, shown, shown_number
from parsers.formats.xlsx.formulas import (
    FormulaCells,
    has_formulas,
    sheet_formulas,
    values_are_stale,
)
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import Issue, Location, TableRead
from parsers.period import hint_from_filename, hint_from_title
from parsers.spanned_table import (
    Cell,
    ReportTable,
    SpanRow,
    find_span_header,
    table_not_found,
    title_from,
)
from parsers.table import Header
from parsers.zip_limits import check_office_zip, refuse_empty_or_ole

# How many non-empty rows of a sheet may come before the header (title, unit, date lines).
_HEADER_SEARCH_ROWS = 10


def open_workbook(
    data: bytes, source_name: str, limits: ParseLimits = DEFAULT_LIMITS
):  # -> openpyxl.Workbook
    """Bytes → an openpyxl workbook, or an UnreadableDocument saying what the file is."""
    import openpyxl  # imported here so that reading other formats never pays for it

    refuse_empty_or_ole(
        data,
        source_name,
        encrypted=_(
            "password-protected (encrypted) workbook: save it without a password and send it again"
        ),
        old_format=_(
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
        # rich_text: a rich string's runs keep their colours (text in white is not shown).
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True, rich_text=True)
    except Exception as exc:  # openpyxl and lxml raise many types for a broken part
        raise UnreadableDocument(
            source_name, _("the workbook is damaged and cannot be opened ({exc})").format(exc=exc)
        ) from None


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def open_formulas(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Each sheet's formulas by title (a second opening of the workbook, only when it has
    formulas: the first one sees their stored values only)."""
    import openpyxl

    if not has_formulas(data):
        return {}
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # it opened once already; a failure here leaves the values as stored
        return {}
    try:
        return {ws.title: sheet_formulas(ws) for ws in workbook.worksheets}
    finally:
        workbook.close()


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

    def __init__(
        self,
        ws,
        source_name: str = "",
        limits: ParseLimits = DEFAULT_LIMITS,
        formulas: dict[tuple[int, int], str] | None = None,
        *,
        stale: bool = False,
    ) -> None:
        self.ws = ws
        self.formulas = FormulaCells(
            formulas or {},
            lambda row, col: ws._cells[(row, col)].value if (row, col) in ws._cells else None,
            stale=stale,
        )
        #: Formula cells whose stored value was not read: (row, col) → the value read, or
        #: None where it is unknown.
        self.recomputed: dict[tuple[int, int], float | None] = {}
        self._shown: dict[tuple[int, int], _Shown] = {}
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
        key = (row, col)
        if key not in self._shown:
            self._shown[key] = self._read(row, col)
        return self._shown[key]

    def _read(self, row: int, col: int) -> _Shown:
        cell = self.ws.cell(row=row, column=col)
        formula = self.formulas.formulas.get((row, col))
        if formula is None:
            return shown(cell)
        stored = cell.value
        computed = self.formulas.computed(row, col)
        if computed is not None:
            if not (
                isinstance(stored, int | float)
                and not isinstance(stored, bool)
                and math.isclose(stored, computed, rel_tol=1e-9, abs_tol=1e-12)
            ):
                self.recomputed[(row, col)] = computed
                return shown_number(cell, computed)
        elif stored is None or self.formulas.stale:
            # Neither stored nor computable: the formula itself, which no check takes for
            # a value (a rate ``=VLOOKUP(…)`` is not a percentage).
            self.recomputed[(row, col)] = None
            return _Shown(formula)
        return shown(cell)

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


_NUMBER_AS_TEXT = re.compile(r"\s*\d+(?:\.\d+)?\s*")


def _plain_number(value: _Shown) -> float | None:
    """A number without a percent format, or a number stored as text (``'72``, Excel's green
    corner), which reads the same."""
    if value.plain_number is not None:
        return value.plain_number
    if _NUMBER_AS_TEXT.fullmatch(value.text):
        return float(value.text)
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
        and (number := _plain_number(values[position])) is not None
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


def _unshown_cells(
    sheet: _Sheet, source_name: str, first_row: int, first: int, last: int
) -> list[Issue]:
    """A warning per cell of the table whose content Excel does not show (a number format
    that shows nothing, text in the background's colour): it was read as shown."""
    from openpyxl.utils import get_column_letter

    issues = []
    for row in range(first_row, sheet.max_row + 1):
        for col in range(first, last + 1):
            value = sheet.shown(row, col)
            if value.hidden is None:
                continue
            issues.append(
                Issue(
                    source_name,
                    "hidden_cells",
                    _(
                        "sheet {name}: cell {ref} holds `{stored}`, which the spreadsheet does "
                        "not show ({why}); it was not read: delete it if it is not part of this "
                        "report, or make it visible"
                    ).format(
                        name=sheet.ws.title,
                        ref=f"{get_column_letter(col)}{row}",
                        stored=value.stored[:40],
                        why=_(value.hidden),
                    ),
                    severity="warning",
                    location=Location(row=row),
                    value=value.stored[:40],
                    action="cell not read",
                )
            )
    return issues


def _formula_issues(
    sheet: _Sheet, source_name: str, header_row: int, first: int, last: int, header: Header
) -> list[Issue]:
    """What was read for formulas whose stored value was not: one warning per column for
    those computed here, one per cell for those whose value is unknown."""
    from openpyxl.utils import get_column_letter

    name = sheet.ws.title
    computed: dict[int, list[tuple[int, float]]] = {}
    issues = []
    for (row, col), value in sorted(sheet.recomputed.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if not (first <= col <= last and row > header_row):
            continue
        ref = f"{get_column_letter(col)}{row}"
        if value is not None:
            computed.setdefault(col, []).append((row, value))
            continue
        issues.append(
            Issue(
                source_name,
                "formula_value",
                _(
                    "sheet {name}: cell {ref} holds the formula `{formula}`, whose value the "
                    "file does not store (or stores from before a recalculation) and which "
                    "cannot be computed here; it was not read as a value: open the file in "
                    "Excel, WPS or LibreOffice, recalculate it (F9), save it and send it again"
                ).format(name=name, ref=ref, formula=sheet.formulas.formulas[(row, col)]),
                severity="warning",
                location=Location(row=row),
                column=_column_name(header, col - first),
                value=sheet.formulas.formulas[(row, col)][:40],
                action="cell not read",
            )
        )
    for col, cells in computed.items():
        row, _value = cells[0]
        ref = f"{get_column_letter(col)}{row}"
        issues.append(
            Issue(
                source_name,
                "formula_value",
                ngettext(
                    "sheet {name}: {count} formula of column {letter} ({ref}–{last_ref}) has a "
                    "value stored in the file that is not its own (0 or none: the file was "
                    "written by a program that does not calculate, or saved without "
                    "recalculating); it was computed from its formula and read so: {ref} "
                    "`{formula}` = {shown}",
                    "sheet {name}: {count} formulas of column {letter} ({ref}–{last_ref}) have "
                    "values stored in the file that are not their own (0 or none: the file was "
                    "written by a program that does not calculate, or saved without "
                    "recalculating); each was computed from its formula and read so, e.g. "
                    "{ref} `{formula}` = {shown}",
                    len(cells),
                ).format(
                    name=name,
                    count=len(cells),
                    letter=get_column_letter(col),
                    ref=ref,
                    last_ref=f"{get_column_letter(col)}{cells[-1][0]}",
                    formula=sheet.formulas.formulas[(row, col)],
                    shown=sheet.shown(row, col).text,
                ),
                severity="warning",
                location=Location(row=row),
                column=_column_name(header, col - first),
                value=sheet.formulas.formulas[(row, col)][:40],
                action="row loaded (corrected)",
            )
        )
    return issues


def _column_name(header: Header, position: int) -> str | None:
    return header.texts[position] if position < header.width else None


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
    issues += _unshown_cells(sheet, source_name, header_row + header.rows, first, last)
    issues += _formula_issues(sheet, source_name, header_row, first, last, header)
    report.notes_below()
    return TableRead(
        header_month=header.month,
        title=title_from(title_candidates),
        grid=report.grid,
        rejected=report.rejected,
        issues=[*issues, *report.issues],
        seen=report.seen,
        header=report.header,
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


def _sheet_of_the_month(tables: list, source_name: str):
    """Of the sheets with a progress table (visible ones first), the one of the month the
    file's name gives (a workbook with a sheet a month, ``6月``, ``7月``, ``8月``), else the
    first. The others are named in warnings."""
    month = hint_from_filename(source_name).month
    if month is not None and len(tables) > 1:
        for ws, table in tables:
            if (table.header_month or hint_from_title(table.title or "").month) == month:
                return ws, table
    return tables[0]


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
        formulas = open_formulas(data)
        stale = bool(formulas) and values_are_stale(data)
        tables = []
        for ws in sheets_in_order:
            sheet = _Sheet(ws, source_name, limits, formulas.get(ws.title), stale=stale)
            table = sheet_to_table(sheet, source_name, layouts)
            if table is not None:
                tables.append((ws, table))
        if tables:
            ws, table = _sheet_of_the_month(tables, source_name)
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
