"""Scanned reports read by OCR: the committed scans of the August report (``scan/``).

OCR costs seconds a page, so these tests read three pages in all (page 1 as PNG, and the
scanned page 5 of the partly scanned PDF); the two-page TIFF goes through ``ingest`` in
``tests/pipelines/test_flow_ocr.py``. The full acceptance check on every page of the clean
scan and the photocopy is ``python -m bench.ocr`` (see the README).
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import pytest

from bench.ocr import differences, expected_rows
from parsers import UnreadableDocument, parse_document
from parsers.errors import LimitExceeded
from parsers.formats.ocr import OcrRunner, PageDone
from parsers.formats.ocr.correct import (
    KnownNames,
    correct_near_misses,
    nearest_known,
    one_edit_apart,
)
from parsers.limits import DEFAULT_LIMITS
from parsers.model import OcrCell, ParsedDocument
from tests.conftest import FIXTURES

SCANS = FIXTURES / "scan"
PAGE_1 = SCANS / "yueqing-2022-08-p1.png"
PARTLY = SCANS / "yueqing-2022-08-partly-scanned.pdf"

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is installed by make install")
pytestmark = pytest.mark.slow  # OCR takes seconds a page


def _exact(doc) -> tuple[int, list[str]]:
    expected = expected_rows()
    wrong = []
    for row in doc.rows.to_dict("records"):
        bad = differences(row, expected.get((int(row["item_no"]), int(row["sub_no"]))))
        if bad:
            wrong.append(f"({row['item_no']}) {bad}")
    return len(doc.rows) - len(wrong), wrong


def parse_telling_pages(path: Path) -> tuple[ParsedDocument, list[PageDone]]:
    """``parse_document(path)`` and the pages OCR said it read."""
    done: list[PageDone] = []
    return parse_document(path, ocr=OcrRunner(on_page=done.append)), done


def read_in_another_process(*paths: Path) -> list[tuple[ParsedDocument, list[PageDone]]]:
    """Parse each path in one new process, as a run's worker does: the OCR models (hundreds
    of MB) are loaded there once, not in the test process that later measures its children's
    memory."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return [pool.submit(parse_telling_pages, path).result() for path in paths]


@pytest.fixture(scope="module")
def scans_read() -> dict[Path, tuple[ParsedDocument, list[PageDone]]]:
    return dict(zip((PAGE_1, PARTLY), read_in_another_process(PAGE_1, PARTLY), strict=True))


@pytest.fixture(scope="module")
def page_1(scans_read) -> ParsedDocument:
    return scans_read[PAGE_1][0]


@pytest.fixture(scope="module")
def partly(scans_read) -> tuple[ParsedDocument, list[PageDone]]:
    return scans_read[PARTLY]


def test_a_png_page_gives_its_five_rows_exact_with_the_period_from_the_title(page_1) -> None:
    assert (page_1.region, page_1.year, page_1.month) == ("乐清市", 2022, 8)
    assert page_1.source_format == "image-ocr"
    assert page_1.rejected == []
    assert _exact(page_1) == (5, [])
    assert list(page_1.rows["item_no"]) == [1, 2, 3, 4, 5]
    assert list(page_1.rows["source_page"]) == [1] * 5
    assert list(page_1.rows["source_row"]) == [2, 3, 4, 5, 6]  # the header is row 1


def test_a_merged_department_cell_is_inherited_as_in_a_pdf(page_1) -> None:
    rows = page_1.rows.set_index("item_no")
    assert list(rows.loc[[1, 2, 3, 4], "department"]) == ["市教育局"] * 4
    assert list(rows.loc[[1, 2, 3, 4], "department_inherited"]) == [False, True, True, True]
    assert rows.loc[5, "department"] == "市卫生健康局"  # wrapped over two lines in its cell


def test_every_key_cell_keeps_its_confidence(page_1) -> None:
    cells = page_1.ocr_cells
    assert {(page, row) for page, row, _ in cells} == {(1, r) for r in range(2, 7)}
    assert {column for _, _, column in cells} == {
        "content",
        "completion_raw",
        "department",
        "leader",
    }
    assert all(0 < cell.confidence <= 1 for cell in cells.values())
    # Department and leader cells carry their image, for a correction to show.
    assert cells[(1, 2, "leader")].image.startswith("data:image/jpeg;base64,")


def test_a_partly_scanned_pdf_reads_only_its_scanned_page_by_ocr(partly) -> None:
    doc, done = partly
    assert [(d.page, d.pages) for d in done] == [(5, 1)]
    assert doc.source_format == "pdf-ocr"
    assert any(i.check == "ocr_pages" and "page 5" in i.message for i in doc.issues)
    exact, wrong = _exact(doc)
    assert (len(doc.rows), doc.rejected) == (48, [])
    assert exact == 48, wrong
    # Rows of the text pages are not OCR'd; the scanned page's are.
    assert {page for page, _, _ in doc.ocr_cells} == {5}


