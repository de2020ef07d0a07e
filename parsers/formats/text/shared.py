"""What every text table shares, whatever separates its cells (``|``, tab or comma).

The ``|`` tables (``bar_table``) and the tab- and comma-separated ones (``delimited``) name a
header repeated further down, a section title, a line that is not a row, and a table that was
not found the same way; and both quarantine a row whose merged cells come from a row they
quarantined (``merged_from_quarantined``), since the grid step never sees that row and would
give the next one the values of a row further up.
"""

from __future__ import annotations

import re

from i18n import _, column_text
from parsers.cells import is_same_as_above
from parsers.errors import TableNotFound
from parsers.layouts import normalize_name
from parsers.model import GridRow, Issue, Location, RejectedRow

_SECTION = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")


_HEADER_EXAMPLE = "项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导"


def header_key(cells: list[str]) -> str:
    """A header line as compared when it is repeated further down: its cells without spaces."""
    return "|".join(normalize_name(c) for c in cells)


def is_section_title(text: str) -> bool:
    """``一、教育``: a section title over the rows that follow, not a row."""
    return _SECTION.match(text.strip()) is not None


def no_header(source_name: str, misses: list[str]) -> TableNotFound:
    """No header with any separator: say which were tried, and why a near miss is not one."""
    tried = _("cells separated by '|', by tabs, by commas or by semicolons")
    if misses:
        return TableNotFound(
            source_name,
            _(
                "no table header found with {tried} ({miss}; a header line is like '{example}')"
            ).format(tried=tried, miss=misses[0], example=_HEADER_EXAMPLE),
        )
    return TableNotFound(
        source_name,
        _("no table header found with {tried} (a line like '{example}')").format(
            tried=tried, example=_HEADER_EXAMPLE
        ),
    )


def not_a_row(source_name: str, location: Location, text: str, why: str) -> Issue:
    """A warning for a line under the header that is not a table row (a note, a signature)."""
    return Issue(
        source_name,
        "not_a_row",
        why,
        severity="warning",
        location=location,
        value=text.strip()[:60],
        action="line ignored",
    )


def merged_from_above(row: GridRow) -> list[str]:
    """The columns of a row whose value comes from the row above: covered by a merge, left
    empty under it (a text table writes merges so) or saying 同上."""
    merged: list[str] = []
    for column in ("content", "department", "leader"):
        if column not in row.cells:
            continue
        value = row.cells[column]
        blank = value is None or not value.strip() or is_same_as_above(value)
        if blank and (column != "content" or not (row.cells.get("item_no") or "").strip()):
            merged.append(column)
    return merged


def merged_from_quarantined(
    source_name: str, row: GridRow, quarantined: RejectedRow, item: int | None
) -> Issue:
    """A row whose merged cells come from a row that was quarantined: what they hold cannot
    be read, and the row further up is another row's. Quarantined too, never guessed."""
    columns = _(", ").join(column_text(c) for c in merged_from_above(row))
    message = _(
        "{columns} merged from the row above (line {line}), which is quarantined: correct "
        "that row and this one is read with it"
    ).format(columns=columns, line=quarantined.location.line)
    if item is not None:
        message = _("item ({item}): {problem}").format(item=item, problem=message)
    return Issue(
        source_name,
        "merged_cell",
        message,
        location=row.location,
        column=merged_from_above(row)[0],
        value=row.raw[:60],
    )


def cell_count_issue(
    source_name: str, line: int, problem: str, item: int | None, value: str | None
) -> Issue:
    """A text row whose cells do not fit the header: the problem, under its item when the row
    names one, at its line; ``value`` is what a clerk deletes or the count of cells."""
    if item is not None:
        problem = _("item ({item}): {problem}").format(item=item, problem=problem)
    return Issue(
        source_name,
        "cell_count",
        problem,
        location=Location(line=line),
        column="row",
        value=value,
    )
