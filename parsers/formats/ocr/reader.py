"""Scanned pages → the PDF reader's page tables, and warnings for cells OCR was unsure of.

``scan_pdf_pages`` renders the pages of a PDF that have no text layer; ``image_file_pages``
opens a PNG, JPEG or (multi-page) TIFF. ``read_scans`` OCRs the pages through the run's
``OcrRunner`` (in worker processes when the run has them) and gives ``Scans``: the pages
as ``parsers.page_geometry.layout.PageLayout`` (text pieces as characters, the rules), for
the header, merged-cell and page-break steps every PDF goes through, and what is needed
afterwards to say which cells to check.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from i18n import _, column_text, ngettext
from parsers.cells import split_marker
from parsers.errors import LimitExceeded, UnreadableDocument
from parsers.formats.ocr.cache import PageCache, page_key
from parsers.formats.ocr.page import PageRead, read_page
from parsers.formats.ocr.runner import OcrRunner, PageDone
from parsers.formats.ocr.upright import LINE_BOX_POINTS, MIN_LINE_PX
from parsers.layouts import Layouts
from parsers.limits import ParseLimits, too_many_pages
from parsers.model import Issue, Location, OcrCell, OcrCells, TableRead
from parsers.page_geometry.found import fragments_to_table, layouts_to_found
from parsers.page_geometry.layout import PageLayout, TableBoxes, _Rules
from parsers.page_geometry.model import Box, Fragment, PdfRow

# The key cells: a wrong value there is a wrong row (content holds the item number).
_KEY_COLUMNS = {0: "content", 3: "completion_raw", 4: "department", 5: "leader"}
_COLUMN_WORDS = {
    "content": "content",
    "completion_raw": "completion",
    "department": "department",
    "leader": "leader",
}
# Cell images in the validation report: small grey JPEGs, at most this wide (pixels).
_IMAGE_MAX_WIDTH = 360
_IMAGE_QUALITY = 70
# No sheet of paper an office uses is longer than this (A3 is 16.5 inches): a PDF page
# larger than it is an image placed at a wrong size, whose own pixels are then read.
_LARGEST_PAPER_POINTS = 17 * 72
# The reports are printed on A4 (its long side 297 mm). An image with fewer pixels over its
# long side than 100 dpi of A4 cannot hold text OCR reads reliably, whatever it shows: it is
# sent back at once, before the models are loaded.
_A4_LONG_INCHES = 297 / 25.4
_MIN_DPI_ON_A4 = 100
# EXIF tags a camera writes: the maker and model of the phone.
_EXIF_MAKE, _EXIF_MODEL = 0x010F, 0x0110


@dataclass(frozen=True)
class PageImage:
    """One page to OCR: its grayscale pixels, the resolution the file states, its 1-based
    page number, and whether a camera took it (the advice for a page too coarse to read)."""

    pixels: np.ndarray
    dpi: float
    page: int
    photo: bool = False


@dataclass
class Scans:
    """The OCR'd pages of a document: their tables and how each cell was read."""

    source_name: str
    pages: dict[int, PageRead] = field(default_factory=dict)

    def layouts(self) -> dict[int, PageLayout]:
        """Each page in the PDF reader's shape (a page without a ruled table has no rules)."""
        layouts = {}
        for number, read in self.pages.items():
            tables = [TableBoxes(rows, bbox) for rows, bbox in read.tables]
            rules = _Rules(sorted(read.horizontal), sorted(read.vertical))
            left = tables[0].bbox[0] if tables else None
            layouts[number] = PageLayout(
                number, read.chars, rules, functools.partial(list, tables), left
            )
        return layouts

    def cell_reads(
        self, fragments: list[Fragment], rows: list[PdfRow]
    ) -> dict[tuple[int, int, int], tuple[int, dict]]:
        """For each (page, table row, column) of the stitched ``rows`` read by OCR, the page
        and the piece of its text OCR was least sure of.

        A cell cut by a page break is as sure as the less sure of its two parts: the part on
        the next page was joined to it by ``stitch_page_breaks``.
        """
        reads: dict[tuple[int, int, int], tuple[int, dict]] = {}
        for fragment in fragments:
            if fragment.page not in self.pages:
                continue
            for (band, column), chars in fragment.cell_chars.items():
                sure = [c for c in chars if "confidence" in c]
                if sure:
                    weakest = min(sure, key=lambda c: c["confidence"])
                    reads[(fragment.page, band + 1, column)] = (fragment.page, weakest)
        kept = {(row.page, row.row) for row in rows}
        above: list[PdfRow] = []
        for row in (row for fragment in fragments for row in fragment.rows):
            if (row.page, row.row) in kept:
                above.append(row)
                continue
            # The rest of a row cut by the break: its cells went to the cells above them.
            for column, text in enumerate(row.cells):
                part = reads.get((row.page, row.row, column))
                owner = next((r for r in reversed(above) if r.cells[column] is not None), None)
                if not text or part is None or owner is None:
                    continue
                key = (owner.page, owner.row, column)
                if key not in reads or part[1]["confidence"] < reads[key][1]["confidence"]:
                    reads[key] = part
        return reads

    def annotate(
        self,
        table: TableRead,
        fragments: list[Fragment],
        rows: list[PdfRow],
        source_format: str,
        min_confidence: float,
    ) -> TableRead:
        """``table`` with what OCR adds: the format, the pages read, a warning for every key
        cell read with less than ``min_confidence``, and how each key cell was read."""
        reads = self.cell_reads(fragments, rows)
        issues = [self.summary(), *self.pages_without_table()]
        cells: OcrCells = {}
        for row in rows:
            for column, name in _KEY_COLUMNS.items():
                text = row.cells[column]
                found = reads.get((row.page, row.row, column))
                if text is None or found is None:
                    continue
                page, weakest = found
                confidence = float(weakest["confidence"])
                unsure = confidence < min_confidence
                box = (weakest["x0"], weakest["top"], weakest["x1"], weakest["bottom"])
                image = (
                    self.cell_image(page, box)
                    if unsure or name in ("department", "leader")
                    else None
                )
                cells[(row.page, row.row, name)] = OcrCell(confidence, image)
                if not unsure:
                    continue
                value = text
                if column == 0:
                    item_no, rest = split_marker(text)
                    value = f"({item_no}){rest[:12]}…" if item_no is not None else text[:16]
                issues.append(
                    Issue(
                        self.source_name,
                        "ocr_low_confidence",
                        _(
                            "{column} read by OCR as '{value}' with confidence {confidence:.2f}: "
                            "check it against the scan"
                        ).format(
                            column=column_text(_COLUMN_WORDS[name]),
                            value=value,
                            confidence=confidence,
                        ),
                        severity="warning",
                        location=Location(page=row.page, row=row.row),
                        column=name,
                        value=value,
                        action="row loaded",
                        image=image,
                    )
                )
        table.source_format = source_format
        table.issues = [*table.issues, *issues]
        table.ocr_cells = cells
        return table

    def cell_image(self, page: int, box: Box) -> str | None:
        """The part of the scanned page at ``box`` (points) as a small JPEG data URI."""
        read = self.pages.get(page)
        if read is None or read.image is None:
            return None
        return image_data_uri(read.image, box, read.dpi)

    def summary(self) -> Issue:
        """An info issue: which pages were read by OCR and how they were turned upright."""
        pages = ", ".join(str(n) for n in sorted(self.pages))
        turned = [
            _("page {n} by {skew:+.1f}°").format(n=n, skew=read.skew)
            for n, read in sorted(self.pages.items())
            if abs(read.skew) >= 0.05
        ]
        message = ngettext(
            "read by OCR: page {pages}", "read by OCR: pages {pages}", len(self.pages)
        )
        message = message.format(pages=pages)
        flattened = [str(n) for n, read in sorted(self.pages.items()) if read.flattened]
        if flattened:
            message += _(
                "; page {pages} photographed at an angle: flattened and its lighting evened out"
            ).format(pages=", ".join(flattened))
        upright = [
            _("page {n} was turned {degrees}°").format(n=n, degrees=read.turned)
            for n, read in sorted(self.pages.items())
            if read.turned
        ]
        if upright:
            message += _("; read upright: {pages}").format(pages=_(", ").join(upright))
        resized = [
            _("page {n} at {dpi:.0f} dpi (the file says {stated:.0f})").format(
                n=n, dpi=read.line_px * 72 / LINE_BOX_POINTS, stated=read.stated_dpi
            )
            for n, read in sorted(self.pages.items())
            if read.line_px and read.dpi != read.stated_dpi
        ]
        if resized:
            message += _("; resolution measured from the text: {pages}").format(
                pages=_(", ").join(resized)
            )
        if turned:
            message += _("; straightened {pages}").format(pages=_(", ").join(turned))
        return Issue(
            self.source_name, "ocr_pages", message, severity="info", action="document read"
        )

    def pages_without_table(self) -> list[Issue]:
        """One issue per scanned page with no ruled table (a cover letter, an annex), at that
        page: none of its text was read as rows, which a clerk should see page by page."""
        return [
            Issue(
                self.source_name,
                "ocr_page_without_table",
                _(
                    "no ruled table found on this page: none of its text was read as rows; if it "
                    "holds rows of the report, scan it again so that the table's lines show"
                ),
                severity="info",
                location=Location(page=n),
                action="page not read",
            )
            for n, read in sorted(self.pages.items())
            if not read.tables
        ]


