"""One page as the table steps need it (characters, rules, ruled tables), whoever drew or read it:
the PDF reader fills it from a text layer, the scan reader from OCR."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from parsers.cells import ITEM_NUMBER
from parsers.model import Location, SeenRow
from parsers.page_geometry.model import _BORDER_TOLERANCE, Box


@dataclass
class _Rules:
    """A page's ruling as pdfplumber's table finder sees it (snapped and joined edges)."""

    horizontal: list[tuple[float, float, float]]  # (y, x0, x1)
    vertical: list[tuple[float, float, float]]  # (x, top, bottom)

    @classmethod
    def of(cls, edges: list[dict], height: float = math.inf) -> _Rules:
        """The rules of ``edges`` as far as they lie on the page (``0 ≤ y ≤ height``): a
        producer that draws a cut row whole and clips it at the page edge (wkhtmltopdf)
        leaves rules past the edge that no reader sees."""
        horizontal = sorted(
            (e["top"], e["x0"], e["x1"])
            for e in edges
            if e["orientation"] == "h" and 0 <= e["top"] <= height
        )
        vertical = sorted(
            (e["x0"], max(e["top"], 0.0), min(e["bottom"], height))
            for e in edges
            if e["orientation"] == "v" and e["bottom"] > 0 and e["top"] < height
        )
        return cls(horizontal, vertical)

    def vertical_spans(self, x: float) -> list[tuple[float, float]]:
        """The stretches (top, bottom) ruled at ``x``, touching stretches joined."""
        spans: list[tuple[float, float]] = []
        for ex, top, bottom in self.vertical:
            if abs(ex - x) > _BORDER_TOLERANCE:
                continue
            if spans and top <= spans[-1][1] + _BORDER_TOLERANCE:
                spans[-1] = (spans[-1][0], max(spans[-1][1], bottom))
            else:
                spans.append((top, bottom))
        return spans

    def crosses(self, x: float, top: float, bottom: float) -> bool:
        """Whether a vertical rule at ``x`` runs from ``top`` to ``bottom``."""
        return any(
            abs(ex - x) <= _BORDER_TOLERANCE
            and etop <= top + _BORDER_TOLERANCE
            and ebottom >= bottom - _BORDER_TOLERANCE
            for ex, etop, ebottom in self.vertical
        )


_MARKER_AT_START = re.compile(rf"(?:^|\x00)\s*{ITEM_NUMBER}")


def markers_on_page(chars: list[dict], number: int) -> list[SeenRow]:
    """Item markers ``(N)`` that start a run of text on the page, wherever it is drawn.

    Counted from the characters alone, not from the table reading, so that a row drawn
    outside the table's cells (or lost by it) is still seen. Characters on one baseline
    are one line; a gap wider than a character starts a new run (the next cell's text).
    """
    lines: dict[int, list[dict]] = {}
    for char in chars:
        lines.setdefault(round(char["top"]), []).append(char)
    seen: list[SeenRow] = []
    for _top, line in sorted(lines.items()):
        line.sort(key=lambda c: c["x0"])
        if not any("(" in c["text"] or "（" in c["text"] for c in line):
            continue
        parts: list[str] = []
        previous = None
        for char in line:
            if previous is not None and char["x0"] - previous["x1"] > previous["size"]:
                parts.append("\x00")
            parts.append(char["text"])
            previous = char
        text = "".join(parts)
        for match in _MARKER_AT_START.finditer(text):
            run = text[match.start() :].lstrip("\x00").split("\x00")[0]
            seen.append(SeenRow(int(match.group(1)), Location(page=number), run.strip()))
    return seen


@dataclass
class TableBoxes:
    """A ruled table's first rows as cell boxes (``None`` where a merged cell covers), and
    its bounding box: where the header row is looked for."""

    rows: list[list[Box | None]]
    bbox: Box


@dataclass
class PageLayout:
    """One page as the reader needs it, whoever drew or read it: its characters (pdfplumber's
    char dicts: ``x0, x1, top, bottom, size, text``), its rules, and its ruled tables.

    The text layer gives these for a PDF page (``pdf_page_layout``); OCR gives them for a
    scanned page (``parsers.formats.ocr``: a "character" is then a piece of a text line, and carries
    its ``confidence``). ``left`` is the x of the table's left rule on a scan, which sits a
    few millimetres off from page to page: the page is moved to the header page's borders.
    """

    number: int
    chars: list[dict]
    rules: _Rules
    tables: Callable[[], list[TableBoxes]]
    left: float | None = None
    height: float | None = None  # of a text-layer page, in points

    def with_chars(self, chars: list[dict]) -> PageLayout:
        """The page with other characters (its rules and tables kept)."""
        return PageLayout(self.number, chars, self.rules, self.tables, self.left, self.height)

    def moved(self, dx: float) -> PageLayout:
        """The page moved right by ``dx`` points."""
        chars = [{**c, "x0": c["x0"] + dx, "x1": c["x1"] + dx} for c in self.chars]
        rules = _Rules(
            [(y, x0 + dx, x1 + dx) for y, x0, x1 in self.rules.horizontal],
            [(x + dx, top, bottom) for x, top, bottom in self.rules.vertical],
        )
        tables = self.tables()
        moved = [
            TableBoxes(
                [[(b[0] + dx, b[1], b[2] + dx, b[3]) if b else None for b in r] for r in t.rows],
                (t.bbox[0] + dx, t.bbox[1], t.bbox[2] + dx, t.bbox[3]),
            )
            for t in tables
        ]
        left = None if self.left is None else self.left + dx
        return PageLayout(self.number, chars, rules, lambda: moved, left)
