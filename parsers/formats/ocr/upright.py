"""A page image as a phone, fax or copier made it → flat, upright, evenly lit, at a known size.

Cheap looks at a page before it is read (reading costs seconds; these a fraction of one):

1. ``page_quadrilateral``: a photographed page lies on a darker desk, seen at an angle; its
   outline is found and ``warp_flat`` maps it onto a rectangle, then ``even_light`` divides
   out light that falls off across the page and the shadow of the phone.
2. ``text_lines``: the detector's text lines on the page scaled down. Lines taller than wide
   mean a page fed sideways (turned 90° or 270°); PP-OCR's direction classifier on the
   longest lines says whether the page (then) reads upside down.
3. ``reading_dpi``: the resolution the page is read at, from the height of its text lines.
   A file's stated resolution is what the software wrote (phones write 72 dpi, img2pdf 96
   without a size given), so it is kept only where the pixels agree with it; a page whose
   text is too few pixels high to read is sent back, whatever the file says.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from parsers.formats.ocr.engine import Box, detect_quads, upside_down

# The detector looks at a page scaled down to this many pixels on its long side: enough for
# 10-point text at 100 dpi, and a third of the cost of the full reading's look.
PROBE_SIDE = 960
# The detector's box around a line of the reports' text (10.5-point Song) is 14 points high
# (39 pixels at 200 dpi): the ruler a page's resolution is measured with.
LINE_BOX_POINTS = 14.0
# Text lines less than this many pixels high (about 100 dpi) are too coarse to read reliably.
MIN_LINE_PX = 20.0
# Pages are read at 200 dpi: more pixels cost time (OCR grows with them), not accuracy.
READ_DPI = 200.0
# Text lines lower than this at a glance are measured again on the page's own pixels.
_CLOSER_LOOK_PX = 14.0
# A file's stated resolution is believed when the text lines agree with it within this factor.
_AGREES = 1.35
# Paper is lighter than this; a desk, a scanner bed or a lid's shadow is darker.
_PAPER = 128
_OUTLINE_SIDE = 800  # the page's outline is looked for at this size


@dataclass(frozen=True)
class Prepared:
    """A page made ready to read: its pixels, the resolution they are read at, and what was
    done: ``turned`` is how far the page was turned clockwise in the file (0, 90, 180, 270),
    ``flattened`` whether it was a photo straightened and evened out; ``line_px`` the median
    height of its text lines in the file's pixels (None: no text found); ``too_small``
    whether that is too few pixels to read."""

    gray: np.ndarray
    dpi: float
    stated_dpi: float
    turned: int = 0
    flattened: bool = False
    line_px: float | None = None
    too_small: bool = False


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    total, diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(diff)],
            points[np.argmax(total)],
            points[np.argmax(diff)],
        ],
        np.float32,
    )


def page_quadrilateral(gray: np.ndarray) -> np.ndarray | None:
    """The corners of a sheet of paper lying on something darker, or None.

    The outline is the hull of every edge on the page (the paper's edge against the desk is
    the outermost), cut to four corners; it is the paper's only if what lies just outside it
    is dark. None for a scan (paper up to the image's edges, or a table's frame on white
    paper) and where no four-cornered outline covers a quarter of the image.
    """
    height, width = gray.shape
    scale = min(1.0, _OUTLINE_SIDE / max(height, width))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    edges = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    if np.mean(edges < _PAPER) < 0.5:
        return None
    found = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 30, 90)
    found = cv2.dilate(found, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(found, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=lambda c: cv2.contourArea(cv2.convexHull(c))))
    if cv2.contourArea(outline) < 0.25 * small.shape[0] * small.shape[1]:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(corners) != 4 or not _dark_around(small, corners.reshape(4, 2)):
        return None
    return _order_corners(corners.reshape(4, 2).astype(np.float32) / scale)


def _dark_around(small: np.ndarray, corners: np.ndarray) -> bool:
    """Whether a band just outside the quadrilateral (3 % of its size) is darker than paper."""
    centre = corners.mean(axis=0)
    inner = np.zeros(small.shape, np.uint8)
    outer = np.zeros(small.shape, np.uint8)
    cv2.fillPoly(inner, [corners.astype(np.int32)], 255)
    cv2.fillPoly(outer, [(centre + (corners - centre) * 1.03).astype(np.int32)], 255)
    band = (outer > 0) & (inner == 0)
    return bool(band.any()) and float(small[band].mean()) < _PAPER


def warp_flat(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The quadrilateral ``corners`` (top-left first, clockwise) mapped onto a rectangle as
    wide and high as its longer sides."""
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(
        max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    )
    height = int(
        max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    )
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(255,)
    )


