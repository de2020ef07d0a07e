"""Text tables with cells separated by ``|``: one table row a line, or several when wrapped.

The header is one line, or two when a group cell sits over some columns (``parsers.table``
joins them). A row with fewer cells than the header leaves out cells merged from the row
above: a row that starts an item (``(N)`` in the project text, or a 序号) leaves out its
department, then also its leader; another row of the item above leaves out its 序号 and
project cell (in the August layout: 5 cells, plan to leader). An empty cell is written
``| |``; under a filled department or leader it is read as merged, with a warning.

Whether a ``|`` at the start or end of a line is a border is decided for the whole table
(``Borders``, ``_score``); rows wrapped over several lines are joined (``wrapped_rows``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from i18n import _
from parsers.cells import extra_cells, parse_serial, split_marker
from parsers.formats.text.shared import (
    cell_count_issue,
    header_key,
    is_section_title,
    merged_from_above,
    merged_from_quarantined,
    not_a_row,
)
from parsers.formats.text.wrapped_rows import LineRow, RowShape, lines_to_rows
from parsers.layouts import Layouts
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow
from parsers.table import Header, find_header, header_miss, match_header

_LEADING_BARS = re.compile(r"^[\s|]+")
# A rule drawn across the table: Markdown's line under the header (``| --- | :---: |``), or
# a plain-text rule (``|------|------|``, ``+=====+=====+``). Nothing else is only dashes.
_RULE_LINE = re.compile(r"^[\s|+:]*[-=]{3,}[\s|+:=-]*$")


def split_cells(line: str, *, tabs: bool = False) -> list[str]:
    """``'a | b | c |'`` → ``['a', 'b', 'c']`` (a leading or trailing ``|`` is a border).

    ``tabs``: a tab between two texts of a cell separates two cells too (a data row's, see
    ``has_tab_for_bar``); a header's cells keep theirs (``项 目⇥内 容`` is one name, spaced).

    A cell in Markdown bold is its text, and ``\\|`` a bar inside a cell. A row whose every
    filled cell is in double quotes (``"序号"|"项目内容"|…``, as Excel and Calc save a sheet as
    text) is unquoted, ``""`` inside a cell being one ``"``.
    """
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    parts = _split_bars(text)
    if tabs:
        parts = [part for cell in parts for part in _split_tabs(cell.strip())]
    cells = [_unemphasised(cell.strip()) for cell in parts]
    filled = [cell for cell in cells if cell]
    if filled and all(len(c) >= 2 and c[0] == c[-1] == '"' for c in filled):
        cells = [cell[1:-1].replace('""', '"') if cell else cell for cell in cells]
    return cells


# A bar escaped as Markdown writes one inside a cell (``完成率\|备注``) is the cell's text.
_BAR = re.compile(r"(?<!\\)\|")


def _split_bars(text: str) -> list[str]:
    return [part.replace("\\|", "|") for part in _BAR.split(text)]


# A tab between two texts of a ``|`` table's row: a clerk who typed a tab for a bar (the two
# look alike in an editor). No cell of a report holds a tab; read as one, the row's later cells
# would shift into the columns before them and load under the wrong names.
_INNER_TAB = re.compile(r"\s*\t\s*")


def _split_tabs(cell: str) -> list[str]:
    return _INNER_TAB.split(cell) if "\t" in cell else [cell]


def has_tab_for_bar(line: str) -> bool:
    """Whether a row's cells are separated by a tab somewhere, not only by ``|``."""
    return any("\t" in cell.strip() for cell in _split_bars(line.strip()))


_STRONG = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1$")


def _unemphasised(cell: str) -> str:
    """A cell set in Markdown bold (``**项 目 内 容**``, as pandoc writes a bold header) is its
    text: the marks are formatting, not content."""
    match = _STRONG.match(cell)
    return match.group(2) if match and "**" not in match.group(2) else cell


# A vertical bar typed with a Chinese input method: the cell separator of a table typed so.
_WIDE_BAR = "\uff5c"