def image_data_uri(image: np.ndarray, box: Box, dpi: float) -> str | None:
    """``box`` (points) cut from a page image, as a ``data:image/jpeg;base64,…`` URI."""
    scale = dpi / 72
    height, width = image.shape
    x0, y0 = max(int(box[0] * scale) - 4, 0), max(int(box[1] * scale) - 4, 0)
    x1, y1 = min(int(box[2] * scale) + 4, width), min(int(box[3] * scale) + 4, height)
    if x1 <= x0 or y1 <= y0:
        return None
    crop = image[y0:y1, x0:x1]
    if crop.shape[1] > _IMAGE_MAX_WIDTH:
        factor = _IMAGE_MAX_WIDTH / crop.shape[1]
        crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, _IMAGE_QUALITY])
    if not ok:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


def scan_pdf_pages(data: bytes, numbers: list[int], dpi: int, source_name: str) -> list[PageImage]:
    """The given 1-based pages of a PDF rendered as grayscale images at ``dpi``; a page
    larger than any paper at its image's own pixels (``_render_dpi``)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(
            source_name, _("not a PDF or damaged ({exc})").format(exc=exc)
        ) from None
    try:
        pages = []
        for n in numbers:
            page = pdf[n - 1]
            sizes = _image_sizes(page)
            if sizes:
                check_pixels(source_name, n, *max(sizes), photo=False)
            at = _render_dpi(page, dpi)
            image = page.render(scale=at / 72, grayscale=True).to_pil().convert("L")
            pages.append(PageImage(np.asarray(image), at, n))
        return pages
    finally:
        pdf.close()


def _render_dpi(page: Any, dpi: float) -> float:
    """The resolution to render a scanned PDF page at: ``dpi``, unless the page is larger
    than any paper (img2pdf places a scan without a stated resolution at 96 px/inch, a
    letter page then 23 inches wide): then its image's own pixels per inch, so that the
    image is neither blown up nor cut down before its text is measured."""
    import pypdfium2.raw as pdfium_c

    if max(page.get_size()) <= _LARGEST_PAPER_POINTS:
        return dpi
    own = [
        image.get_px_size()[0] / ((right - left) / 72)
        for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
        for left, _, right, _ in [image.get_bounds()]
        if right > left
    ]
    return max(own, default=dpi)


def _image_sizes(page: Any) -> list[tuple[int, int]]:
    """The pixel sizes (width, height) of the images on a PDF page."""
    import pypdfium2.raw as pdfium_c

    return [
        tuple(image.get_px_size())
        for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
    ]


def image_file_pages(data: bytes, source_name: str, limits: ParseLimits) -> list[PageImage]:
    """Every page (frame) of a PNG, JPEG or TIFF as a grayscale image with its resolution.

    The frames are counted and each one's size checked before any is decoded, so a TIFF of
    thousands of pages or a page of billions of pixels is rejected at once.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if not data:
        raise UnreadableDocument(source_name, _("the file is empty"))
    try:
        with warnings.catch_warnings():
            # Pillow warns of large images; the bound below is this reader's own.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = getattr(image, "n_frames", 1)
                exif = image.getexif()
                photo = bool(exif.get(_EXIF_MAKE) or exif.get(_EXIF_MODEL))
                if frames > limits.max_pages:
                    raise too_many_pages(source_name, frames, limits, kind="image file")
                pages = []
                for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                    width, height = frame.size
                    if width * height > limits.max_page_pixels:
                        raise LimitExceeded(
                            source_name,
                            _(
                                "page {number} is {width:,} × {height:,} pixels, more than "
                                "{limit:,} (the limit): a page scanned at 200–300 dpi has about "
                                "4–9 million; not read"
                            ).format(
                                number=number,
                                width=width,
                                height=height,
                                limit=limits.max_page_pixels,
                            ),
                        )
                    check_pixels(source_name, number, width, height, photo)
                    dpi = frame.info.get("dpi", (0, 0))[0] or 0
                    pixels = np.asarray(frame.convert("L"))
                    # Without a resolution, take the page to be A4 (its long side 297 mm);
                    # either way the text lines have the last word (parsers.formats.ocr.upright).
                    dpi = float(dpi) or max(pixels.shape) / (297 / 25.4)
                    pages.append(PageImage(pixels, dpi, number, photo))
    except Image.DecompressionBombError as exc:
        raise LimitExceeded(
            source_name, _("the image is too large to read ({error})").format(error=exc)
        ) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(
            source_name,
            _("not an image or damaged ({name}: {exc})").format(name=type(exc).__name__, exc=exc),
        ) from None
    return pages


