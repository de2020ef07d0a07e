"""PDF reports: one table running over several pages, read by its ruling (or its text's geometry).

pdfplumber's table finder gives each page's rules (snapped and joined edges); the reader
builds the table from them itself, because a producer's breaks are not closed cells: a
browser leaves a cell cut by the page edge open (no rule under it), and pdfplumber drops
such a cell and everything in it. The steps, each a small conversion:

1. ``pdf_page_layout`` (the only step that talks to pdfplumber) gives each page as a
   ``PageLayout``: its characters, rules and ruled tables; a scanned page comes as the same
   shape from OCR (``parsers.formats.ocr``). ``layouts_to_found``: on the first page with it,
   the header row among the first rows of a ruled table (columns found by name in any
   order, ``parsers.table``; a two-row header joined) gives the column borders and the
   title above. On every page, ``table_regions`` finds where the report table is framed
   (ruled at its left and right border, most inner borders ruled), and
   ``region_to_fragment`` cuts it into row bands at its horizontal rules and into columns at
   the header's borders. A cell is a rectangle: the bands that no rule separates in a column
   are one merged cell, and every character inside it is its text, wherever the producer
   drew it (top, middle), given to its first row; the rows below it get ``None`` (covered).
   A band without inner column rules is a full-width row (a section title), not data. The
   header repeated at the top of a page is dropped. Where no ruled table holds the header,
   the table is read from the geometry of its text instead (``parsers.page_geometry.words``: a
   borderless or three-line table) into the same fragments. Before that, each page's text
   layer is checked (``parsers.formats.pdf.textlayer``: no Unicode map, no Chinese, an invisible OCR
   layer over the page image send the page to OCR), and lines a producer drew on both sides
   of a break are kept on one page (``parsers.formats.pdf.overlap``, wkhtmltopdf).
2. ``stitch_page_breaks``: join the rows a page break cut in two and carry merged cells over
   the break (rules below).
3. ``rows_to_grid``: ``GridRow``s (cells by column name, ``Header.grid_row``) for
   ``grid_to_rows``, the step every format shares;
   ``unclear_rows``: rows whose merged cell the geometry cannot place, rejected;
   ``incomplete_at_breaks``: a warning for a row at a break loaded with an empty text cell.

**Page breaks, by the ruling.** A column with no rule under the last cell of a page, or
none over the first cell of the next, is one cell running over the break: its text (on
either page) goes to the row where the cell starts, and the next page's row is covered
there. A first row whose every cell runs on is the rest of the row above.

**Page breaks where every cell is closed** (LibreOffice, Word and WPS close the frame at
the page bottom and repeat the header, whether or not a row was cut), the first data row
of a page is classified by what it holds:

- its project cell starts with an item number ``(N)``: a new item;
- otherwise, it has its own completion rate (the completion cell starts with a percentage):
  a new row of the item above. Text in its project cell is the end of the item's project
  cell, which is merged over both rows, so it is added to that cell and the row's project
  cell becomes "covered" (``None``);
- otherwise it is the rest of the last row of the previous page, cut by the break: each
  cell's text is added to the cell above it (to the cell where a merge started when the
  cell above is covered).

A completion cell always starts with its percentage, and a page break cannot come before a
cell's first line, so a cut row's rest never starts with a percentage. Geometry checks the
join: text runs on to the next page only from a cell filled to the bottom of the page, so
a cell whose text ends well above its bottom edge (``room_at_bottom``) was not cut. A row
that would continue such a cell is left a row of its own, and without an item number it is
rejected with its page and row rather than glued silently to the row above. In a new row at
the top of a page, an empty department or leader cell is a merged cell carried over the
break (the value stays on the previous page), so it inherits. An empty department or leader
above the break with a value under it is ambiguous (one merged cell whose text is on the
next page, or two cells): those rows are rejected, "department unclear at the page break on
page N", never given a guessed value.

**Text.** A cell's lines are joined without a space unless both sides are ASCII letters or
digits (a wrap in Chinese text is not a space); the same rule joins the two halves of a cut
cell. Look-alike code points of the text layer are folded later, in the grid step.

**Seen rows.** ``markers_on_page`` counts the item markers ``(N)`` that start a run of text
anywhere on a page, apart from the table reading, for ``parsers.reconcile``.

**Where.** ``source_page`` is the 1-based page; ``source_row`` counts the row bands of the
table on that page from 1 as a reader would, a header row on that page included, so the
first data row under the header is row 2. A row cut by a page break is placed where it starts.

**Bad files** raise ``UnreadableDocument`` (not a PDF or damaged, password-protected, no text
layer) or ``TableNotFound``; no pdfminer or pdfplumber exception leaves ``read_pdf``.
"""

