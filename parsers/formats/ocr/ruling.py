"""A scanned page's table from its ruling lines: deskew, find the lines, make the cells.

Steps, each a conversion on a grayscale page (``numpy`` array, 0 black … 255 white):

1. ``estimate_skew``: the angle that makes the table's rules horizontal. Copiers and
   scanners turn a page by up to about 2°; the angle whose row profile of dark pixels is
   sharpest is the page's skew. ``deskew`` turns the page back.
2. ``ruling_masks``: dark runs much longer than any character stroke, horizontal and vertical.
3. ``masks_to_segments``: each mask as line segments (a rule is one connected run).
4. ``segments_to_cells``: the rows and columns the rules make, and a cell for each group of
   grid positions not separated by a rule: where an inner rule is missing (a merged cell)
   the positions on both sides are one cell.

The rules and cells come out in the shapes the PDF reader takes from pdfplumber
(``parsers.page_geometry.layout.PageLayout``), so a scanned table goes through the same
header, merged-cell and page-break steps as a PDF's.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]

# Rules are at least this share of the page's width (height) long; the longest character
# stroke at 200 dpi is a few percent of it.
_MIN_RULE_SHARE = 1 / 30
# Two rules closer than this (pixels at 200 dpi, scaled) are one: a rule drawn 2–3 px wide.
_SAME_RULE_PX = 8
# A rule separates two grid positions when it covers at least this share of their border.
_COVERS = 0.6
_MAX_SKEW_DEGREES = 3.0


@dataclass(frozen=True)
class Segment:
    """A rule: ``at`` is its y (horizontal) or x (vertical); it runs from ``start`` to ``end``."""

    at: float
    start: float
    end: float


@dataclass
class CellGrid:
    """The table's cells: rows of boxes in pixels, pdfplumber's shape (None = no cell starts),
    and the rules that draw them."""

    rows: list[list[Box | None]]
    bbox: Box
    horizontal: list[Segment]
    vertical: list[Segment]


# Paper is lighter than this on average beside a rule (a copier's grey paper is ~225, the
# dark bed of a scanner around a page ~35).
_PAPER = 128


def _binary(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: adaptive, so grey copier backgrounds and uneven toner still separate."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )


def estimate_skew(gray: np.ndarray) -> float:
    """The page's skew in degrees (counter-clockwise positive), from its horizontal rules."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = _binary(small).astype(np.float32)
    height, width = ink.shape
    centre = (width / 2, height / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1)
        return float(np.square(profile).sum())

    best = max(np.arange(-_MAX_SKEW_DEGREES, _MAX_SKEW_DEGREES + 0.01, 0.25), key=sharpness)
    fine = np.arange(best - 0.25, best + 0.26, 0.05)
    return -float(max(fine, key=sharpness))


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by ``-angle`` degrees about its centre, white where nothing was."""
    if abs(angle) < 0.05:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(255,))


def ruling_masks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rules as masks: ink runs far longer than a character stroke."""
    ink = _binary(gray)
    height, width = ink.shape
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (max(int(width * _MIN_RULE_SHARE), 10), 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(int(height * _MIN_RULE_SHARE), 10)))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, across)
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, down)
    # Close the small gaps a light copy leaves in a rule.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    return horizontal, vertical


def masks_to_segments(mask: np.ndarray, horizontal: bool) -> list[Segment]:
    """A rule mask's connected runs as segments."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = []
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        if horizontal:
            segments.append(Segment(y + h / 2, float(x), float(x + w)))
        else:
            segments.append(Segment(x + w / 2, float(y), float(y + h)))
    return segments


def _positions(segments: list[Segment], tolerance: float) -> list[float]:
    """The distinct positions of the segments' ``at``, close ones as one (their mean)."""
    groups: list[list[float]] = []
    for at in sorted(s.at for s in segments):
        if groups and at - groups[-1][-1] <= tolerance:
            groups[-1].append(at)
        else:
            groups.append([at])
    return [sum(g) / len(g) for g in groups]


