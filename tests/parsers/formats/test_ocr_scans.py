"""Scans as phones, faxes and copiers make them (``parsers.formats.ocr``: ``upright``,
``unsure``, the speck handling of ``page``), on the committed fixtures of ``make_scans.py``.

The looks before reading (outline, orientation, resolution) cost a fraction of a second a
page and are tested page by page; three documents are read in full, in one process of
their own: the phone photo of page 1, the pages fed sideways, and the six-page fax.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.ocr import Acceptance, check_scan
from parsers.model import OcrCell
from tests.conftest import FIXTURES

SCANS = FIXTURES / "scan"
PHONE = SCANS / "yueqing-2022-08-p1-phone.jpg"
SIDEWAYS = SCANS / "yueqing-2022-08-sideways.pdf"
LETTER = SCANS / "yueqing-2022-08-letter-96ppi.pdf"
UPSIDE_DOWN = SCANS / "yueqing-2022-08-p6-upside-down.png"
FAX = SCANS / "yueqing-2022-08-fax.tif"

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is installed by make install")
pytestmark = pytest.mark.slow  # OCR takes seconds a page


def in_spawned(function, *args):
    """``function(*args)`` in a new process: the models and page images stay out of this one."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _prepared(path: Path, page: int = 1) -> tuple[int, float, float, bool, tuple, float | None]:
    """How ``prepare_page`` makes a fixture's page ready: turned, dpi read at, dpi stated,
    flattened, the shape of the pixels read, the text line height."""
    from parsers.formats.ocr.reader import image_file_pages, scan_pdf_pages
    from parsers.formats.ocr.upright import prepare_page
    from parsers.limits import DEFAULT_LIMITS

    data = path.read_bytes()
    if path.suffix == ".pdf":
        image = scan_pdf_pages(data, [page], 200, path.name)[0]
    else:
        image = image_file_pages(data, path.name, DEFAULT_LIMITS)[page - 1]
    ready = prepare_page(image.pixels, image.dpi)
    return (
        ready.turned,
        round(ready.dpi),
        round(ready.stated_dpi),
        ready.flattened,
        ready.gray.shape,
        ready.line_px,
    )


def _all_prepared() -> dict[str, tuple]:
    return {
        "clean": _prepared(SCANS / "yueqing-2022-08-scan.pdf"),
        "sideways 1": _prepared(SIDEWAYS, 1),
        "sideways 2": _prepared(SIDEWAYS, 2),
        "upside down": _prepared(UPSIDE_DOWN),
        "phone": _prepared(PHONE),
        "letter": _prepared(LETTER),
        "dark border": _prepared(SCANS / "yueqing-2022-08-p2-dark-border.jpg"),
        "photocopy": _prepared(SCANS / "yueqing-2022-08-photocopy.pdf"),
    }


@pytest.fixture(scope="module")
def prepared() -> dict[str, tuple]:
    return in_spawned(_all_prepared)


def test_pages_turned_90_180_and_270_degrees_are_turned_upright_before_reading(prepared) -> None:
    turned = {name: found[0] for name, found in prepared.items()}
    assert turned == {
        "clean": 0,
        "sideways 1": 90,  # make_scans.py turned page 3 clockwise
        "sideways 2": 270,  # and page 4 counter-clockwise
        "upside down": 180,
        "phone": 0,
        "letter": 0,
        "dark border": 0,
        "photocopy": 0,
    }
    # Upright, a landscape page is wider than high again.
    assert prepared["sideways 1"][4] == (1655, 2339)


def test_resolution_comes_from_the_text_lines_not_from_what_the_file_says(prepared) -> None:
    # The phone's JPEG says 72 dpi and img2pdf's page 96; their text says about 290 and 200.
    _, dpi, stated, _, shape, line = prepared["phone"]
    assert (dpi, stated) == (200, 72)
    assert 260 <= line * 72 / 14 <= 330  # the page was photographed at 290 px/inch
    assert shape[1] == pytest.approx(2339, rel=0.08)  # scaled to 200 dpi: an A4 page's width
    _, dpi, stated, _, shape, _ = prepared["letter"]
    assert (dpi, stated, shape) == (200, 96, (1700, 2200))  # its own pixels, not blown up
    # Where the file and the pixels agree, the file's resolution stands.
    assert prepared["clean"][1:3] == (200, 200)
    assert prepared["photocopy"][1:3] == (200, 200)