def test_the_scanned_page_gives_the_pages_and_rows_the_text_layer_gives(partly) -> None:
    doc, _ = partly
    text_layer = parse_document(FIXTURES / "yueqing-2022-08.pdf")
    where = ["item_no", "sub_no", "source_page", "source_row"]
    assert doc.rows[where].equals(text_layer.rows[where])
    assert (doc.rows["source_page"] == 5).sum() >= 5


def test_a_text_layer_pdf_never_goes_through_ocr() -> None:
    def refuse(function, items):
        raise AssertionError("OCR was asked to read a page with a text layer")

    doc = parse_document(FIXTURES / "yueqing-2022-08.pdf", ocr=OcrRunner(map=refuse))
    assert (doc.source_format, len(doc.rows)) == ("pdf", 48)


def test_a_scan_without_the_ocr_extra_is_rejected_with_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    for path in (PAGE_1, SCANS / "yueqing-2022-08-scan.pdf"):
        with pytest.raises(UnreadableDocument) as caught:
            parse_document(path)
        assert "pip install 'minsheng-etl[ocr]'" in str(caught.value)
        assert str(caught.value).startswith(f"{path.name}: is a scan (no text layer)")


def test_a_damaged_image_is_rejected_with_a_clear_message(tmp_path) -> None:
    broken = tmp_path / "yueqing-2022-08-p1.png"
    broken.write_bytes(PAGE_1.read_bytes()[:2000])
    with pytest.raises(UnreadableDocument) as caught:
        parse_document(broken)
    assert "not an image or damaged" in str(caught.value)
    assert caught.value.__cause__ is None


def rejection_of(name: str, data: bytes) -> str:
    """The message ``parse_document`` rejects an image file with (its limits the defaults)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            parse_document(path)
        except LimitExceeded as exc:
            return str(exc)
    raise AssertionError(f"{name} was read")


def test_a_tiff_of_too_many_pages_or_a_page_of_too_many_pixels_is_rejected_at_once() -> None:
    from io import BytesIO

    from PIL import Image

    many = BytesIO()
    frames = [Image.new("1", (8, 8)) for _ in range(DEFAULT_LIMITS.max_pages + 1)]
    frames[0].save(many, format="TIFF", save_all=True, append_images=frames[1:])
    huge = BytesIO()
    Image.new("1", (10_000, 7_000)).save(huge, format="PNG")  # 70 million pixels, 10 KB
    pages, pixels = (
        in_spawned(partial(rejection_of, "many.tif", many.getvalue())),
        in_spawned(partial(rejection_of, "huge.png", huge.getvalue())),
    )
    assert "the image file has 301 pages, more than 300 (the limit, --max-pages)" in pages
    assert "page 1 is 10,000 × 7,000 pixels, more than 60,000,000 (the limit)" in pixels


def image_pages_and_skew() -> tuple[list[tuple], float]:
    """The TIFF's pages (number, resolution, size) and the skew found on the JPEG page."""
    from parsers.formats.ocr.reader import image_file_pages
    from parsers.formats.ocr.ruling import estimate_skew

    tiff = image_file_pages(
        (SCANS / "yueqing-2022-08-p3-4.tif").read_bytes(), "p3-4.tif", DEFAULT_LIMITS
    )
    [jpeg] = image_file_pages(
        (SCANS / "yueqing-2022-08-p2.jpg").read_bytes(), "p2.jpg", DEFAULT_LIMITS
    )
    return [(p.page, p.dpi, p.pixels.shape) for p in tiff], estimate_skew(jpeg.pixels)


def photocopy_page_1() -> tuple[float, list[list], str]:
    """The photocopy's page 1: its skew, its cells as found after deskewing, the clean dtype."""
    from parsers.formats.ocr.reader import scan_pdf_pages
    from parsers.formats.ocr.ruling import deskew, estimate_skew, page_to_cells

    data = (SCANS / "yueqing-2022-08-photocopy.pdf").read_bytes()
    [page] = scan_pdf_pages(data, [1], 200, "photocopy.pdf")
    angle = estimate_skew(page.pixels)
    grid, clean = page_to_cells(deskew(page.pixels, angle), page.dpi)
    return angle, (grid.rows if grid else []), str(clean.dtype)


