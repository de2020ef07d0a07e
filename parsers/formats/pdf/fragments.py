"""Every page's part of the report table, found by its header and column borders."""

from __future__ import annotations

from collections.abc import Iterable

import pdfplumber

from i18n import _
from parsers.errors import UnreadableDocument
from parsers.formats.pdf.header import _find_header_on
from parsers.formats.pdf.model import _BORDER_TOLERANCE, _HEADER_SEARCH_ROWS, Fragment, _Found
from parsers.formats.pdf.page import PageLayout, markers_on_page, pdf_page_layout
from parsers.formats.pdf.ruled import region_to_fragment, table_regions
from parsers.formats.pdf.text import title_text
from parsers.formats.pdf.words import header_on_page, page_to_fragment
from parsers.layouts import Layouts
from parsers.table import find_header as find_header_in_texts


def pdf_to_fragments(
    pdf: pdfplumber.PDF, source_name: str, layouts: Layouts | None = None
) -> _Found:
    """Every page's part of the report table, found by its header and column borders."""
    pages = [pdf_page_layout(page, number) for number, page in enumerate(pdf.pages, start=1)]
    if not any(page.chars for page in pages):
        raise UnreadableDocument(source_name, _("has no text layer and no scanned pages"))
    return layouts_to_found(pages, layouts)


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
        for position, region in enumerate(table_regions(rules, found.borders)):
            if number == found.header_page and region[1] <= found.header_top:
                continue
            fragment, texts = region_to_fragment(number, chars, rules, region, found.borders)
            fragment.starts_page = position == 0
            skip = 0
            repeated = find_header_in_texts(
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


def _add(found: _Found, fragment: Fragment | None) -> None:
    if fragment is not None and fragment.rows:
        found.fragments.append(fragment)