def with_bars(text: str) -> str:
    """A table typed with full-width bars (``｜``) and no ``|`` reads like one typed with ``|``."""
    return text.replace(_WIDE_BAR, "|") if "|" not in text and _WIDE_BAR in text else text


@dataclass(frozen=True)
class Borders:
    """Whether a ``|`` at the start or end of a row is the table's border or the edge of an
    empty first or last cell.

    Writers differ: ``| a | b |`` draws borders, ``a|b|`` ends with an empty cell, and a
    table may draw a border on its header line and none on its rows, or the other way round.
    One line cannot tell: a row whose last cell (备注) is empty ends in ``|`` in a table that
    draws no border. ``_bar_table`` decides from the header and all the rows together.
    """

    lead: bool
    trail: bool

    @classmethod
    def of_line(cls, line: str) -> Borders:
        """The bars a line itself draws (for a header's own lines)."""
        text = line.strip()
        return cls(text.startswith("|"), len(text) > 1 and text.endswith("|"))

    def readings(self) -> list[Borders]:
        """Every way to read a table's bars, this one (the header line's own) first."""
        return [
            Borders(lead, trail)
            for lead in (self.lead, not self.lead)
            for trail in (self.trail, not self.trail)
        ]

    def cells(self, line: str, *, tabs: bool = True) -> list[str]:
        """A row's cells, with the empty first or last cell a non-border ``|`` stands for
        (``tabs``: a tab between two texts separates cells too, see ``split_cells``)."""
        text = line.strip()
        cells = split_cells(text, tabs=tabs)
        if text.startswith("|") and not self.lead:
            cells.insert(0, "")
        if len(text) > 1 and text.endswith("|") and not self.trail:
            cells.append("")
        return cells


def _omissions(header: Header) -> list[tuple[bool, frozenset[int]]]:
    """Which header positions a shorter row may leave out, most likely first.

    ``(True, …)`` places a row that starts an item (its department, then also its leader,
    merged from above); ``(False, …)`` another row of the item above (序号 and project cell
    merged, then also department and leader).
    """
    present = {
        c: i
        for c in ("item_no", "content", "department", "leader")
        if (i := header.index(c)) is not None
    }
    starts = [("department",), ("department", "leader")]
    continues = [
        ("item_no", "content"),
        ("item_no", "content", "department"),
        ("item_no", "content", "department", "leader"),
    ]
    out: list[tuple[bool, frozenset[int]]] = []
    for new_item, options in ((True, starts), (False, continues)):
        for names in options:
            left_out = frozenset(present[c] for c in names if c in present)
            if left_out and (new_item, left_out) not in out:
                out.append((new_item, left_out))
    return out


def _placements(header: Header, count: int) -> list[tuple[bool, frozenset[int]]]:
    """The omissions that leave a row of ``count`` cells."""
    return [(new, out) for new, out in _omissions(header) if len(out) == header.width - count]


def _starts_item(header: Header, cells: dict[str, str | None]) -> bool:
    if split_marker(cells.get("content") or "")[0] is not None:
        return True
    return parse_serial(cells.get("item_no")) is not None


def place_cells(cells: list[str], header: Header) -> list[str | None] | None:
    """A text row's cells in the header's columns, ``None`` where a merge covers them.

    A row with every cell is placed as it is; a shorter row leaves out merged cells (see
    ``_placements``): a row that starts an item (``(N)`` or a 序号) its department and
    leader, another row of an item its 序号 and project cell first. None: the cells fit no
    placement.
    """
    if len(cells) == header.width:
        return list(cells)
    for new_item, left_out in _placements(header, len(cells)):
        values = iter(cells)
        placed: list[str | None] = [
            None if j in left_out else next(values) for j in range(header.width)
        ]
        if _starts_item(header, header.place(placed)[0]) == new_item:
            return placed
    return None


def cells_to_grid(cells: list[str], header: Header, location: Location, raw: str) -> GridRow | None:
    """A row's cells → its ``GridRow`` (see ``place_cells``); empty cells past the header's
    width (a ``|`` too many at the end) are dropped. None: the cells fit no placement."""
    cells = _without_empty_tail(cells, header.width)
    placed = place_cells(cells, header)
    return None if placed is None else header.grid_row(placed, location, raw)


