"""One scanned page → its table's cells with their text and how sure the OCR was.

``read_page`` runs in a worker process (it is the costly step: a few seconds of CPU a
page) and returns a plain, picklable ``PageRead``: the cells in pdfplumber's shape and in
points (1/72 inch, as a PDF's), so the rest of the reading is the PDF reader's.

The page is first made ready to read (``parsers.formats.ocr.upright``: a photo flattened, a page
fed sideways or upside down turned upright, the resolution measured from its text lines
and the pixels scaled to 200 dpi where there are more). Text lines are detected on the
deskewed page with its rules whitened (a rule next to a character is read as ``丨`` or
``一`` otherwise); a detected line that runs over a column
rule is cut at the rule, so text never crosses from one cell into the next; each piece is
recognised on its own and placed in the cell that holds it. A cell's confidence is the lowest
of its pieces'.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from parsers.formats.ocr.engine import Box, detect_text, recognize
from parsers.formats.ocr.ruling import CellGrid, deskew, estimate_skew, page_to_cells
from parsers.formats.ocr.upright import prepare_page

# The detector's input size: PP-OCR's detector is trained on pages of about this size.
DETECT_MAX_SIDE = 1600
# Pieces narrower than this (pixels at 200 dpi) are a character's edge cut off by a rule.
_MIN_PIECE_PX = 10
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")
# A detected "line" less high than this share of the page's median text line is a speck
# (dust, line noise, a fax's stray pixels), not text: the reports print no smaller text.
_SPECK_HEIGHT_SHARE = 0.5
# A piece read with less confidence than this is read again with its specks removed; the
# surer reading is kept (a speck beside a name is read as a character: `7市生态环境局`).
_RE_READ_BELOW = 0.9
# Blobs of ink at most this many pixels across (at 200 dpi, scaled) that touch no other ink
# are specks: a printed dot of 10-point text is larger.
_SPECK_PX = 6
# Look-alikes the recogniser returns for punctuation of official Chinese text: the radical
# 丶 (U+4E36) for the enumeration comma 、 — no report writes the radical.
_LOOK_ALIKES = str.maketrans({"丶": "、"})


@dataclass(frozen=True)
class Piece:
    """A recognised piece of a text line: where it is (pixels), its text, its confidence."""

    box: Box
    text: str
    confidence: float


@dataclass
class PageRead:
    """A scanned page read by OCR, in points (1/72 inch) as a PDF page is measured.

    ``chars`` are pdfplumber-style char dicts, one per recognised piece of a text line, each
    with its ``confidence``; ``horizontal`` (y, x0, x1) and ``vertical`` (x, top, bottom) are
    the table's rules; ``tables`` the first rows of its cells and its box, where the header
    is looked for. ``image`` is the deskewed page (grayscale, ``dpi``), kept to cut out the
    cells a clerk should look at. A page without a ruled table has no rules and no tables.

    ``stated_dpi`` is the resolution the file gave; ``dpi`` the one the page was read at,
    from its pixels (``parsers.formats.ocr.upright``). ``turned`` (degrees clockwise) and
    ``flattened`` say how it was made upright; ``line_px`` is the height of its text lines
    in the file's pixels, and ``too_small`` that it is too few to read (the page is not read).
    """

    page: int
    dpi: float
    stated_dpi: float = 0.0
    turned: int = 0
    flattened: bool = False
    line_px: float | None = None
    too_small: bool = False
    chars: list[dict] = field(default_factory=list)
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)
    tables: list[tuple[list[list[Box | None]], Box]] = field(default_factory=list)
    skew: float = 0.0
    seconds: float = 0.0
    image: np.ndarray | None = None


# Chinese typesetting never starts a line with closing punctuation (，。、：；！？）” …) nor
# ends one with a full stop other than 。 after a character (禁则): such a mark at either end
# of a line is a speck the recogniser read as one (`：赵章盛`, `市治堵办.`, `72%-`).
_STRAY_AT_START = re.compile(r"^[.,:;!?·・\-_`'’”)\]】》〉、，。：；！？）]+\s*")
_STRAY_AT_END = re.compile(r"(?<=[\u3400-\u9fff%])\s*[.·・\-_`']+$")


def clean_text(text: str) -> str:
    """OCR text of one line in the form the text layer of the same document would give,
    less a mark at either end that no line of Chinese text has there (a speck)."""
    text = unicodedata.normalize("NFKC", text).translate(_LOOK_ALIKES).strip()
    text = _STRAY_AT_END.sub("", _STRAY_AT_START.sub("", text))
    return _CJK_SPACE.sub("", text).strip()


def curly_quotes(text: str) -> str:
    """Straight double quotes in Chinese text as the curly pairs it is printed with.

    The recogniser returns ``"`` for both “ and ”; Chinese text never prints the straight
    one, so the quotes of a cell are paired up in order: opening, closing, opening, …
    """
    if '"' not in text or not re.search(_CJK, text):
        return text
    parts = text.split('"')
    out = parts[0]
    for index, part in enumerate(parts[1:]):
        out += ("“" if index % 2 == 0 else "”") + part
    return out


def _crop(image: np.ndarray, box: Box, pad: int = 3) -> np.ndarray:
    height, width = image.shape
    x0, y0, x1, y1 = box
    return image[
        max(int(y0) - pad, 0) : min(int(y1) + pad, height),
        max(int(x0) - pad, 0) : min(int(x1) + pad, width),
    ]


def _cells_of(grid: CellGrid) -> list[Box]:
    return [box for row in grid.rows for box in row if box is not None]


def lines_to_pieces(lines: list[Box], cells: list[Box], scale: float) -> list[tuple[Box, int]]:
    """Detected text lines cut at the rules: (piece, index of its cell); -1 outside the table."""
    pieces: list[tuple[Box, int]] = []
    for x0, y0, x1, y1 in lines:
        middle = (y0 + y1) / 2
        inside = [
            (index, cell)
            for index, cell in enumerate(cells)
            if cell[1] <= middle < cell[3] and min(x1, cell[2]) - max(x0, cell[0]) > 0
        ]
        if not inside:
            pieces.append(((x0, y0, x1, y1), -1))
            continue
        for index, cell in inside:
            left, right = max(x0, cell[0] + 2 * scale), min(x1, cell[2] - 2 * scale)
            if right - left >= _MIN_PIECE_PX * scale:
                pieces.append(((left, y0, right, y1), index))
    return pieces


Recognizer = Callable[[np.ndarray, list[Box], Box, float], list[tuple[Piece, int]]]


def without_specks(lines: list[Box]) -> list[Box]:
    """The detected lines less those much lower than the page's text lines (specks)."""
    heights = sorted(y1 - y0 for x0, y0, x1, y1 in lines if x1 - x0 > 2 * (y1 - y0))
    if not heights:
        return lines
    least = heights[len(heights) // 2] * _SPECK_HEIGHT_SHARE
    return [line for line in lines if line[3] - line[1] >= least]


def despeckle(crop: np.ndarray, scale: float) -> np.ndarray:
    """A line image with its specks whitened: small blobs of ink standing alone."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    limit = max(_SPECK_PX * scale, 2)
    out = crop.copy()
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w > limit or h > limit:
            continue
        x0, y0 = max(x - 2, 0), max(y - 2, 0)
        around = labels[y0 : y + h + 2, x0 : x + w + 2]
        if np.all((around == 0) | (around == label)):
            out[y0 : y + h + 2, x0 : x + w + 2] = 255  # the blob and its grey halo
    return out


def rapidocr_pieces(
    clean: np.ndarray, cells: list[Box], table: Box, scale: float
) -> list[tuple[Piece, int]]:
    """The page's text pieces read by RapidOCR, each with the index of its cell (-1: above
    the table, where a title is; text below the table, page numbers, is not read).

    Specks are left out before reading (``without_specks``), and a piece read unsure is read
    again without the specks in it (``despeckle``); the surer reading is kept, and a piece
    that is nothing but specks is dropped.
    """
    lines = without_specks(detect_text(clean, DETECT_MAX_SIDE))
    placed = [
        (box, index)
        for box, index in lines_to_pieces(lines, cells, scale)
        if index >= 0 or box[3] <= table[1]
    ]
    crops = [_crop(clean, box) for box, _ in placed]
    results = recognize(crops)
    unsure = [i for i, (_, confidence) in enumerate(results) if confidence < _RE_READ_BELOW]
    cleaned = {i: despeckle(crops[i], scale) for i in unsure}
    unchanged = [i for i in unsure if np.array_equal(cleaned[i], crops[i])]
    again = [i for i in unsure if i not in unchanged]
    for i, (text, confidence) in zip(again, recognize([cleaned[i] for i in again]), strict=True):
        if not text.strip() and not np.any(cleaned[i] < 128):
            results[i] = ("", 1.0)  # only specks
        elif confidence > results[i][1]:
            results[i] = (text, confidence)
    return [
        (Piece(box, text, confidence), index)
        for (box, index), (text, confidence) in zip(placed, results, strict=True)
    ]


def read_page(
    gray: np.ndarray, dpi: float, page: int, recognizer: Recognizer = rapidocr_pieces
) -> PageRead:
    """OCR one page image: its ruled table's rules, and its text pieces with their confidence.

    ``recognizer`` reads the text pieces of the deskewed page with its rules whitened
    (RapidOCR; the benchmark passes tesseract to compare on the same cells).
    """
    started = time.process_time()
    ready = prepare_page(gray, dpi)
    read = PageRead(
        page=page,
        dpi=ready.dpi,
        stated_dpi=dpi,
        turned=ready.turned,
        flattened=ready.flattened,
        line_px=ready.line_px,
        too_small=ready.too_small,
    )
    if ready.too_small:
        read.seconds = time.process_time() - started
        return read
    gray, dpi = ready.gray, ready.dpi
    skew = estimate_skew(gray)
    upright = deskew(gray, skew)
    grid, clean = page_to_cells(upright, dpi)
    read.skew, read.image = skew, upright
    if grid is None:
        read.seconds = time.process_time() - started
        return read
    points = 72 / dpi

    def to_points(box: Box) -> Box:
        return (box[0] * points, box[1] * points, box[2] * points, box[3] * points)

    by_cell: dict[int, list[Piece]] = {}
    for piece, index in recognizer(clean, _cells_of(grid), grid.bbox, dpi / 200):
        text = clean_text(piece.text)
        if text:
            by_cell.setdefault(index, []).append(Piece(piece.box, text, piece.confidence))
    for pieces in by_cell.values():
        for piece, text in zip(pieces, _quoted(pieces), strict=True):
            x0, top, x1, bottom = to_points(piece.box)
            read.chars.append(
                {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                 "size": bottom - top, "text": text, "upright": True,
                 "matrix": (1, 0, 0, 1, x0, bottom), "confidence": piece.confidence}
            )  # fmt: skip
    read.horizontal = [(s.at * points, s.start * points, s.end * points) for s in grid.horizontal]
    read.vertical = [(s.at * points, s.start * points, s.end * points) for s in grid.vertical]
    rows = [[to_points(b) if b else None for b in row] for row in grid.rows[:3]]
    read.tables = [(rows, to_points(grid.bbox))]
    read.seconds = time.process_time() - started
    return read


def _quoted(pieces: list[Piece]) -> list[str]:
    """The pieces' texts with the straight quotes of the cell paired as curly ones.

    A cell with an odd number of quotes, one of them at its very start or end, has a speck
    read as that one (`"市红十字会`): it is dropped.
    """
    ordered = sorted(range(len(pieces)), key=lambda i: (pieces[i].box[1], pieces[i].box[0]))
    text = "\x00".join(pieces[i].text for i in ordered)
    if text.count('"') % 2 == 1:
        if text.startswith('"'):
            text = text[1:]
        elif text.endswith('"'):
            text = text[:-1]
    joined = curly_quotes(text).split("\x00")
    texts = [""] * len(pieces)
    for position, index in enumerate(ordered):
        texts[index] = joined[position]
    return texts
