"""One field, several columns: which of them a table's rows are read from.

A sheet reused from last month keeps last month's column beside this month's
(``7月完成率 | 8月完成率``, ``7月计划进度 | 8月计划进度``), often hidden. Both name the same field;
reading the first would load last month's values. So once the report's month is known (the
option, the title, the file name, or the plan column's month), each field that several header
cells name reads from the one whose header names that month:

- the cells that name another month are not this month's; of the others, the one that names
  the report's month, else the only one left (a plain ``完成率`` beside ``7月完成率``), is read,
  with a warning that names both columns; the rest are kept in ``extra`` by their header;
- where no header names a month and the words differ (``牵头单位 | 责任单位``), the columns are
  two words for one field rather than two months: the first is read, with the warning;
- otherwise (``7月完成率 | 8月完成率`` in a September report, ``完成率`` twice) the document is
  rejected naming the columns (``AmbiguousColumns``): which one holds this month's values is
  the clerk's to say.

Readers build their rows reading the first candidate; ``choose_columns`` re-reads each row
under the chosen header, so every format gets the rule in one place.
"""

from __future__ import annotations

from dataclasses import replace

from i18n import _
from parsers.errors import AmbiguousColumns
from parsers.layouts import Layouts, builtin_layouts
from parsers.model import GridRow, Issue, TableRead
from parsers.table import Header, month_of_column


def _cells_in_order(row: GridRow, header: Header) -> list[str | None]:
    """A grid row back to its cells in header order (columns past the header left out)."""
    cells: list[str | None] = []
    for position, column in enumerate(header.columns):
        if column is not None:
            cells.append(row.cells.get(column))
        else:
            cells.append(row.extra.get(header.extra_name(position)))
    return cells


def _regrid(row: GridRow, old: Header, new: Header) -> GridRow:
    """``row`` as ``new`` reads the same cells (``old`` is the header it was read with)."""
    beyond = {
        key: value
        for key, value in row.extra.items()
        if key not in {old.extra_name(p) for p in range(old.width)}
    }
    again = new.grid_row(_cells_in_order(row, old), row.location, row.raw)
    return GridRow(again.cells, again.location, again.raw, {**again.extra, **beyond})


def _describe(header: Header, positions: list[int]) -> str:
    return _(", ").join(
        _("column {n} `{text}`").format(n=p + 1, text=header.texts[p]) for p in positions
    )


def _choice(
    header: Header, column: str, positions: tuple[int, ...], month: int
) -> tuple[int | None, str]:
    """The position to read ``column`` from (None: no sound choice), and why, for the message."""
    named = {p: month_of_column(header.texts[p]) for p in positions}
    this_month = [p for p in positions if named[p] == month]
    if len(this_month) == 1:
        return this_month[0], _("it names the report's month ({month}月)").format(month=month)
    if not this_month:
        unnamed = [p for p in positions if named[p] is None]
        if len(unnamed) == 1 and len(positions) - 1 == sum(1 for m in named.values() if m):
            return unnamed[0], _(
                "the others name another month than the report's ({month}月)"
            ).format(month=month)
        texts = [header.texts[p] for p in positions]
        if len(unnamed) == len(positions) and len(set(texts)) == len(texts):
            # Two words for one field (牵头单位, 责任单位), no month in sight: not last month's
            # column but a layout of its own; the first is read, and the warning says so.
            return positions[0], _("it comes first, and no column names a month")
    return None, ""


def side_by_side(header: Header) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first and last positions of each copy where the whole header is there twice, one
    copy after the other in the same row: two tables laid side by side (to print a long one
    on fewer pages), not last month's columns beside this month's."""
    known = [c for c in header.columns if c is not None]
    spans = dict(header.candidates)
    if len(known) < 2 or any(len(spans.get(c, ())) != 2 for c in known):
        return None
    firsts, seconds = [spans[c][0] for c in known], [spans[c][1] for c in known]
    if max(firsts) >= min(seconds):
        return None
    return (min(firsts), max(firsts)), (min(seconds), max(seconds))


def choose_columns(
    table: TableRead, source_name: str, month: int, layouts: Layouts | None = None
) -> tuple[TableRead, list[Issue]]:
    """``table`` with each field that several columns name read from the report's month's
    column (see the module), and a warning per choice; AmbiguousColumns where none is sound."""
    header = table.header
    if header is None or not header.candidates:
        return table, []
    twice = side_by_side(header)
    if twice is not None:
        (a, b), (c, d) = twice
        raise AmbiguousColumns(
            source_name,
            _(
                "the table's header is there twice side by side, in columns {a}–{b} and "
                "{c}–{d}: two tables laid out next to each other; put the second one under "
                "the first (one header over all the rows) and send it again"
            ).format(a=a + 1, b=b + 1, c=c + 1, d=d + 1),
        )
    labels = layouts or builtin_layouts()
    chosen = header
    issues: list[Issue] = []
    for column, positions in header.candidates:
        position, why = _choice(header, column, positions, month)
        label = labels.label(column)
        if position is None:
            raise AmbiguousColumns(
                source_name,
                _(
                    "{columns} name the same column, {label}, and none is clearly of this "
                    "report's month ({month}月): delete the columns that are not this month's, "
                    "or put the month in their header (`{month}月{label}`)"
                ).format(
                    columns=_describe(header, list(positions)),
                    label=label,
                    month=month,
                ),
            )
        others = [p for p in positions if p != position]
        chosen = chosen.choosing(column, position)
        issues.append(
            Issue(
                source_name,
                "several_columns",
                _(
                    "{others} and column {n} `{text}` name the same column, {label}; column {n} "
                    "was read because {why}, and {others} is kept in extra: delete it if it is "
                    "not part of this report"
                ).format(
                    others=_describe(header, others),
                    n=position + 1,
                    text=header.texts[position],
                    label=label,
                    why=why,
                ),
                severity="warning",
                column=header.texts[position],
                value=_(", ").join(header.texts[p] for p in others),
                action="column chosen",
            )
        )
    grid = [_regrid(row, header, chosen) for row in table.grid]
    return replace(table, header=chosen, grid=grid, header_month=chosen.month), issues