def _without_empty_tail(cells: list[str], width: int) -> list[str]:
    while len(cells) > width and not cells[-1]:
        cells = cells[:-1]
    return cells


@dataclass(frozen=True)
class BarHeader:
    """Where a text table starts: its header's first line index, the header, and the
    header's own lines as keys (to pass over the header where it is repeated)."""

    start: int
    header: Header
    header_keys: frozenset[str]


def find_bar_header(lines: list[str], layouts: Layouts | None) -> BarHeader | str | None:
    """The ``|`` table's header; else why the first line that looks like one is not (a
    message), or None when no line does."""
    rows = [(i, split_cells(line)) for i, line in enumerate(lines) if "|" in line]
    miss: str | None = None
    for position, (i, cells) in enumerate(rows):
        window = [cells]
        if position + 1 < len(rows):
            # The header's lines draw the same bars: read the line below as it does.
            window.append(Borders.of_line(lines[i]).cells(lines[rows[position + 1][0]]))
        found = find_header(window, layouts, search=1)
        if found is not None:
            header = found[1]
            own = [i] + [index for index, _ in rows[position + 1 : position + header.rows]]
            keys = frozenset(header_key(split_cells(lines[j])) for j in own)
            return BarHeader(i, header, keys)
        if miss is None:
            why = header_miss(cells, layouts)
            if why is not None:
                miss = _("line {line} looks like a header, but {why}").format(line=i + 1, why=why)
    return miss


@dataclass(frozen=True)
class _BarTable:
    """A ``|`` table as read from the lines: header, borders, rows (wrapped lines joined)."""

    lines: list[str]
    table: BarHeader
    borders: Borders
    rows: list[LineRow]


def _is_section(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) == 1 and is_section_title(filled[0])


def _bar_table(lines: list[str], table: BarHeader, layouts: Layouts | None) -> _BarTable:
    """The table's lines under its header → rows: a header repeated or a section title ends
    a row and is none itself; wrapped lines are joined; the bars are read the way that fits
    the most of the table (``_score``)."""
    header = table.header
    numbered: list[tuple[int, str | None]] = []
    for number, line in enumerate(lines[table.start :], start=table.start + 1):
        text = line.strip()
        if not text:
            continue
        if _RULE_LINE.match(text):
            numbered.append((number, None))  # a rule between rows ends a row, as a header does
            continue
        if "|" in text:
            cells = split_cells(text)
            if header_key(cells) in table.header_keys or match_header(cells, layouts):
                numbered.append((number, None))
                continue
            if _is_section(cells):
                numbered.append((number, None))
                continue
        elif is_section_title(text):
            numbered.append((number, None))
            continue
        numbered.append((number, text))
    best: tuple[int, int, int] | None = None
    chosen: tuple[Borders, list[LineRow]] | None = None
    own = Borders.of_line(lines[table.start])
    for borders in own.readings():
        rows = lines_to_rows(numbered, _shape(borders, header))
        score = _score(borders, own, rows, header, lines)
        if best is None or score > best:
            best, chosen = score, (borders, rows)
    assert chosen is not None
    return _BarTable(lines, table, *chosen)


def _fits(text: str, cells: list[str], header: Header) -> bool:
    """Whether a row's cells fit the header, with the item its line starts with (if any) in
    the project (or 序号) column."""
    placed = place_cells(cells, header)
    return placed is not None and _keeps_item(text, cells, header.place(placed)[0], header)


def _keeps_item(text: str, cells: list[str], named: dict[str, str | None], header: Header) -> bool:
    """Whether a placement keeps the item a line starts where it belongs: the ``(N)`` it
    starts with in the project column, or, where the 序号 is the first column, the number
    in its first cell there."""
    marker = _line_marker(text)
    if marker is not None:
        return split_marker(named.get("content") or "")[0] == marker
    serial = parse_serial(cells[0]) if cells and header.index("item_no") == 0 else None
    return serial is None or parse_serial(named.get("item_no")) == serial