def even_light(gray: np.ndarray) -> np.ndarray:
    """The page divided by its own paper brightness, so paper is white all over.

    The paper's brightness is the page with its ink closed over (text and rules are thinner
    than the closing), smoothed: light falling off and a soft shadow, not the print.
    """
    height, width = gray.shape
    scale = min(1.0, 600 / max(height, width))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), 8)
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    evened = gray.astype(np.float32) * 255.0 / np.maximum(paper.astype(np.float32), 1.0)
    return np.clip(evened, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Line:
    """A text line the detector found: its box (x0, y0, x1, y1) and its own length and
    height (along the line, which may be skewed), in pixels."""

    box: Box
    length: float
    height: float


def text_lines(gray: np.ndarray, max_side: int = PROBE_SIDE) -> list[Line]:
    """The text lines the detector finds at a glance (the page scaled down to ``max_side``)."""
    lines = []
    for quad in detect_quads(gray, max_side):
        box = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()),
               float(quad[:, 1].max()))  # fmt: skip
        length = float(np.linalg.norm(quad[1] - quad[0]))
        height = float(np.linalg.norm(quad[3] - quad[0]))
        lines.append(Line(box, length, height))
    return lines


def _wide(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.box[2] - line.box[0] > 2 * (line.box[3] - line.box[1])]


def _tall(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.box[3] - line.box[1] > 2 * (line.box[2] - line.box[0])]


def reads_upside_down(gray: np.ndarray, lines: list[Line]) -> bool:
    """Whether most of the page's longest text lines read upside down."""
    longest = [line.box for line in sorted(_wide(lines), key=lambda line: line.length)[-15:]]
    crops = [
        gray[max(int(y0), 0) : int(y1) + 1, max(int(x0), 0) : int(x1) + 1]
        for x0, y0, x1, y1 in longest
    ]
    votes = upside_down([crop for crop in crops if crop.size])
    return bool(votes) and sum(v > 0.5 for v in votes) > len(votes) / 2


def line_height(lines: list[Line]) -> float | None:
    """The median height of the page's text lines (lines at least twice as wide as high)."""
    heights = [min(line.height, line.length) for line in _wide(lines)]
    return float(np.median(heights)) if heights else None


def reading_dpi(stated: float, line_px: float | None) -> float:
    """The resolution a page's pixels are read at: the stated one where its text lines agree
    with it, else the one its text lines give (taken to be the reports' usual 10.5 points)."""
    if line_px is None:
        return stated or READ_DPI
    measured = line_px * 72 / LINE_BOX_POINTS
    if stated and 1 / _AGREES <= measured / stated <= _AGREES:
        return stated
    return measured


def prepare_page(gray: np.ndarray, stated_dpi: float) -> Prepared:
    """The page flattened (a photo), turned upright, and scaled to at most ``READ_DPI``."""
    corners = page_quadrilateral(gray)
    flattened = corners is not None
    if corners is not None:
        gray = even_light(warp_flat(gray, corners))
    lines = text_lines(gray)
    turned = 0
    if len(_tall(lines)) > len(_wide(lines)):
        gray = cv2.rotate(gray, cv2.ROTATE_90_COUNTERCLOCKWISE)
        turned = 90
        lines = text_lines(gray)
    if reads_upside_down(gray, lines):
        gray = cv2.rotate(gray, cv2.ROTATE_180)
        turned = (turned + 180) % 360
    line_px = line_height(lines)
    glance = min(1.0, PROBE_SIDE / max(gray.shape))
    if line_px is not None and glance < 1 and line_px * glance < _CLOSER_LOOK_PX:
        # Lines this low at a glance are measured too high (the detector's box has a
        # margin of its own): measure them on the page's own pixels.
        line_px = line_height(text_lines(gray, max(gray.shape)))
    dpi = reading_dpi(stated_dpi, line_px)
    too_small = line_px is not None and line_px < MIN_LINE_PX
    if not too_small and dpi > READ_DPI * 1.15:
        factor = READ_DPI / dpi
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        dpi = READ_DPI
    return Prepared(gray, dpi, stated_dpi, turned, flattened, line_px, too_small)