def in_spawned(function):
    """``function()`` in a new process: OpenCV and page images stay out of the test process."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function).result()


def test_pages_of_a_tiff_and_a_rotated_jpeg_open_with_their_resolution() -> None:
    tiff, skew = in_spawned(image_pages_and_skew)
    assert tiff == [(1, 200.0, (1654, 2339)), (2, 200.0, (1654, 2339))]
    # The page was turned 0.6° clockwise before it was saved.
    assert skew == pytest.approx(-0.6, abs=0.1)


def test_the_photocopy_is_straightened_and_its_merged_cells_found() -> None:
    angle, rows, dtype = in_spawned(photocopy_page_1)
    assert angle == pytest.approx(0.7, abs=0.1)  # as make_scans.py turned it
    assert len(rows[0]) == 6
    # Header, items (1)-(5): the department cell of (1) is merged down over (2)-(4).
    department = [row[4] for row in rows[:6]]
    assert department[2:5] == [None, None, None]
    assert department[1][3] == pytest.approx(rows[4][0][3], abs=1)
    assert dtype == "uint8"


def dark_border_page() -> tuple[float, int, tuple]:
    """The page scanned on a dark bed: its skew, and its table's columns and frame."""
    from parsers.formats.ocr.reader import image_file_pages
    from parsers.formats.ocr.ruling import deskew, estimate_skew, page_to_cells

    data = (SCANS / "yueqing-2022-08-p2-dark-border.jpg").read_bytes()
    [page] = image_file_pages(data, "p2-dark-border.jpg", DEFAULT_LIMITS)
    angle = estimate_skew(page.pixels)
    grid, _ = page_to_cells(deskew(page.pixels, angle), page.dpi)
    assert grid is not None
    return angle, len(grid.rows[0]), tuple(float(v) for v in grid.bbox)


def test_the_edge_of_a_page_on_a_dark_scanner_bed_is_not_a_rule_of_the_table() -> None:
    angle, columns, (left, top, right, _) = in_spawned(dark_border_page)
    assert angle == pytest.approx(-1.5, abs=0.1)  # as make_scans.py turned it
    # The six columns of the report, framed by its own rules, not by the paper's edges.
    assert columns == 6
    assert (left, top) == (pytest.approx(149, abs=3), pytest.approx(189, abs=3))
    assert right == pytest.approx(2204, abs=3)


def test_one_edit_apart() -> None:
    assert one_edit_apart("市卫生建康局", "市卫生健康局")  # a character misread
    assert one_edit_apart("市卫生康局", "市卫生健康局")  # one dropped
    assert not one_edit_apart("王小强", "王旭良")  # two: another person
    assert not one_edit_apart("市水利局", "市水利局")
    assert nearest_known("王小张", {"王小强", "王小张三"}) is None  # two names one edit away
    assert nearest_known("王小弓", {"王小强", "赵晓宾"}) == "王小强"
    assert nearest_known("王小弓", {"王小强", "王小刚"}) is None  # two equally near: no guess


def test_a_near_miss_is_corrected_where_read_and_in_the_rows_inheriting_it() -> None:
    rows = pd.DataFrame(
        {
            "department": ["市教肓局", "市教肓局", "市公安局"],
            "leader": ["王旭良", "王小强", "刘寅初"],
            "department_inherited": [False, True, False],
            "leader_inherited": [False, False, False],
            "source_page": pd.array([1, 1, 1], dtype="Int64"),
            "source_row": pd.array([2, 3, 4], dtype="Int64"),
        }
    )
    cells = {
        (1, 2, "department"): OcrCell(0.82, "data:image/jpeg;base64,AAAA"),
        (1, 4, "department"): OcrCell(0.995),
        **{(1, r, "leader"): OcrCell(0.999) for r in (2, 3, 4)},
    }
    known = KnownNames({"department": {"市教育局", "市公安局"}, "leader": set()}, "in 2022年7月")
    fixed, issues = correct_near_misses(rows, cells, [known], "scan.pdf")
    assert list(fixed["department"]) == ["市教育局", "市教育局", "市公安局"]
    assert [(i.location.row, i.severity, i.value) for i in issues] == [
        (2, "info", "市教肓局"),
        (3, "info", "市教肓局"),
    ]
    assert "read by OCR as '市教肓局' loaded as '市教育局'" in issues[0].message
    assert issues[0].image == "data:image/jpeg;base64,AAAA"


def test_a_sure_read_or_a_name_two_edits_away_is_never_corrected() -> None:
    rows = pd.DataFrame(
        {
            "department": ["市教肓局", "市农业局"],
            "leader": ["王小刚", "李四"],
            "department_inherited": [False, False],
            "leader_inherited": [False, False],
            "source_page": pd.array([1, 1], dtype="Int64"),
            "source_row": pd.array([2, 3], dtype="Int64"),
        }
    )
    cells = {
        (1, 2, "department"): OcrCell(0.995),  # sure: a new department is a new department
        (1, 3, "department"): OcrCell(0.5),
        (1, 2, "leader"): OcrCell(0.999),
        (1, 3, "leader"): OcrCell(0.5),
    }
    known = KnownNames({"department": {"市教育局", "市农业农村局"}, "leader": {"王小强"}}, "x")
    fixed, issues = correct_near_misses(rows, cells, [known], "scan.pdf")
    assert fixed.equals(rows) and issues == []
