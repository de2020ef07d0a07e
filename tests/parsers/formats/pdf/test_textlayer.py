"""A text layer is checked before it is trusted (``tests/fixtures/geometry/``): a PDF through
PostScript (no Unicode map) and tesseract's PDF (an invisible OCR layer over the image) are
read by OCR from the page images. The detection is tested without OCR; the OCR of one page
of each is a slow test (the whole documents are ``python -m bench.ocr --only layers``)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pdfplumber
import pytest

from parsers import UnreadableDocument, parse_bytes
from parsers.formats.pdf.textlayer import PageModes, RenderModes, page_doubt, text_doubt
from parsers.model import ParsedDocument
from tests.conftest import FIXTURES

GEOMETRY = FIXTURES / "geometry"
PS_ROUNDTRIP = GEOMETRY / "yueqing-2022-08-ps-roundtrip.pdf"
OCR_LAYER = GEOMETRY / "yueqing-2022-08-ocr-layer.pdf"


def doubts(path: Path) -> list[str | None]:
    modes = PageModes(path.read_bytes())
    try:
        with pdfplumber.open(path) as pdf:
            return [
                None if (d := page_doubt(page, n, modes)) is None else d.reason
                for n, page in enumerate(pdf.pages, start=1)
            ]
    finally:
        modes.close()


def test_a_pdf_through_postscript_has_no_unicode_map_on_any_page() -> None:
    assert doubts(PS_ROUNDTRIP) == ["no_unicode"] * 6


def test_tesseracts_pdf_is_an_ocr_layer_over_the_page_image_on_every_page() -> None:
    assert doubts(OCR_LAYER) == ["ocr_layer"] * 6
    modes = PageModes(OCR_LAYER.read_bytes())
    drawn = modes(1)
    modes.close()
    assert drawn.images == 1 and drawn.texts > 100 and drawn.invisible == drawn.texts


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "yueqing-2022-08.pdf",
        GEOMETRY / "yueqing-2022-08-borderless.pdf",
        FIXTURES / "pdf" / "browser" / "yueqing-2022-08-a4-landscape.pdf",
        FIXTURES / "scan" / "yueqing-2022-08-partly-scanned.pdf",
    ],
)
def test_a_true_text_layer_is_trusted_without_asking_pdfium(path: Path) -> None:
    def refuse(number: int) -> RenderModes:
        raise AssertionError(f"render modes asked for page {number}")

    with pdfplumber.open(path) as pdf:
        assert [page_doubt(p, n, refuse) for n, p in enumerate(pdf.pages, 1) if p.chars] == [
            None for p in pdf.pages if p.chars
        ]


def test_text_that_reads_as_glyph_numbers_or_no_chinese_is_doubted() -> None:
    def chars(text: str) -> list[dict]:
        return [{"text": c} for c in text]

    assert text_doubt([{"text": "(cid:12)"}] * 30) == "no_unicode"
    assert text_doubt(chars("$% &'()*+,-./0123456789:;<=>?")) == "not_chinese"
    assert text_doubt(chars("2022年乐清市民生实事项目8月份进展情况(1)吸收60所")) is None
    assert text_doubt(chars("第 1 页")) is None  # too little text to judge


def test_invisible_text_over_no_image_is_rejected_saying_so() -> None:
    path = FIXTURES / "bad" / "invisible-text.pdf"
    with pytest.raises(UnreadableDocument) as caught:
        parse_bytes(path.read_bytes(), path.name)
    assert str(caught.value) == (
        "invisible-text.pdf: the text layer of page 1 cannot be read (its text does not read "
        "as Chinese) and the page holds no image to read instead: export the PDF again from "
        "the original document"
    )


def first_page(path: Path) -> ParsedDocument:
    """The first page of ``path`` alone (copied with PDFium), parsed as a PDF of its own."""
    import io

    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(path.read_bytes())
    single = pdfium.PdfDocument.new()
    single.import_pages(source, [0])
    buffer = io.BytesIO()
    single.save(buffer)
    single.close()
    source.close()
    return parse_bytes(buffer.getvalue(), path.name, region="乐清市")


@pytest.fixture(scope="module")
def first_pages() -> dict[Path, ParsedDocument]:
    pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is installed by make install")
    paths = [PS_ROUNDTRIP, OCR_LAYER]
    # One new process, as a run's worker reads scans: the OCR models load there once.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return dict(zip(paths, pool.map(first_page, paths), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "severity", "why"),
    [
        (PS_ROUNDTRIP, "warning", "its fonts have no Unicode map"),
        (OCR_LAYER, "info", "it is an invisible OCR text layer over the page image"),
    ],
)
def test_a_lying_text_layer_is_read_by_ocr_and_the_report_says_why(
    first_pages, path: Path, severity: str, why: str
) -> None:
    from bench.ocr import differences, expected_rows

    doc = first_pages[path]
    unused = [i for i in doc.issues if i.check == "text_layer_unused"]
    assert [(i.severity, i.location.page) for i in unused] == [(severity, 1)]
    assert why in unused[0].message
    assert doc.source_format == "pdf-ocr"
    expected = expected_rows()
    rows = doc.rows.to_dict("records")
    assert [int(r["item_no"]) for r in rows] == [1, 2, 3, 4, 5]
    assert [differences(r, expected[(int(r["item_no"]), int(r["sub_no"]))]) for r in rows] == [
        []
    ] * 5
