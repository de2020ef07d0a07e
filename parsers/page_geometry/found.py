"""From pages to the report's table, whoever drew or read the pages: every page's part of the
table found by its header and column borders (``layouts_to_found``), then the parts joined
over the page breaks (``fragments_to_table``). The PDF reader and the scan reader both end
here."""

from __future__ import annotations

from collections.abc import Iterable

from i18n import _
from parsers.errors import TableNotFound
from parsers.layouts import Layouts
from parsers.model import Issue, Location, TableRead
from parsers.page_geometry.header import _find_header_on
from parsers.page_geometry.layout import PageLayout, markers_on_page
from parsers.page_geometry.model import (
    _BORDER_TOLERANCE,
    _HEADER_SEARCH_ROWS,
    Fragment,
    PdfRow,
    _Found,
)
from parsers.page_geometry.ruled import region_to_fragment, table_regions
from parsers.page_geometry.stitch import (
    filled_cells,
    incomplete_at_breaks,
    rows_to_grid,
    stitch_page_breaks,
    unclear_rows,
)
from parsers.page_geometry.text import title_text
from parsers.page_geometry.words import header_on_page, page_to_fragment
from parsers.table import find_header


def layouts_to_found(pages: Iterable[PageLayout], layouts: Layouts | None = None) -> _Found:
    """Every page's part of the report table, found by its header and column borders.

    ``pages`` are the page layouts (text layer or OCR); ``layouts`` the header words.
    """
    found = _Found()
    for layout in pages:
        number, chars = layout.number, layout.chars
        found.seen += markers_on_page(chars, number)
        if found.header is None:
            _find_header_on(number, chars, layout.tables(), found, layouts)
            if found.header is None:
                words = header_on_page(number, chars, layout.rules, layouts)
                if words is not None:
                    at, found.borders, title, lines = words
                    found.header, found.by_words = at.header, True
                    found.header_page = number
                    found.title = title_text(title) if title else None
                    _add(
                        found,
                        page_to_fragment(
                            number,
                            chars,
                            layout.rules,
                            found.borders,
                            at.header,
                            header_at=at,
                            lines=lines,
                            layouts=layouts,
                        ),
                    )
                continue
        elif found.by_words:
            _add(
                found,
                page_to_fragment(
                    number, chars, layout.rules, found.borders, found.header, layouts=layouts
                ),
            )
            continue
        elif layout.left is not None and abs(layout.left - found.borders[0]) > _BORDER_TOLERANCE:
            layout = layout.moved(found.borders[0] - layout.left)
            chars = layout.chars
        rules = layout.rules
        borders = found.borders
        regions = table_regions(rules, borders)
        if not regions and number != found.header_page:
            borders = _own_borders(layout, found, layouts) or borders
            regions = table_regions(rules, borders)
        for position, region in enumerate(regions):
            if number == found.header_page and region[1] <= found.header_top:
                continue
            fragment, texts = region_to_fragment(number, chars, rules, region, borders)
            fragment.starts_page = position == 0
            skip = 0
            repeated = find_header(
                [[c or "" for c in cells] for cells in texts[: _HEADER_SEARCH_ROWS + 1]],
                layouts,
                search=_HEADER_SEARCH_ROWS,
            )
            if repeated is not None:
                skip = repeated[0] + repeated[1].rows
                fragment.open_top = [False] * len(texts[0])
            rows = []
            for index, row in enumerate(fragment.rows):
                if index < skip or fragment.full_width[index]:
                    continue
                empty = all(cell is None or cell == "" for cell in row.cells)
                if empty and not (index == skip and any(fragment.open_top or [])):
                    continue
                rows.append(row)
            fragment.rows = rows
            if rows:
                found.fragments.append(fragment)
    return found


def _own_borders(
    layout: PageLayout, found: _Found, layouts: Layouts | None
) -> tuple[float, ...] | None:
    """The column borders of a page whose table is drawn elsewhere than the header page's
    (a portrait page among landscape ones, a page printed "fit to page"), from the header
    it repeats: the same columns, at its own places. None without such a header."""
    own = _Found()
    _find_header_on(layout.number, layout.chars, layout.tables(), own, layouts)
    header = found.header
    if (
        own.header is None
        or header is None
        or own.header.texts != header.texts
        or len(own.borders) != len(found.borders)
    ):
        return None
    return own.borders


def _add(found: _Found, fragment: Fragment | None) -> None:
    if fragment is not None and fragment.rows:
        found.fragments.append(fragment)


def fragments_to_table(found: _Found, source_name: str) -> tuple[TableRead, list[PdfRow]]:
    """The report's table from its pages' fragments: header checked, page breaks stitched."""
    if found.header is None:
        raise TableNotFound(
            source_name,
            _(
                "no progress table found: no table (ruled, or in columns of text) whose header "
                "reads '项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导'"
            ),
        )
    rows = stitch_page_breaks(found.fragments, found.header)
    table = TableRead(
        header_month=found.header.month,
        title=found.title,
        grid=rows_to_grid(rows, found.header),
        rejected=unclear_rows(rows, source_name, found.header),
        issues=[
            *incomplete_at_breaks(rows, source_name, found.header),
            *filled_cells(rows, source_name, found.header),
            *_notes(found, source_name),
        ],
        seen=found.seen,
        header=found.header,
    )
    return table, rows


def _notes(found: _Found, source_name: str) -> list[Issue]:
    """A warning for each line of a table without rules that is not a row (a note, a page
    header or footer)."""
    return [
        Issue(
            source_name,
            "not_a_row",
            _(
                "a line across, above or under the table that is not a table row (a note, a "
                "title, a page header or footer): not read"
            ),
            severity="warning",
            location=Location(page=fragment.page, row=row),
            value=text[:60],
            action="line ignored",
        )
        for fragment in found.fragments
        for row, text in fragment.notes
    ]
