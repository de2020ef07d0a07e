"""The header row of a progress table: which column is which, found by name in any order.

Every reader uses these three functions, so a layout is recognised the same way in every
format:

- ``find_header(rows, layouts)`` looks at a table's first rows (lists of cell texts, ``None``
  or ``''`` where a cell is empty or covered by a merge) and returns a ``Header`` and how
  many rows it takes: one row, or two when a group cell is merged over columns
  (``8月进展情况`` over ``8月计划进度 | 实际进度情况``); the two rows are joined column by column
  (``join_header_rows``) before matching. ``match_header(cells)`` does the same for one row.
  The readers whose cells are not plain texts turn them into texts and call it:
  ``spanned_table.find_span_header`` (Word, HTML, XLSX rows of spanned cells) and
  ``page_geometry.header.find_ruled_header`` (a PDF's or a scan's ruled cells, lines unwrapped).
- ``Header.grid_row(cells, location, raw)`` turns a data row's cells, in the header's column
  order, into a ``GridRow``: cells by canonical name (``content``, ``department``, …), other
  columns by their header text in ``extra``. A column the header does not have is absent from
  the row, which the grid step loads as NULL.
- ``header_miss(cells, layouts)`` says why a row that looks like a header is not one (a
  required column missing), for the reader's "no table found" message.

A new reader (HTML, spreadsheets) does, with its own rows of cell texts::

    def read_xyz(data: bytes, source_name: str, *, layouts: Layouts | None = None) -> TableRead:
        rows = ...                                   # list of lists: str, '' or None (merged)
        found = find_header(rows, layouts)           # None: raise TableNotFound (header_miss)
        index, header = found
        grid = [header.grid_row(cells, Location(row=n + 1), " | ".join(c or "" for c in cells))
                for n, cells in enumerate(rows) if n >= index + header.rows]
        return TableRead(header_month=header.month, title=..., grid=grid, header=header,
                         empty_cells_merge=...)      # True where merges arrive as empty cells

and is registered in ``parsers/document.py``; ``grid_to_rows`` (``parsers/grid.py``) does the
rest. A row's cells are in the header's column order, one per header column; ``None`` is a
cell covered by a merge from above, ``''`` an empty cell.

A header is a row where every required column (项目内容, 责任单位) and at least three known
columns are named, and known names are at least half of the filled cells. Unknown cells are
kept (their values go to ``progress.extra``). A column named by several cells (``7月完成率``
and ``8月完成率``) reads from the first until ``parsers.candidates`` chooses one by the
report's month; the others are ``Header.candidates``, not unknown columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from i18n import _
from parsers.layouts import Layouts, builtin_layouts, normalize_name
from parsers.model import GridRow, Location
from parsers.period import month_from_header

_MIN_KNOWN = 3
_ANY_MONTH = re.compile(r"(?<![\d\-~－—至])(\d{1,2})\s*月(?!\s*[\-~－—至])")
# A month written after a column's name (``完成率8月``, ``完成率(8月)``: a group cell over month
# cells, joined), and a header cell that is only a month (the lower row of such a header).
_MONTH_AFTER = re.compile(r"[(（]?\d{1,2}月份?[)）]?$")
_ONLY_MONTH = re.compile(r"^[(（]?\d{1,2}月份?[)）]?$")
_MONTH_ENDINGS = ("月", "份", ")", "）")
_NOTE_AFTER = re.compile(r"(?:[(（][^()（）]*[)）]|[%％])$")
_NOTE_ENDINGS = (")", "）", "%", "％")

Cells = Sequence[str | None]


@dataclass(frozen=True)
class Header:
    """A recognised header: per grid column, the canonical column it names (None when no
    known column) and its text (two header rows joined), and the month its plan column names."""

    columns: tuple[str | None, ...]
    texts: tuple[str, ...]
    month: int | None
    rows: int = 1
    #: Each canonical column that several header cells name, with all their positions; it
    #: reads from the first of them (in ``columns``), the chosen one once ``choosing`` chose.
    candidates: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: ``(part, whole)``: a grid column without a header cell of its own under a header cell
    #: that spans it (a cell split in two in Word, "Split Cells"): its text is the whole's.
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def cells(self) -> tuple[str, ...]:
        """The header's cell texts (kept for callers of the earlier six-column header)."""
        return self.texts

    def has(self, column: str) -> bool:
        return column in self.columns

    def index(self, column: str) -> int | None:
        """The position of a canonical column, or None when the table does not have it."""
        return self.columns.index(column) if column in self.columns else None

    def positions(self, column: str) -> tuple[int, ...]:
        """Every position whose header cell names ``column`` (several for a candidate)."""
        for name, positions in self.candidates:
            if name == column:
                return positions
        index = self.index(column)
        return () if index is None else (index,)

    def unknown(self) -> list[tuple[int, str]]:
        """``(position, header text)`` of every column that names no known column."""
        taken = {p for _name, positions in self.candidates for p in positions}
        taken |= {part for part, _whole in self.parts}
        return [
            (i, self.extra_name(i))
            for i, c in enumerate(self.columns)
            if c is None and i not in taken
        ]

    def choosing(self, column: str, position: int) -> Header:
        """This header with ``column`` read from ``position``, one of its candidates; the
        others become columns kept in ``extra``."""
        columns = list(self.columns)
        for other in self.positions(column):
            columns[other] = None
        columns[position] = column
        return Header(
            tuple(columns),
            self.texts,
            _header_month(columns, list(self.texts)) if column == "plan" else self.month,
            self.rows,
            tuple(
                (name, (position, *(p for p in ps if p != position)) if name == column else ps)
                for name, ps in self.candidates
            ),
            self.parts,
        )

    def with_parts(self, parts: Sequence[tuple[int, int]]) -> Header:
        """This header with ``parts`` read into the columns over them (see ``parts``)."""
        return replace(self, parts=tuple(parts))

    def part_of(self, position: int) -> int | None:
        """The column a split-off part belongs to, or None."""
        return next((whole for part, whole in self.parts if part == position), None)

    def extra_name(self, position: int) -> str:
        """The key an unknown column's values have in ``extra``: its header text, else
        ``column N`` (a column without a header cell, or past the header's width)."""
        text = self.texts[position] if position < self.width else ""
        return text or f"column {position + 1}"

    def place(self, cells: Cells) -> tuple[dict[str, str | None], dict[str, str | None]]:
        """A data row's cells (header order) → (cells by canonical name, extra by header text).

        Cells past the header's width are kept in ``extra`` as ``column N``.
        """
        named: dict[str, str | None] = {}
        extra: dict[str, str | None] = {}
        if self.parts:
            cells = self.joined_parts(cells)
        for position, value in enumerate(cells):
            if self.part_of(position) is not None:
                continue
            column = self.columns[position] if position < self.width else None
            if column is not None:
                named[column] = value
            elif position < self.width or (value or "").strip():
                extra[self.extra_name(position)] = value
        for column in self.columns[len(cells) :]:
            if column is not None:
                named[column] = ""
        return named, extra

    def joined_parts(self, cells: Cells) -> list[str | None]:
        """A row's cells with each split-off part's text joined to its column's, one line
        each (as the paragraphs of one cell are)."""
        out = list(cells)
        for part, whole in self.parts:
            if part < len(out) and whole < len(out) and (out[part] or "").strip():
                texts = [t for t in (out[whole], out[part]) if t and t.strip()]
                out[whole] = "\n".join(texts)
        return out

    def grid_row(self, cells: Cells, location: Location, raw: str) -> GridRow:
        """A data row's cells in header order → the ``GridRow`` the grid step reads."""
        named, extra = self.place(cells)
        return GridRow(named, location, raw, extra)


