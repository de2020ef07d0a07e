"""Tables given as rows of cells with spans (Word, HTML, spreadsheets) → grid rows.

A format reader turns its table into ``SpanRow``\\ s: each cell's text, how many columns it
covers, and whether it continues a merge from the row above (a ``w:vMerge`` continuation,
a position under an HTML ``rowspan``, a spreadsheet cell inside a merged range below its
first row). From there the rules are the same for every such format and live here: the
header row is found, rows above it are title candidates, a row that is one cell across the
table (``一、教育``) is a section title, a cell merged across columns inside a data row is
read into its first column with a warning, and a continued merge becomes ``None`` in the
grid so that the grid step inherits and flags it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from i18n import _, ngettext
from parsers.cells import extra_cells, parse_serial, split_marker
from parsers.errors import TableNotFound
from parsers.layouts import Layouts, normalize_name
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow
from parsers.period import choose_title
from parsers.table import Header, find_header, header_miss, match_names

#: How many rows of a table may come before its header (a title row, a unit line).
HEADER_SEARCH_ROWS = 4
# Columns a continuation table's first row leaves empty where the merge above would have
# covered them.
_MERGEABLE = ("item_no", "content", "department", "leader")
HEADER_EXAMPLE = "项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导"


@dataclass(frozen=True)
class Cell:
    """One cell: its text, how many grid columns it covers, whether it continues a merge."""

    text: str
    span: int = 1
    continues: bool = False


@dataclass(frozen=True)
class SpanRow:
    """One table row as its cells in column order.

    ``number`` is the row's place in the document when the format has its own numbering
    (a spreadsheet's row number); ``line`` is the line of the file where the row starts.
    """

    cells: tuple[Cell, ...]
    number: int | None = None
    line: int | None = None

    @property
    def width(self) -> int:
        return sum(cell.span for cell in self.cells)

    def positions(self) -> list[str | None]:
        """The row over its grid columns: a cell's text in its first column, ``''`` in the
        others it spans, ``None`` where a vertical merge from above covers the column."""
        out: list[str | None] = []
        for cell in self.cells:
            if cell.continues:
                out.extend([None] * cell.span)
            else:
                out.append(cell.text)
                out.extend([""] * (cell.span - 1))
        return out

    def raw(self) -> str:
        return " | ".join(cell.text for cell in self.cells)


def as_text(cells: list[str | None]) -> list[str | None]:
    """Merged positions as empty cells, for matching a header."""
    return ["" if cell is None else cell for cell in cells]


def find_span_header(
    rows: list[SpanRow], search_rows: int = HEADER_SEARCH_ROWS, layouts: Layouts | None = None
) -> tuple[int, Header] | None:
    """The index and header of the first of ``rows[:search_rows]`` that is the header row
    (with the row under it when the two are a two-row header: ``Header.rows`` is then 2)."""
    texts = [as_text(row.positions()) for row in rows[: search_rows + 1]]
    return find_header(texts, layouts, search=search_rows)


def header_miss_in(rows: list[SpanRow], layouts: Layouts | None = None) -> str | None:
    """Why the first row of ``rows`` that looks like a header is not one (None: none does)."""
    for row in rows[:HEADER_SEARCH_ROWS]:
        why = header_miss(as_text(row.positions()), layouts)
        if why is not None:
            return why
    return None


def split_columns(header: Header, header_rows: list[SpanRow]) -> list[tuple[int, int]]:
    """The grid columns that are parts of a header cell spanning them (``Header.parts``).

    Word's "Split Cells" on a data cell adds a grid column: the header cell above then spans
    two columns and every other row's cell too, while the split row has two cells. A column
    under a spanning header cell whose header text is empty (no second header row names it)
    is part of the column over it, not a column of its own.
    """
    if not header_rows:
        return []
    parts: list[tuple[int, int]] = []
    position = 0
    for cell in header_rows[0].cells:
        if cell.span > 1 and position < header.width and header.columns[position] is not None:
            for part in range(position + 1, min(position + cell.span, header.width)):
                if header.columns[part] is None and not header.texts[part].strip():
                    parts.append((part, position))
        position += cell.span
    return parts


def _row_key(cells: list[str | None]) -> str:
    return "|".join(normalize_name(cell) for cell in cells)


def _note_text(row: GridRow) -> str:
    texts = [cell.strip() for cell in [*row.cells.values(), *row.extra.values()] if cell]
    return texts[0] if len(texts) == 1 else ""


def _is_note(row: GridRow) -> bool:
    """One text in the whole row, and no item number in it or in a 序号 cell."""
    text = _note_text(row)
    return bool(text) and split_marker(text)[0] is None and parse_serial(text) is None


def is_section(row: SpanRow, width: int) -> bool:
    """One cell across the whole table: a section title such as ``一、教育``."""
    real = [cell for cell in row.cells if not cell.continues]
    return len(row.cells) == 1 and len(real) == 1 and real[0].span >= max(width, 2)


def title_from(candidates: Iterable[str]) -> str | None:
    """The text that names the report (``parsers.period.choose_title``), else None."""
    return choose_title([text for text in candidates if text])


def table_not_found(
    source_name: str, tables_seen: int, where: str = "", miss: str | None = None
) -> TableNotFound:
    """The error for a document whose tables (if any) have no progress table header;
    ``miss`` says why a row that looks like a header is not one (``header_miss_in``)."""
    if tables_seen == 0:
        what = _("no table found {where}") if where else _("no table found")
    else:
        what = (
            ngettext(
                "{n} table found {where}, none with the progress table's header",
                "{n} tables found {where}, none with the progress table's header",
                tables_seen,
            )
            if where
            else ngettext(
                "{n} table found, none with the progress table's header",
                "{n} tables found, none with the progress table's header",
                tables_seen,
            )
        )
    what = what.format(n=tables_seen, where=where)
    if miss:
        return TableNotFound(
            source_name,
            _("{what}; one looks like a header, but {miss} (a header row like '{example}')").format(
                what=what, miss=miss, example=HEADER_EXAMPLE
            ),
        )
    return TableNotFound(
        source_name,
        _("{what} (a header row like '{example}')").format(what=what, example=HEADER_EXAMPLE),
    )


class ReportTable:
    """Collects the report table's rows over one or more tables of a document."""

    def __init__(
        self,
        source_name: str,
        header: Header,
        header_rows: Iterable[SpanRow] = (),
        layouts: Layouts | None = None,
    ) -> None:
        header_rows = list(header_rows)
        self.source_name = source_name
        self.header = header.with_parts(split_columns(header, header_rows))
        self.layouts = layouts
        # The header's own rows, to pass over where the header is repeated.
        self.header_keys = {_row_key(row.positions()) for row in header_rows}
        self.mergeable = {p for c in _MERGEABLE for p in header.positions(c)}
        self.grid: list[GridRow] = []
        self.rejected: list[RejectedRow] = []
        self.issues: list[Issue] = []
        self.rows_before = 0  # rows of the earlier tables, for counting source_row on
        self.seen: list[SeenRow] = []  # every row with text, for parsers.reconcile

    def add_table(self, rows: list[SpanRow], width: int, first: int, *, continues: bool) -> None:
        """Read ``rows[first:]`` as data rows (``first`` is after the header).

        ``continues`` says the table goes on from an earlier one: as a merge cannot cross
        from one table to the next, empty project, department and leader cells in its first
        data row are read as merged from above.
        """
        expect_merge_gap = continues
        for index in range(first, len(rows)):
            row = rows[index]
            number = row.number if row.number is not None else self.rows_before + index + 1
            location = Location(row=number, line=row.line)
            cells = row.positions()
            if not any((cell or "").strip() for cell in cells):
                continue
            names = [normalize_name(cell) for cell in cells]  # once a row, for both tests
            if "|".join(names) in self.header_keys or match_names(names, self.layouts):
                continue  # a header repeated inside the table
            item_no = split_marker(row.cells[0].text)[0] if row.cells else None
            if is_section(row, width) and item_no is None:
                expect_merge_gap = False  # a merge never runs across a section title
                continue
            self.seen.append(SeenRow(item_no, location, row.raw(), by_place=True))
            if len(cells) != self.header.width:
                self._reject_width(row, cells, location)
                expect_merge_gap = False
                continue
            if expect_merge_gap:
                cells = [
                    None if j in self.mergeable and cell is not None and not cell.strip() else cell
                    for j, cell in enumerate(cells)
                ]
                expect_merge_gap = False
            self._warn_wide_cells(row, location)
            self._warn_split_cells(cells, location)
            self.grid.append(self.header.grid_row(cells, location, row.raw()))
        self.rows_before += len(rows)

    def notes_below(self) -> None:
        """Rows at the end of the table that hold one text and no item number (``注：…``,
        ``制表：… 填报日期：…`` typed into a sheet's first column under the table) are notes,
        not rows: each becomes a warning with its text instead of a quarantined row."""
        notes: list[GridRow] = []
        while self.grid and _is_note(self.grid[-1]):
            notes.insert(0, self.grid.pop())
        for row in notes:
            self.seen = [seen for seen in self.seen if seen.location != row.location]
            text = _note_text(row)
            self.issues.append(
                Issue(
                    self.source_name,
                    "not_a_row",
                    _("a note under the table, not a table row: not read"),
                    severity="warning",
                    location=row.location,
                    value=text[:60],
                    action="line ignored",
                )
            )

    def _reject_width(self, row: SpanRow, cells: list[str | None], location: Location) -> None:
        item_no, _text = split_marker(row.cells[0].text) if row.cells else (None, "")
        message = _(
            "row spans {spanned} columns in {cells} cells; the table has {columns} columns "
            "({header})"
        ).format(
            spanned=len(cells),
            cells=len(row.cells),
            columns=self.header.width,
            header=" | ".join(self.header.texts),
        )
        issue = Issue(
            self.source_name,
            "cell_count",
            message,
            location=location,
            column="row",
            value=extra_cells(cells, self.header.width),
        )
        self.rejected.append(RejectedRow(location, row.raw(), (issue,), item_no=item_no))

    def _warn_split_cells(self, cells: list[str | None], location: Location) -> None:
        """A warning for each cell of a column split in two (``Header.parts``) whose parts
        both hold text: they are read as one cell, and the clerk should see how."""
        split: dict[int, list[str]] = {}
        for part, whole in self.header.parts:
            if part < len(cells) and (cells[part] or "").strip():
                split.setdefault(whole, [cells[whole] or ""]).append(cells[part] or "")
        for whole, texts in split.items():
            name = self.header.texts[whole]
            self.issues.append(
                Issue(
                    self.source_name,
                    "split_cell",
                    _(
                        "the {name} cell is split into {count} cells under one header cell; "
                        "read as one cell, their texts joined: {texts}"
                    ).format(name=name, count=len(texts), texts=" / ".join(t[:20] for t in texts)),
                    severity="warning",
                    location=location,
                    column=self.header.columns[whole] or name,
                    value=" / ".join(texts)[:60],
                    action="row loaded",
                )
            )

    def _warn_wide_cells(self, row: SpanRow, location: Location) -> None:
        column = 0
        for cell in row.cells:
            if cell.span > 1 and not cell.continues:
                names = [
                    self.header.columns[j] or self.header.extra_name(j)
                    for j in range(column, min(column + cell.span, self.header.width))
                    # the parts of a split column are that column: spanning them is no merge
                    if self.header.part_of(j) is None
                ] or [_("column {n}").format(n=column + 1)]
                if len(names) == 1 and column < self.header.width:
                    column += cell.span
                    continue
                self.issues.append(
                    Issue(
                        self.source_name,
                        "merged_across",
                        _(
                            "one cell spans the {names} columns; its text was read as {first} "
                            "and the others as empty"
                        ).format(names=_(", ").join(names), first=names[0]),
                        severity="warning",
                        location=location,
                        column=names[0],
                        value=cell.text[:40],
                        action="row kept",
                    )
                )
            column += cell.span