def _shape(borders: Borders, header: Header) -> RowShape:
    """How rows look under one reading of the bars, for joining wrapped lines."""

    def fits(text: str) -> bool:
        cells = _without_empty_tail(borders.cells(text), header.width)
        return "|" in text and _fits(text, cells, header)

    def starts(text: str) -> tuple[int, bool] | None:
        marker = _line_marker(text)  # (N) first, maybe after an empty 序号 cell
        if marker is not None:
            return marker, True
        if header.index("item_no") != 0 or "|" not in text:
            return None
        serial = parse_serial(borders.cells(text)[0])
        return None if serial is None else (serial, False)

    def full(text: str) -> bool:
        cells = _without_empty_tail(borders.cells(text), header.width)
        return "|" in text and len(cells) == header.width and _fits(text, cells, header)

    return RowShape(fits=fits, full=full, starts=starts, closed_by_bar=borders.trail)


def _score(
    borders: Borders, own: Borders, rows: list[LineRow], header: Header, table_lines: list[str]
) -> tuple[int, int, int]:
    """How well a reading of the bars fits the table: the lines with cells in rows that fit
    the header, then the rows of exactly its width, then agreement with the header line's
    own bars.

    Reading a border as an empty cell gives every row that has it one cell too many;
    reading the edge of an empty cell as a border gives those rows one cell too few. The
    rows without the ``|`` read the same either way, so the right reading is the one that
    makes the rows with it look like them.
    """
    lines = exact = 0
    for row in rows:
        if "|" not in row.text:
            continue
        cells = borders.cells(row.text)
        exact += len(cells) == header.width
        if _fits(row.text, cells, header):
            lines += sum(1 for n in row.lines if "|" in table_lines[n - 1])
    return lines, exact, (borders.lead == own.lead) + (borders.trail == own.trail)


def _item_of(cells: list[str], header: Header) -> int | None:
    """The item a row's own cells name: ``(N)`` in its first cell, else its 序号."""
    item = split_marker(cells[0])[0] if cells else None
    if item is None and header.index("item_no") == 0 and cells:
        item = parse_serial(cells[0])
    return item


def _lines_text(row: LineRow) -> str:
    if not row.wrapped:
        return _("line {line}").format(line=row.line)
    return _("lines {first}–{last}").format(first=row.line, last=row.lines[-1])


def _cell_count_issue(
    source_name: str, row: LineRow, cells: list[str], header: Header, item: int | None
) -> Issue:
    fits = sorted({header.width - len(left) for _, left in _omissions(header)})
    counts = _(", ").join(str(n) for n in [*fits, header.width] if n > 0)
    message = _(
        "row has {cells} cells; the header has {columns} columns and a row may have {counts}: "
        "give it one cell per column between '|' (an empty cell is written '| |'), and take "
        "out any '|' inside a cell's text"
    ).format(cells=len(cells), columns=header.width, counts=counts)
    if row.wrapped:
        message = _("{lines}: {problem}").format(lines=_lines_text(row), problem=message)
    return cell_count_issue(source_name, row.line, message, item, extra_cells(cells, header.width))


def _line_marker(line: str) -> int | None:
    """The ``(N)`` a line starts with, before or after leading ``|`` and empty cells."""
    return split_marker(_LEADING_BARS.sub("", line))[0]


def _misplaced_marker(source_name: str, row: LineRow, item: int) -> Issue:
    """A line that starts an item (``(N)``, or its 序号) whose cells would put it in another
    column: a ``|`` too many (or too few) before it. Read so, it would load under another
    item."""
    return Issue(
        source_name,
        "cell_count",
        _(
            "item ({item}): the line starts item {item}, but its cells put it in another "
            "column: check the '|' before and after it"
        ).format(item=item),
        location=Location(line=row.line),
        column="row",
        value=row.text[:60],
    )


def _line_issue(
    source_name: str, row: LineRow, item: int | None, check: str, problem: str, **kw: str
) -> Issue:
    """An issue about a row's line itself (``column`` row), its item named when known."""
    if item is not None:
        problem = _("item ({item}): {problem}").format(item=item, problem=problem)
    return Issue(
        source_name,
        check,
        problem,
        location=Location(line=row.line),
        column="row",
        value=row.text[:60],
        **kw,
    )