def match_header(cells: Cells, layouts: Layouts | None = None) -> Header | None:
    """The header if this row names the progress table's columns, else None."""
    return match_names([normalize_name(cell) for cell in cells], layouts)


def match_names(names: Sequence[str], layouts: Layouts | None = None) -> Header | None:
    """``match_header`` of a row whose cells ``normalize_name`` has already normalised: a
    reader that also compares the row with the header's rows normalises each cell once."""
    layouts = layouts or builtin_layouts()
    texts = list(names)
    while texts and texts[-1] == "":
        texts.pop()
    if not texts:
        return None
    columns: list[str | None] = []
    named: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        column = column_named(text, layouts)
        if column is not None:
            named.setdefault(column, []).append(position)
        columns.append(None if column in columns else column)
    known = [c for c in columns if c is not None]
    filled = [t for t in texts if t]
    named_cells = sum(len(positions) for positions in named.values())
    if len(known) < _MIN_KNOWN or 2 * named_cells < len(filled):
        return None
    if not layouts.required <= set(known):
        return None
    candidates = tuple((c, tuple(ps)) for c, ps in named.items() if len(ps) > 1)
    return Header(
        tuple(columns), tuple(texts), _header_month(columns, texts, candidates), 1, candidates
    )


def column_named(text: str, layouts: Layouts) -> str | None:
    """The canonical column a header cell names: its words (``8月完成率``), or its words
    before a month (``完成率8月``, from ``完成率`` merged over ``7月 | 8月``)."""
    column = layouts.column_for(text)
    if column is None and text.endswith(_MONTH_ENDINGS):
        stripped = _MONTH_AFTER.sub("", text)
        if stripped and stripped != text:
            column = layouts.column_for(stripped)
    if column is None and text.endswith(_NOTE_ENDINGS):
        # a unit or a note after the name: 完成率(%), 完成率%, 责任单位(牵头)
        stripped = _NOTE_AFTER.sub("", text)
        if stripped and stripped != text:
            column = column_named(stripped, layouts)
    return column