from __future__ import annotations

import io
import logging

import pdfplumber

from i18n import _, ngettext
from parsers.errors import LimitExceeded, TableNotFound, UnreadableDocument
from parsers.formats.ocr.runner import SERIAL, OcrRunner, require_ocr
from parsers.formats.pdf.fragments import pdf_to_fragments
from parsers.formats.pdf.overlap import without_copies
from parsers.formats.pdf.page import pdf_page_layout
from parsers.formats.pdf.textlayer import Doubt, PageModes, page_doubt
from parsers.formats.pdf.upright import overlay_text, page_turn, stamp_text
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits, too_many_pages
from parsers.model import Issue, Location, TableRead
from parsers.page_geometry.found import fragments_to_table, layouts_to_found
from parsers.page_geometry.header import find_ruled_header
from parsers.page_geometry.layout import PageLayout, TableBoxes, _Rules, markers_on_page
from parsers.page_geometry.model import AUGUST_HEADER, Box, Cells, Fragment, PdfRow
from parsers.page_geometry.ruled import region_to_fragment, table_regions
from parsers.page_geometry.stitch import (
    continues_row_above,
    has_completion,
    rows_to_grid,
    starts_item,
    stitch_page_breaks,
    unclear_rows,
)
from parsers.page_geometry.text import join_lines, title_text, unwrap

__all__ = [
    "AUGUST_HEADER",
    "Box",
    "Cells",
    "Fragment",
    "PageLayout",
    "PdfRow",
    "TableBoxes",
    "_Rules",
    "continues_row_above",
    "count_pages",
    "find_ruled_header",
    "fragments_to_table",
    "has_completion",
    "join_lines",
    "layouts_to_found",
    "markers_on_page",
    "pdf_page_layout",
    "pdf_to_fragments",
    "read_pdf",
    "region_to_fragment",
    "rows_to_grid",
    "starts_item",
    "stitch_page_breaks",
    "table_regions",
    "title_text",
    "unclear_rows",
    "unwrap",
]


def _open_failure(source_name: str, exc: Exception) -> UnreadableDocument:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return UnreadableDocument(
            source_name, _("password-protected PDF: send it without a password")
        )
    detail = str(cause).strip() or type(cause).__name__
    return UnreadableDocument(
        source_name, _("not a PDF or damaged ({detail})").format(detail=detail)
    )


def count_pages(data: bytes) -> int | None:
    """The page count from PDFium in milliseconds (pdfplumber takes seconds for thousands of
    pages); None when PDFium cannot open the file, which pdfplumber then explains."""
    import pypdfium2  # installed with pdfplumber

    try:
        document = pypdfium2.PdfDocument(data)
    except Exception:  # damaged or encrypted: pdfplumber's message says which
        return None
    try:
        return len(document)
    finally:
        document.close()


def _text_pages(layouts: dict[int, PageLayout]) -> list[PageLayout]:
    """The text-layer pages in order, lines drawn on both sides of a break read once."""
    return without_copies([layouts[n] for n in sorted(layouts)])


