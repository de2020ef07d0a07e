"""A PDF page with a text layer as a ``PageLayout``: the only step that asks pdfplumber for a
page's characters, rules and ruled tables."""

from __future__ import annotations

import pdfplumber
from pdfplumber.table import TableFinder

from parsers.formats.pdf.upright import upright_page
from parsers.page_geometry.layout import PageLayout, TableBoxes, _Rules
from parsers.page_geometry.model import _HEADER_SEARCH_ROWS

_CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "y0", "size", "matrix", "upright")


def pdf_page_layout(page: pdfplumber.page.Page, number: int) -> PageLayout:
    """A page with a text layer: its characters, and its rules and tables as pdfplumber's
    table finder sees them: upright, seals and stamps left out (``upright_page``)."""
    page = upright_page(page)
    finder = TableFinder(page)
    boxes = [
        TableBoxes([list(row.cells) for row in t.rows[: _HEADER_SEARCH_ROWS + 1]], t.bbox)
        for t in finder.tables
    ]
    height = float(page.height)
    chars = [{key: char[key] for key in _CHAR_KEYS if key in char} for char in page.chars]
    return PageLayout(
        number, chars, _Rules.of(finder.edges, height), lambda: list(boxes), height=height
    )