def month_of_column(text: str) -> int | None:
    """The month a header cell names (``8月完成率``, ``8月进展情况计划进度``), else None."""
    month = month_from_header(text)
    if month is not None:
        return month
    found = _ANY_MONTH.search(text)
    return int(found.group(1)) if found and 1 <= int(found.group(1)) <= 12 else None


def _header_month(
    columns: list[str | None],
    texts: list[str],
    candidates: tuple[tuple[str, tuple[int, ...]], ...] = (),
) -> int | None:
    """The month the plan column names (``8月计划进度``); else a month in a group cell over it.

    None while several columns name the plan (``7月计划进度``, ``8月计划进度``): the report's
    month is then read elsewhere, and chooses between them."""
    if "plan" not in columns or any(name == "plan" for name, _ps in candidates):
        return None
    return month_of_column(texts[columns.index("plan")])


def join_header_rows(top: Cells, bottom: Cells) -> list[str]:
    """Two header rows → one, column by column: a group cell's text before each of its columns.

    A group cell merged over several columns shows its text in its first column and nothing
    in the others; its text is carried right over the columns under which the lower row has
    names. A cell merged down over both rows (``项目内容``) keeps its own text.
    """
    width = max(len(top), len(bottom))
    upper = [normalize_name(top[j]) if j < len(top) else "" for j in range(width)]
    lower = [normalize_name(bottom[j]) if j < len(bottom) else "" for j in range(width)]
    joined: list[str] = []
    group = ""
    for j in range(width):
        if upper[j]:
            group = upper[j] if lower[j] else ""
        elif not lower[j]:
            group = ""
        above = upper[j] or group
        joined.append(above + lower[j] if lower[j] else above)
    return joined


def find_header(
    rows: Sequence[Cells], layouts: Layouts | None = None, *, search: int = 4
) -> tuple[int, Header] | None:
    """The header among a table's first ``search`` rows: (index of its first row, Header).

    A header row followed by a row that names more columns when joined with it (a two-row
    header) is read as the two rows joined; ``Header.rows`` says how many rows to skip.
    """
    layouts = layouts or builtin_layouts()
    for index, row in enumerate(rows[:search]):
        single = match_header(row, layouts)
        if index + 1 < len(rows):
            double = _two_row_header(row, rows[index + 1], layouts)
            if double is not None and (single is None or _known(double) > _known(single)):
                return index, double
        if single is not None:
            return index, single
    return None


def _known(header: Header) -> int:
    """How many header cells name a known column (each candidate counts)."""
    named = sum(1 for c in header.columns if c is not None)
    return named + sum(len(positions) - 1 for _column, positions in header.candidates)


def _two_row_header(top: Cells, bottom: Cells, layouts: Layouts) -> Header | None:
    lower = [normalize_name(cell) for cell in bottom]
    upper = [normalize_name(cell) for cell in top]
    # The lower row of a header has names only under group cells: not a data row.
    if not any(lower) or all(lower[j] for j in range(min(len(lower), len(upper)))):
        return None
    if any(
        layouts.column_for(text) is None and not _ONLY_MONTH.match(text) for text in lower if text
    ):
        return None
    # One text over the whole table is a title above the header, not a group cell over
    # some of its columns.
    if sum(1 for text in upper if text) < 2:
        return None
    header = match_header(join_header_rows(top, bottom), layouts)
    if header is None:
        return None
    return Header(header.columns, header.texts, header.month, 2, header.candidates)


def header_miss(cells: Cells, layouts: Layouts | None = None) -> str | None:
    """Why a row that names some known columns is not a header (None: it does not look like one).

    ``'column 3 `推进措施` is not a known column; no column for 责任单位 (责任单位/牵头单位/…)'``.
    """
    layouts = layouts or builtin_layouts()
    texts = [normalize_name(cell) for cell in cells]
    columns = [column_named(t, layouts) for t in texts]
    known = {c for c in columns if c is not None}
    if len(known) < 2:
        return None
    problems = [
        _("column {n} `{text}` is not a known column").format(n=j + 1, text=texts[j])
        for j, c in enumerate(columns)
        if c is None and texts[j]
    ]
    for column in sorted(layouts.required - known):
        problems.append(
            _("no {column} column (a header cell such as {names})").format(
                column=layouts.label(column), names="/".join(layouts.names.get(column, ()))
            )
        )
    if not problems:
        problems.append(_("only {n} known columns").format(n=len(known)))
    return _("{problems}; known columns: {known}").format(
        problems=_("; ").join(problems), known=layouts.known()
    )