def _read_page_image(page: PageImage) -> PageRead:
    return read_page(page.pixels, page.dpi, page.page)


def read_scans(source_name: str, images: list[PageImage], runner: OcrRunner) -> Scans:
    """OCR every page through ``runner`` (in order), telling it of each page as it is done.

    A page the runner's cache holds is taken from it; the others are read (in worker
    processes when the runner has them) and stored, while another run about to read them
    waits for them (``PageCache.claimed``).
    """
    scans = Scans(source_name)
    total = len(images)
    photos = {image.page for image in images if image.photo}
    cache = runner.cache
    reading = runner.reading()
    keys = {i.page: page_key(i.pixels, i.dpi, reading) for i in images} if cache else {}
    kept = _cached(cache, keys, images)
    to_read = [image for image in images if image.page not in kept]
    with cache.claimed([keys[i.page] for i in to_read]) if cache and to_read else nullcontext():
        kept |= _cached(cache, keys, to_read)  # read meanwhile by a run this one waited for
        to_read = [image for image in to_read if image.page not in kept]
        unread = iter(runner.map(_read_page_image, to_read) if to_read else ())
        for image in images:
            read = kept.get(image.page)
            if read is None:
                read = next(unread)
                if cache is not None:
                    cache.put(keys[image.page], read)
            scans.pages[read.page] = read
            runner.on_page(PageDone(source_name, read.page, total, read.seconds))
    for read in scans.pages.values():
        if read.too_small:
            raise too_coarse(source_name, read, read.page in photos)
    return scans


