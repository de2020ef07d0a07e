"""A page's text layer is checked before it is trusted.

A PDF's text is what its producer says the glyphs mean, and that can be wrong while the page
looks right:

- **No Unicode map.** A PDF printed to PostScript and distilled back (``pdftops`` then
  ``ps2pdf``) keeps the glyphs and loses the fonts' ToUnicode maps: pdfminer gives
  ``(cid:12)`` or the glyph numbers as ASCII (``$% &'()*…``).
- **Not Chinese.** The report is a Chinese table; a page whose text has (nearly) no Chinese
  characters among many does not say what its glyphs show.
- **An OCR layer.** tesseract and ocrmypdf put the page image under an invisible text layer
  (render mode 3) of their own reading, misreadings included. The image is the document;
  the built-in OCR reads it as it reads any scan.

Such a page is read by OCR from its rendering (``parsers.formats.ocr``), and the report says so
(check ``text_layer_unused``). A page whose text cannot be read and that shows nothing to
render (its text invisible and no image under it) leaves nothing to read: the document is
rejected, saying exactly that.

The render modes come from PDFium (pdfplumber does not keep them), asked only for pages
that hold an image or whose text does not read: a plain text page costs nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pdfplumber

from i18n import _

# A page's text is judged from this many characters on (a page number alone is not a test).
_MIN_CHARS = 20
# Below this share of Chinese characters among a page's characters, its text does not read
# as Chinese (the August report's pages hold 70–90%).
_MIN_CHINESE = 0.1
# At this share of unmapped glyphs (``(cid:N)``), the fonts have no Unicode map.
_MAX_UNMAPPED = 0.2
# An OCR layer: this share of the text objects invisible, over an image covering at least
# this share of the page.
_INVISIBLE = 0.8
_IMAGE_COVER = 0.5
_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u2e80-\u2fdf]")
_BLANK = re.compile(r"\s")
_INVISIBLE_MODE = 3  # FPDF_TEXTRENDERMODE_INVISIBLE


@dataclass(frozen=True)
class Doubt:
    """Why a page's text layer is not used: ``no_unicode``, ``not_chinese`` or ``ocr_layer``."""

    page: int
    reason: str

    def words(self) -> str:
        """The reason in the reader's words."""
        if self.reason == "no_unicode":
            return _("its fonts have no Unicode map (the text reads as glyph numbers)")
        if self.reason == "not_chinese":
            return _("its text does not read as Chinese")
        return _("it is an invisible OCR text layer over the page image")


@dataclass(frozen=True)
class RenderModes:
    """How a page's text is drawn: text objects, how many are invisible, image objects."""

    texts: int
    invisible: int
    images: int

    @property
    def shows_something(self) -> bool:
        """Whether rendering the page shows anything to read: visible glyphs or an image."""
        return self.images > 0 or self.invisible < self.texts


def text_doubt(chars: list[dict]) -> str | None:
    """Whether a page's characters do not read: ``no_unicode``, ``not_chinese`` or None."""
    ink = [c["text"] for c in chars if not _BLANK.fullmatch(c["text"] or " ")]
    if len(ink) < _MIN_CHARS:
        return None
    unmapped = sum(text.startswith("(cid:") for text in ink)
    if unmapped >= _MAX_UNMAPPED * len(ink):
        return "no_unicode"
    chinese = sum(bool(_CHINESE.search(text)) for text in ink)
    if chinese < _MIN_CHINESE * len(ink):
        return "not_chinese"
    return None


def _image_cover(page: pdfplumber.page.Page) -> float:
    area = float(page.width * page.height) or 1.0
    return (
        max(
            (
                (min(i["x1"], page.width) - max(i["x0"], 0))
                * (min(i["bottom"], page.height) - max(i["top"], 0))
                for i in page.images
            ),
            default=0.0,
        )
        / area
    )


def page_doubt(
    page: pdfplumber.page.Page, number: int, modes: Callable[[int], RenderModes]
) -> Doubt | None:
    """Why the text layer of a page that has one is not to be trusted, or None.

    ``modes`` gives a page's render modes (by its 1-based number), asked only for a page
    with an image or whose text does not read."""
    reason = text_doubt(page.chars)
    if reason is not None:
        return Doubt(number, reason)
    if page.images and _image_cover(page) >= _IMAGE_COVER:
        drawn = modes(number)
        if drawn.texts and drawn.invisible >= _INVISIBLE * drawn.texts:
            return Doubt(number, "ocr_layer")
    return None


class PageModes:
    """The render modes of a PDF's pages from PDFium, the document opened at the first ask."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.document: object | None = None

    def __call__(self, number: int) -> RenderModes:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c

        if self.document is None:
            self.document = pdfium.PdfDocument(self.data)
        page = self.document[number - 1]  # type: ignore[index]
        texts = invisible = images = 0
        kinds = [pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_IMAGE]
        for obj in page.get_objects(filter=kinds, max_depth=5):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
                continue
            texts += 1
            if pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) == _INVISIBLE_MODE:
                invisible += 1
        return RenderModes(texts, invisible, images)

    def close(self) -> None:
        if self.document is not None:
            self.document.close()  # type: ignore[attr-defined]
            self.document = None