def _tab_issue(source_name: str, row: LineRow, item: int | None) -> Issue:
    problem = _("a tab separates two cells of this row where the others have '|': read as a '|'")
    return _line_issue(
        source_name, row, item, "tab_as_bar", problem, severity="warning", action="row loaded"
    )


def _wrapped_issue(source_name: str, row: LineRow, item: int | None) -> Issue:
    problem = _(
        "{lines} are one row wrapped over {count} lines (a chat or e-mail paste): joined"
    ).format(lines=_lines_text(row), count=len(row.lines))
    return _line_issue(
        source_name, row, item, "wrapped_row", problem, severity="info", action="lines joined"
    )


def bars_to_grid(
    lines: list[str], found: BarHeader, source_name: str, layouts: Layouts | None = None
) -> tuple[list[str], list[GridRow], list[RejectedRow], list[Issue], list[SeenRow]]:
    """Read every line under a ``|`` header as (part of) a table row.

    Returns the lines before the header (for the title), the grid rows, the rows that cannot
    be placed in the grid, issues about lines that are not rows or were joined, and the rows
    the document shows (for ``parsers.reconcile``).
    """
    table = _bar_table(lines, found, layouts)
    header = found.header
    # A title above the table may be a row of its own (a sheet saved as text: ``title||||``).
    preamble = [" ".join(c for c in split_cells(line) if c) for line in lines[: found.start]]
    preamble = [line for line in preamble if line]
    grid: list[GridRow] = []
    rejected: list[RejectedRow] = []
    issues: list[Issue] = []
    seen: list[SeenRow] = []
    above: int | None = None
    last_line = 0  # the line of the last row read or quarantined
    for row in table.rows:
        location = Location(line=row.line)
        raw = "\n".join(lines[n - 1].strip() for n in row.lines)
        if "|" not in row.text:
            item = split_marker(row.text)[0]
            if item is not None:
                seen.append(SeenRow(item, location, raw, by_place=True))
            issues.append(
                not_a_row(
                    source_name,
                    location,
                    row.text,
                    _(
                        "line has no cells ('|') and was not read: if it is a row of the "
                        "table, put '|' between its cells"
                    ),
                )
            )
            continue
        cells = table.borders.cells(row.text)
        tab_for_bar = has_tab_for_bar(row.text)
        bars_only = table.borders.cells(row.text, tabs=False) if tab_for_bar else cells
        if tab_for_bar and len(_without_empty_tail(bars_only, header.width)) == header.width:
            # Its bars alone give every column: the tab is inside a cell's text, not a bar.
            cells, tab_for_bar = bars_only, False
        marker = _line_marker(row.text)
        item = marker if marker is not None else _item_of(cells, header)
        seen.append(SeenRow(item, location, raw, by_place=True))
        owner = item if item is not None else above
        above = owner
        if tab_for_bar:
            issues.append(_tab_issue(source_name, row, owner))
        placed = cells_to_grid(cells, header, location, raw)
        if placed is None:
            problem = _cell_count_issue(source_name, row, cells, header, owner)
        elif item is not None and not _keeps_item(row.text, cells, placed.cells, header):
            problem = _misplaced_marker(source_name, row, item)
        elif rejected and rejected[-1].location.line == last_line and merged_from_above(placed):
            problem = merged_from_quarantined(source_name, placed, rejected[-1], owner)
        else:
            grid.append(placed)
            if row.wrapped:
                issues.append(_wrapped_issue(source_name, row, owner))
            last_line = row.line
            continue
        rejected.append(RejectedRow(location, raw, (problem,), item_no=owner))
        last_line = row.line
    # Counted apart from the joining: every line that starts with (N) starts a row of that item.
    for number, line in enumerate(lines[found.start :], start=found.start + 1):
        item = _line_marker(line)
        if item is not None:
            seen.append(SeenRow(item, Location(line=number), line.strip()))
    return preamble, grid, rejected, issues, seen