def _cached(
    cache: PageCache | None, keys: dict[int, str], images: list[PageImage]
) -> dict[int, PageRead]:
    """The pages of ``images`` that ``cache`` holds, by page number."""
    if cache is None:
        return {}
    found = {image.page: cache.get(keys[image.page], image.page) for image in images}
    return {page: read for page, read in found.items() if read is not None}


def check_pixels(source_name: str, page: int, width: int, height: int, photo: bool) -> None:
    """Reject a page image with too few pixels to hold readable text even on A4 paper."""
    dpi = max(width, height) / _A4_LONG_INCHES
    if dpi >= _MIN_DPI_ON_A4:
        return
    if photo:
        message = _(
            "page {page} is a photo of {width} × {height} pixels, too few to read a page from: "
            "take the photo closer, the page filling the frame, in good light"
        )
    else:
        message = _(
            "page {page} is scanned at {dpi:.0f} dpi, too coarse to read reliably: {width} × "
            "{height} pixels are less than 100 dpi on A4 paper; scan it again at 200 dpi or more"
        )
    raise UnreadableDocument(
        source_name, message.format(page=page, dpi=dpi, width=width, height=height)
    )


def too_coarse(source_name: str, read: PageRead, photo: bool) -> UnreadableDocument:
    """The rejection of a page whose text is too few pixels high, with advice for its source."""
    height = read.line_px or 0.0
    if photo:
        message = _(
            "page {page} is a photo whose text is {height:.0f} pixels high, too small to read "
            "reliably (OCR needs {needed:.0f}): take the photo closer, the page filling the "
            "frame, in good light"
        )
    else:
        message = _(
            "page {page} is scanned at {dpi:.0f} dpi, too coarse to read reliably: its text is "
            "{height:.0f} pixels high (OCR needs {needed:.0f}); scan it again at 200 dpi or more"
        )
    return UnreadableDocument(
        source_name,
        message.format(page=read.page, dpi=read.dpi, height=height, needed=MIN_LINE_PX),
    )


def read_image(
    data: bytes,
    source_name: str,
    limits: ParseLimits,
    ocr: OcrRunner,
    layouts: Layouts | None = None,
) -> TableRead:
    """A scanned report sent as image files' bytes (PNG, JPEG, TIFF) → its table."""
    scans = read_scans(source_name, image_file_pages(data, source_name, limits), ocr)
    pages = scans.layouts()
    found = layouts_to_found((pages[n] for n in sorted(pages)), layouts)
    table, rows = fragments_to_table(found, source_name)
    return scans.annotate(table, found.fragments, rows, "image-ocr", ocr.min_confidence)