def _covered(segments: list[Segment], at: float, start: float, end: float, tol: float) -> bool:
    """Whether rules at ``at`` cover the span ``start``–``end`` (a merged cell has no rule)."""
    length = end - start
    if length <= 0:
        return True
    covered = 0.0
    for segment in segments:
        if abs(segment.at - at) <= tol:
            covered += max(0.0, min(end, segment.end) - max(start, segment.start))
    return covered >= _COVERS * length


def segments_to_cells(
    horizontal: list[Segment], vertical: list[Segment], scale: float = 1.0
) -> CellGrid | None:
    """The table the rules draw, or None when there is no ruled table.

    The table is the largest frame: the rules that reach across most of the widest
    horizontal rule. Grid positions between neighbouring rows and columns join into one
    cell where the rule between them is missing.
    """
    tol = _SAME_RULE_PX * scale
    if not horizontal or not vertical:
        return None
    widest = max(horizontal, key=lambda s: s.end - s.start)
    left, right = widest.start - tol, widest.end + tol
    cols_v = [s for s in vertical if left <= s.at <= right]
    if not cols_v:
        return None
    tallest = max(cols_v, key=lambda s: s.end - s.start)
    top, bottom = tallest.start - tol, tallest.end + tol
    rows_h = [s for s in horizontal if s.start >= left and s.end <= right and top <= s.at <= bottom]
    ys = _positions(rows_h, tol)
    xs = _positions(cols_v, tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None

    # Union-find over grid positions, joined across every missing rule.
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            here = r * n_cols + c
            if c + 1 < n_cols and not _covered(vertical, xs[c + 1], ys[r], ys[r + 1], tol):
                join(here, here + 1)
            if r + 1 < n_rows and not _covered(horizontal, ys[r + 1], xs[c], xs[c + 1], tol):
                join(here, here + n_cols)

    spans: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            root = find(r * n_cols + c)
            span = spans.setdefault(root, [r, c, r, c])
            span[0], span[1] = min(span[0], r), min(span[1], c)
            span[2], span[3] = max(span[2], r), max(span[3], c)
    rows: list[list[Box | None]] = [[None] * n_cols for _ in range(n_rows)]
    for r0, c0, r1, c1 in spans.values():
        rows[r0][c0] = (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
    return CellGrid(rows, (xs[0], ys[0], xs[-1], ys[-1]), rows_h, cols_v)


def is_drawn_line(gray: np.ndarray, segment: Segment, horizontal: bool, dpi: float) -> bool:
    """Whether a segment is a line drawn on paper (paper on both sides of it), not the edge
    of the paper against a dark scanner bed or lid (dark on one side)."""
    offset = max(int(dpi / 25), 3)  # about 1 mm
    at, start, end = int(segment.at), int(segment.start), int(segment.end)
    limit = gray.shape[0] if horizontal else gray.shape[1]
    sides = []
    for side in (at - offset, at + offset):
        if not 0 <= side < limit:
            return False  # a line on the image's border: the edge of the scan
        strip = gray[side, start:end] if horizontal else gray[start:end, side]
        sides.append(float(strip.mean()) if strip.size else 0.0)
    return min(sides) >= _PAPER


def page_to_cells(gray: np.ndarray, dpi: float) -> tuple[CellGrid | None, np.ndarray]:
    """The ruled table of a deskewed page, and the page with its rules whitened for OCR."""
    horizontal, vertical = ruling_masks(gray)
    grid = segments_to_cells(
        [s for s in masks_to_segments(horizontal, True) if is_drawn_line(gray, s, True, dpi)],
        [s for s in masks_to_segments(vertical, False) if is_drawn_line(gray, s, False, dpi)],
        dpi / 200,
    )
    clean = gray.copy()
    clean[(horizontal > 0) | (vertical > 0)] = 255
    return grid, clean
