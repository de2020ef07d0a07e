"""RapidOCR's detector and recogniser (PP-OCRv4 Chinese, shipped in its wheel), one per process.

The models take about a second to load, so a process keeps the one engine it made
(``engine()``); each worker process of a run loads them once. Inference runs on one thread:
a run spreads pages over processes instead, which is faster than threads inside one model.
"""

from __future__ import annotations

import functools
from typing import Any

import cv2
import numpy as np

Box = tuple[float, float, float, float]


@functools.cache
def engine() -> Any:
    """This process's RapidOCR engine (loaded on first use)."""
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, print_verbose=False)
    # One line a run of the recogniser: RapidOCR's batches of six pad each line to the
    # widest of the six, and on one thread a batch costs more a line than lines alone even
    # at the same width (docs/benchmark.md).
    ocr.text_rec.rec_batch_num = 1
    return ocr


def detect_text(gray: np.ndarray, max_side: int) -> list[Box]:
    """Boxes of the text lines on a page, axis-aligned, in the page's pixels.

    The detector runs on the page scaled down to ``max_side`` pixels: its model is trained
    on images of about that size, and the page's characters stay well above its smallest.
    """
    height, width = gray.shape
    scale = min(1.0, max_side / max(height, width))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes, _ = engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if boxes is None:
        return []
    found = []
    for quad in boxes:
        xs, ys = quad[:, 0] / scale, quad[:, 1] / scale
        found.append((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())))
    return found


def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """The text of each single-line image and the recogniser's confidence (0–1)."""
    if not crops:
        return []
    images = [cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) for crop in crops]
    results, _ = engine().text_rec(images)
    return [(str(text), float(score)) for text, score in results]


def detect_quads(gray: np.ndarray, max_side: int) -> list[np.ndarray]:
    """The detector's text-line quadrilaterals (4 × 2 corners, in the page's pixels), on the
    page scaled down to ``max_side``: a cheap look at the page before it is read."""
    height, width = gray.shape
    scale = min(1.0, max_side / max(height, width))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes, _ = engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if boxes is None:
        return []
    return [np.asarray(quad, dtype=np.float32) / scale for quad in boxes]


def upside_down(crops: list[np.ndarray]) -> list[float]:
    """For each single-line image, how sure the direction classifier is that it is upside
    down (0 … 1): PP-OCR's 0°/180° text classifier, shipped with the models."""
    if not crops:
        return []
    images = [cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) for crop in crops]
    _, results, _ = engine().text_cls(images)
    return [float(score) if "180" in label else 1.0 - float(score) for label, score in results]
