"""One scanned page → its table's cells with their text and how sure the OCR was.

``read_page`` runs in a worker process (it is the costly step: a few seconds of CPU a
page) and returns a plain, picklable ``PageRead``: the cells in pdfplumber's shape and in
points (1/72 inch, as a PDF's), so the rest of the reading is the PDF reader's.

Text lines are detected on the deskewed page with its rules whitened (a rule next to a
character is read as ``丨`` or ``一`` otherwise); a detected line that runs over a column
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

import numpy as np

from parsers.ocr.engine import Box, detect_text, recognize
from parsers.ocr.ruling import CellGrid, deskew, estimate_skew, page_to_cells

# The detector's input size: PP-OCR's detector is trained on pages of about this size.
DETECT_MAX_SIDE = 1600
# Pieces narrower than this (pixels at 200 dpi) are a character's edge cut off by a rule.
_MIN_PIECE_PX = 10
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")
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
    """

    page: int
    dpi: float
    chars: list[dict] = field(default_factory=list)
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)
    tables: list[tuple[list[list[Box | None]], Box]] = field(default_factory=list)
    skew: float = 0.0
    seconds: float = 0.0
    image: np.ndarray | None = None


def clean_text(text: str) -> str:
    """OCR text in the form the text layer of the same document would give."""
    text = unicodedata.normalize("NFKC", text).translate(_LOOK_ALIKES)
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


def rapidocr_pieces(
    clean: np.ndarray, cells: list[Box], table: Box, scale: float
) -> list[tuple[Piece, int]]:
    """The page's text pieces read by RapidOCR, each with the index of its cell (-1: above
    the table, where a title is; text below the table, page numbers, is not read)."""
    lines = detect_text(clean, DETECT_MAX_SIDE)
    placed = [
        (box, index)
        for box, index in lines_to_pieces(lines, cells, scale)
        if index >= 0 or box[3] <= table[1]
    ]
    results = recognize([_crop(clean, box) for box, _ in placed])
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
    skew = estimate_skew(gray)
    upright = deskew(gray, skew)
    grid, clean = page_to_cells(upright, dpi)
    read = PageRead(page=page, dpi=dpi, skew=skew, image=upright)
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
    """The pieces' texts with the straight quotes of the cell paired as curly ones."""
    ordered = sorted(range(len(pieces)), key=lambda i: (pieces[i].box[1], pieces[i].box[0]))
    joined = curly_quotes("\x00".join(pieces[i].text for i in ordered)).split("\x00")
    texts = [""] * len(pieces)
    for position, index in enumerate(ordered):
        texts[index] = joined[position]
    return texts