def test_only_a_photographed_page_on_a_desk_is_flattened(prepared) -> None:
    flattened = {name for name, found in prepared.items() if found[3]}
    # The dark-border scan's outline is the table's frame on white paper: not a photo.
    assert flattened == {"phone"}


def _phone_corners() -> list[list[float]]:
    import cv2

    from parsers.formats.ocr.upright import page_quadrilateral

    gray = cv2.imread(str(PHONE), cv2.IMREAD_GRAYSCALE)
    corners = page_quadrilateral(gray)
    assert corners is not None
    return corners.tolist()


def test_the_outline_of_a_photographed_page_is_found() -> None:
    corners = in_spawned(_phone_corners)
    # Where make_scans.py placed the page's corners in the photo (top-left first).
    placed = [[360, 330], [3660, 250], [3820, 2760], [170, 2700]]
    assert np.abs(np.array(corners) - np.array(placed)).max() < 25


def _rejection_of(name: str, size: tuple[int, int], canvas: tuple[int, int]) -> str:
    """The message a photo of page 1 is rejected with when taken from farther away: the
    phone's photo scaled down to ``size`` in the middle of a desk of ``canvas`` pixels."""
    from PIL import Image

    from parsers import DocumentError, parse_bytes

    with Image.open(PHONE) as photo:
        far = Image.new("RGB", canvas, (70, 68, 60))
        far.paste(photo.resize(size), ((canvas[0] - size[0]) // 2, (canvas[1] - size[1]) // 2))
        exif = photo.getexif()
    buffer = BytesIO()
    far.save(buffer, "JPEG", quality=85, dpi=(72, 72), exif=exif)
    try:
        parse_bytes(buffer.getvalue(), name)
    except DocumentError as exc:
        return str(exc)
    raise AssertionError(f"{name} was read")


def test_a_photo_whose_text_is_too_small_is_sent_back_with_advice_for_a_phone() -> None:
    # The page about 850 pixels wide in a 2000-pixel photo: its text 14 pixels high.
    message = in_spawned(_rejection_of, "far.jpg", (1000, 750), (2000, 1500))
    assert message.startswith("far.jpg: page 1 is a photo whose text is 1")
    assert "pixels high, too small to read reliably (OCR needs 20): take the photo closer" in (
        message
    )
    # A photo of too few pixels for any page is sent back before the models are loaded.
    message = in_spawned(_rejection_of, "tiny.jpg", (600, 450), (640, 480))
    assert message == (
        "tiny.jpg: page 1 is a photo of 640 × 480 pixels, too few to read a page from: take "
        "the photo closer, the page filling the frame, in good light"
    )


def _read_in_full() -> dict[str, Acceptance]:
    from parsers.formats.ocr import OcrRunner

    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        runner = OcrRunner(map=pool.map)
        return {path.name: check_scan(path, ocr=runner) for path in (PHONE, SIDEWAYS, FAX)}


@pytest.fixture(scope="module")
def read() -> dict[str, Acceptance]:
    return in_spawned(_read_in_full)


def test_a_phone_photo_of_page_1_loads_its_rows_exact(read) -> None:
    phone = read[PHONE.name]
    assert (phone.loaded, phone.quarantined) == (5, 0)
    assert phone.exact == 5, phone.wrong  # items (1)–(5), key cells and text
    assert phone.silent == []


def test_pages_fed_sideways_are_read_as_if_upright(read) -> None:
    sideways = read[SIDEWAYS.name]
    # Pages 3–4: items (14)–(31); the end of (13) at the top has nothing to join (quarantined).
    assert (sideways.loaded, sideways.quarantined) == (19, 1)
    assert sideways.exact == 19, sideways.wrong
    assert sideways.silent == []


def test_a_fax_loads_its_rows_exact_or_quarantines_them_with_the_cell_image(read) -> None:
    fax = read[FAX.name]
    assert fax.items_missing == []
    assert fax.exact >= 46, fax.wrong
    assert fax.loaded + fax.quarantined >= 48
    # A loaded row that differs carries an issue on that row, but for one known case: a
    # speck touching the comma of (20)'s `未开工建设,滞后进度` makes it `;` (read at 0.99,
    # as a person would read it); the rate and the lag are right.
    assert all(line.endswith(": completion_raw") for line in fax.silent), fax.silent
    assert len(fax.silent) <= 1
    # No speck loads as text: no department starts with a digit, no empty plan cell is `1`.
    assert fax.wrong_values == [], fax.wrong_values


def _unsure_case() -> tuple[pd.DataFrame, dict]:
    rows = pd.DataFrame(
        {
            "item_no": pd.array([1, 2, 3, 4], dtype="Int64"),
            "department": ["7市生态环境局", "7市生态环境局", "市教育局", "市教育局"],
            "leader": ["王旭良", "王旭良", "赵晓宾", "赵晓宾"],
            "completion_raw": ["72%", "72%", "100%", "1OO%"],
            "department_inherited": [False, True, False, False],
            "leader_inherited": [False, False, False, False],
            "source_page": pd.array([1, 1, 1, 1], dtype="Int64"),
            "source_row": pd.array([2, 3, 4, 5], dtype="Int64"),
            "raw": ["a", "b", "c", "d"],
        }
    )
    cells = {
        (1, r, c): OcrCell(0.999)
        for r in (2, 3, 4, 5)
        for c in ("department", "leader", "completion_raw")
    }
    del cells[(1, 3, "department")]  # merged from row 2: the row has no cell of its own
    cells[(1, 2, "department")] = OcrCell(0.5, "data:image/jpeg;base64,AAAA")
    cells[(1, 5, "department")] = OcrCell(0.6)  # the same name read sure in row 4
    cells[(1, 5, "completion_raw")] = OcrCell(0.7, "data:image/jpeg;base64,BBBB")
    return rows, cells


def test_an_unsure_key_cell_nothing_corroborates_quarantines_its_row_and_the_merge() -> None:
    from parsers.formats.ocr.correct import document_names
    from parsers.formats.ocr.unsure import unsure_rows

    rows, cells = _unsure_case()
    kept, rejected = unsure_rows(rows, cells, [document_names(rows, cells)], "fax.tif")
    assert list(kept["item_no"]) == [3]
    reasons = {(r.location.row, i.column, i.value, i.image) for r in rejected for i in r.issues}
    assert reasons == {
        (2, "department", "7市生态环境局", "data:image/jpeg;base64,AAAA"),
        (3, "department", "7市生态环境局", None),  # inherits the unsure merged cell
        (5, "completion_raw", "1OO%", "data:image/jpeg;base64,BBBB"),
    }
    assert all(
        i.severity == "error" and i.check == "ocr_unsure" for r in rejected for i in r.issues
    )
    assert "with confidence 0.50, and no other cell says the same" in (
        rejected[0].issues[0].message
    )
    assert [r.item_no for r in rejected] == [1, 2, 4]


def test_an_unsure_cell_whose_value_a_month_of_the_region_gives_is_loaded() -> None:
    from parsers.formats.ocr.correct import KnownNames, document_names
    from parsers.formats.ocr.unsure import unsure_rows

    rows, cells = _unsure_case()
    july = KnownNames({"department": {"7市生态环境局"}, "completion_raw": {"1OO%"}}, "in 7月")
    kept, rejected = unsure_rows(rows, cells, [document_names(rows, cells), july], "fax.tif")
    assert (len(kept), rejected) == (4, [])


def _speck_handling() -> tuple[list, bool, bool]:
    from parsers.formats.ocr.page import despeckle, without_specks

    lines = [(0, 0, 300, 39), (0, 50, 200, 90), (10, 100, 24, 114), (0, 120, 39, 159)]
    line = np.full((40, 200), 255, np.uint8)
    line[10:30, 40:44] = 0  # a stroke
    line[10:13, 10:13] = 0  # a speck standing alone
    cleaned = despeckle(line, 1.0)
    return without_specks(lines), bool(cleaned[11, 11] == 255), bool(cleaned[15, 42] == 0)


def test_specks_are_not_text_lines_and_are_wiped_from_a_line_read_again() -> None:
    kept, speck_gone, stroke_kept = in_spawned(_speck_handling)
    # The 14-pixel "line" is a speck beside 39- and 40-pixel lines; a lone character stays.
    assert kept == [(0, 0, 300, 39), (0, 50, 200, 90), (0, 120, 39, 159)]
    assert speck_gone and stroke_kept