def read_pdf(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    ocr: OcrRunner = SERIAL,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A PDF report's bytes → its table as grid rows with their page and row numbers.

    Pages with a text layer are read from it; pages that are only an image (a scan) are read
    by OCR through ``ocr``, and then go through the same steps.
    """
    if not data.strip():
        raise UnreadableDocument(source_name, _("the file is empty"))
    pages = count_pages(data)
    if pages is not None and pages > limits.max_pages:
        raise too_many_pages(source_name, pages, limits)
    # pdfminer logs every font it cannot measure (browser PDFs embed such fonts): not news.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    page_layouts: dict[int, PageLayout] = {}
    notes: list[Issue] = []
    scanned: list[int] = []
    doubts: list[Doubt] = []
    modes = PageModes(data)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise UnreadableDocument(source_name, _("the PDF has no pages"))
            if len(pdf.pages) > limits.max_pages:  # PDFium could not count them
                raise too_many_pages(source_name, len(pdf.pages), limits)
            for number, page in enumerate(pdf.pages, start=1):
                if not page.chars and page.images:
                    scanned.append(number)
                elif (doubt := page_doubt(page, number, modes)) is not None:
                    doubts.append(doubt)
                    scanned.append(number)
                else:
                    page_layouts[number] = pdf_page_layout(page, number)
                    notes += page_notes(source_name, page, number)
                page.close()
            blank = [d for d in doubts if not modes(d.page).shows_something]
            if blank:
                raise nothing_to_read(source_name, blank)
            if not scanned:
                if not any(layout.chars for layout in page_layouts.values()):
                    raise UnreadableDocument(
                        source_name, _("has no text layer and no scanned pages")
                    )
                found = layouts_to_found(_text_pages(page_layouts), layouts)
    except (UnreadableDocument, TableNotFound, LimitExceeded):
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files; none may escape
        raise _open_failure(source_name, exc) from None
    finally:
        modes.close()
    if not scanned:
        read = fragments_to_table(found, source_name)[0]
        read.issues = [*notes, *read.issues]
        return read
    require_ocr(source_name)
    from parsers.formats.ocr.reader import read_scans, scan_pdf_pages

    scans = read_scans(source_name, scan_pdf_pages(data, scanned, ocr.dpi, source_name), ocr)
    by_number = {layout.number: layout for layout in _text_pages(page_layouts)}
    by_number.update(scans.layouts())
    found = layouts_to_found((by_number[n] for n in sorted(by_number)), layouts)
    table, rows = fragments_to_table(found, source_name)
    table = scans.annotate(table, found.fragments, rows, "pdf-ocr", ocr.min_confidence)
    table.issues = [*unused_layers(source_name, doubts), *notes, *table.issues]
    return table


def page_notes(source_name: str, page: pdfplumber.page.Page, number: int) -> list[Issue]:
    """What was done to read a page as it shows: turned upright, a seal or stamp left out."""
    issues = []
    turn = page_turn(page)
    if turn:
        issues.append(
            Issue(
                source_name,
                "page_turned",
                _(
                    "the text of page {page} runs sideways or upside down (the page is turned "
                    "in the file): it was read turned upright"
                ).format(page=number),
                severity="info",
                location=Location(page=number),
                action="document read",
            )
        )
    stamp = stamp_text(page.chars)
    if stamp:
        issues.append(
            Issue(
                source_name,
                "stamp_text",
                _(
                    "page {page}: text drawn at an angle over the page, as a seal or stamp is "
                    "(`{text}`), was not read as part of the table: check the cells under it"
                ).format(page=number, text=stamp[:40]),
                severity="warning",
                location=Location(page=number),
                value=stamp[:40],
                action="text not read",
            )
        )
    over = overlay_text(page.chars)
    if over:
        issues.append(
            Issue(
                source_name,
                "stamp_text",
                _(
                    "page {page}: text in another font drawn over the table's text (`{text}`: "
                    "a print header or footer, a stamp) was not read as part of the table: "
                    "check the cells under it"
                ).format(page=number, text=over[:60]),
                severity="warning",
                location=Location(page=number),
                value=over[:40],
                action="text not read",
            )
        )
    return issues


def unused_layers(source_name: str, doubts: list[Doubt]) -> list[Issue]:
    """An issue for each page whose text layer was not used, saying why: a warning where the
    layer is broken, an info where it is an OCR layer (the page image is the document)."""
    return [
        Issue(
            source_name,
            "text_layer_unused",
            _(
                "the text layer of page {page} was not used, as {why}: the page was read by OCR"
            ).format(page=doubt.page, why=doubt.words()),
            severity="info" if doubt.reason == "ocr_layer" else "warning",
            location=Location(page=doubt.page),
            value=doubt.reason,
            action="page read by OCR",
        )
        for doubt in doubts
    ]


def nothing_to_read(source_name: str, doubts: list[Doubt]) -> UnreadableDocument:
    """The error for pages whose text cannot be read and that show nothing to read by OCR."""
    pages = ", ".join(str(d.page) for d in doubts)
    return UnreadableDocument(
        source_name,
        ngettext(
            "the text layer of page {pages} cannot be read ({why}) and the page holds no image "
            "to read instead: export the PDF again from the original document",
            "the text layer of pages {pages} cannot be read ({why}) and the pages hold no "
            "image to read instead: export the PDF again from the original document",
            len(doubts),
        ).format(pages=pages, why=doubts[0].words()),
    )
