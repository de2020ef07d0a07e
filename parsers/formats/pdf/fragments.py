"""Every page of a PDF with a text layer, as page layouts, to the report table's parts."""

from __future__ import annotations

import pdfplumber

from i18n import _
from parsers.errors import UnreadableDocument
from parsers.formats.pdf.page import pdf_page_layout
from parsers.layouts import Layouts
from parsers.page_geometry.found import layouts_to_found
from parsers.page_geometry.model import _Found


def pdf_to_fragments(
    pdf: pdfplumber.PDF, source_name: str, layouts: Layouts | None = None
) -> _Found:
    """Every page's part of the report table, found by its header and column borders."""
    pages = [pdf_page_layout(page, number) for number, page in enumerate(pdf.pages, start=1)]
    if not any(page.chars for page in pages):
        raise UnreadableDocument(source_name, _("has no text layer and no scanned pages"))
    return layouts_to_found(pages, layouts)
