"""A PDF page as a reader sees it: upright, its rules straight, seals and stamps apart.

- **A page turned in the file.** A viewer's "rotate and save" writes ``/Rotate 90`` and
  leaves the content as it was, so the text layer of the page as shown runs down the page:
  pdfplumber gives every character sideways (``upright`` false) and the table's rows as
  columns. Where most of a page's characters run one way other than left to right, the page
  is read turned so that they do (``page_turn``, ``upright_page``).
- **Rules with rounding noise.** A producer that draws a page through a rotation matrix
  writes horizontal rules whose ends differ by 1e-14 pt; pdfplumber calls a line horizontal
  only when its ends are exactly level, so the table loses its row rules. Coordinates that
  differ by less than ``_LEVEL`` are made equal.
- **Text laid over the text** in another font (a print header or footer drawn inside the
  table's frame, over a header cell): the characters in a font whose characters cover those
  of the page's own font are not read (``overlay_chars``).
- **Seals and stamps** (``乐清市人民政府办公室`` round a red circle, ``已审核``) are text drawn
  at an angle over the cells: read as they are, their characters join the cells' text
  (``核审市教育局``). Characters at an angle that is no multiple of 90°, and characters of
  their colour inside the area they cover (the seal's ``★``), are not read as the page's
  text; ``stamp_text`` says what was left out, for a warning.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from pdfplumber.page import DerivedPage, Page

# Coordinates nearer than this (pt) are equal: rounding noise, not a slope.
_LEVEL = 1e-3
# A page is turned when this share of its characters run one other way.
_TURNED_SHARE = 0.6
_MIN_CHARS = 20
# A character is at an angle when its baseline is this many degrees off a multiple of 90°.
_ANGLED_DEG = 1.0
# Characters whose boxes share this much of the smaller one are drawn over each other.
_OVER = 0.3
# Angled characters this many of their sizes apart belong to one seal or stamp.
_NEAR = 3.0


def _direction(char: dict) -> int:
    """The turn (0, 90, 180, 270 degrees clockwise) that makes a character run left to
    right, from its text matrix; -1 for a character at another angle."""
    a, b = char["matrix"][0], char["matrix"][1]
    angle = math.degrees(math.atan2(b, a)) % 360  # the baseline's angle, counter-clockwise
    nearest = round(angle / 90) * 90
    if abs(angle - nearest) > _ANGLED_DEG:
        return -1
    return {0: 0, 90: 270, 180: 180, 270: 90, 360: 0}[nearest]


def page_turn(page: Page) -> int:
    """How far (degrees clockwise) the page must be turned for its text to read upright."""
    chars = page.chars
    if len(chars) < _MIN_CHARS:
        return 0
    turns = Counter(_direction(c) for c in chars)
    turn, count = turns.most_common(1)[0]
    return turn if turn > 0 and count >= _TURNED_SHARE * len(chars) else 0


def _angled(chars: Iterable[dict]) -> list[dict]:
    return [c for c in chars if _direction(c) == -1]


def _clusters(chars: list[dict]) -> list[list[dict]]:
    """Characters of one colour grouped by nearness (within ``_NEAR`` of their size)."""
    clusters: list[list[dict]] = []
    for char in chars:
        size = max(char["x1"] - char["x0"], char["bottom"] - char["top"], 1.0)
        home = next(
            (
                group
                for group in clusters
                if _colour(group[0]) == _colour(char)
                and any(
                    abs(o["x0"] - char["x0"]) <= _NEAR * size
                    and abs(o["top"] - char["top"]) <= _NEAR * size
                    for o in group
                )
            ),
            None,
        )
        if home is None:
            clusters.append([char])
        else:
            home.append(char)
    return clusters


def stamp_chars(chars: list[dict]) -> list[dict]:
    """The characters of seals and stamps: those at an angle, and those of their colour in
    the area round each group of them (a seal's text runs round its top; its star is in the
    middle)."""
    angled = _angled(chars)
    if not angled:
        return []
    out = {id(c) for c in angled}
    for group in _clusters(angled):
        x0 = min(c["x0"] for c in group)
        x1 = max(c["x1"] for c in group)
        top = min(c["top"] for c in group)
        bottom = max(c["bottom"] for c in group)
        reach = max(x1 - x0, bottom - top) / 2
        colour = _colour(group[0])
        for char in chars:
            middle_x = (char["x0"] + char["x1"]) / 2
            middle_y = (char["top"] + char["bottom"]) / 2
            if (
                _colour(char) == colour
                and x0 - reach <= middle_x <= x1 + reach
                and top - reach <= middle_y <= bottom + reach
            ):
                out.add(id(char))
    return [c for c in chars if id(c) in out]


def _font(char: dict) -> tuple[str, float]:
    """A character's font and size; the subset tag (``AAAAAB+``) is no font of its own (a
    producer embeds one face as several subsets)."""
    return str(char.get("fontname", "")).split("+", 1)[-1], round(char.get("size", 0.0), 1)


def _overlap(a: dict, b: dict) -> float:
    """The share of the smaller character's box that the two boxes have in common."""
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min(
        (a["x1"] - a["x0"]) * (a["bottom"] - a["top"]),
        (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]),
    )
    return width * height / smaller if smaller > 0 else 0.0


def overlay_chars(chars: list[dict]) -> list[dict]:
    """Text laid over the page's own text in another font (a print header or footer, a
    stamp drawn upright): every character in a font whose characters are drawn over
    characters of the page's most used font. Nothing where the fonts are the same (a
    producer's fake bold draws a character twice in its font)."""
    if len(chars) < _MIN_CHARS:
        return []
    body = Counter(_font(c) for c in chars).most_common(1)[0][0]
    cells: dict[tuple[int, int], list[dict]] = {}
    for char in chars:
        if _font(char) == body:
            cells.setdefault((int(char["top"] // 10), int(char["x0"] // 10)), []).append(char)
    over: set[tuple[str, float]] = set()
    for char in chars:
        font = _font(char)
        if font == body or font in over:
            continue
        row, col = int(char["top"] // 10), int(char["x0"] // 10)
        near = (
            other
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for other in cells.get((row + dr, col + dc), ())
        )
        if any(_overlap(char, other) > _OVER for other in near):
            over.add(font)
    return [c for c in chars if _font(c) in over]


def _colour(char: dict) -> object:
    colour = char.get("non_stroking_color")
    return tuple(colour) if isinstance(colour, list | tuple) else colour


def overlay_text(chars: list[dict]) -> str:
    """The text laid over the page's text in another font, line by line, for a message."""
    stamps = {id(c) for c in stamp_chars(chars)}
    found = overlay_chars([c for c in chars if id(c) not in stamps])
    lines: dict[int, list[dict]] = {}
    for char in found:
        lines.setdefault(round(char["top"]), []).append(char)
    return " ".join(
        "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"]))
        for _top, line in sorted(lines.items())
    )


def stamp_text(chars: list[dict]) -> str:
    """The text of a page's seals and stamps in reading order, for a message."""
    groups = _clusters(stamp_chars(chars))
    return " ".join("".join(c["text"] for c in sorted(g, key=lambda c: c["x0"])) for g in groups)


class _UprightPage(DerivedPage):
    """``parent`` turned ``turn`` degrees clockwise, level rules level, stamps left out."""

    def __init__(self, parent: Page, turn: int) -> None:
        x0, top, x1, bottom = parent.bbox
        self._origin = (x0, top)
        self._size = (x1 - x0, bottom - top)
        self._turn = turn
        width, height = self._size
        self.bbox = (0, 0, height, width) if turn in (90, 270) else (0, 0, width, height)
        super().__init__(parent)

    def _point(self, x: float, top: float) -> tuple[float, float]:
        x, top = x - self._origin[0], top - self._origin[1]
        width, height = self._size
        if self._turn == 90:
            return top, width - x
        if self._turn == 270:
            return height - top, x
        if self._turn == 180:
            return width - x, height - top
        return x, top

    def _matrix(self, matrix: tuple) -> tuple:
        a, b, c, d, e, f = matrix
        for _ in range(self._turn // 90):  # each quarter turn: (x, y) → (-y, x)
            a, b, c, d = -b, a, -d, c
        return (a, b, c, d, e, f)

    def _moved(self, obj: dict) -> dict:
        out = dict(obj)
        corners = [self._point(obj[x], obj[y]) for x in ("x0", "x1") for y in ("top", "bottom")]
        out["x0"] = min(p[0] for p in corners)
        out["x1"] = max(p[0] for p in corners)
        out["top"] = min(p[1] for p in corners)
        out["bottom"] = max(p[1] for p in corners)
        height = self.bbox[3]
        out["y0"], out["y1"] = height - out["bottom"], height - out["top"]
        out["width"], out["height"] = out["x1"] - out["x0"], out["bottom"] - out["top"]
        out["doctop"] = self.initial_doctop + out["top"]
        if "pts" in obj:
            out["pts"] = [self._point(x, y) for x, y in obj["pts"]]
        if "matrix" in obj:
            # the glyph's origin (where it stands on its baseline) turns with the page too
            e, f = obj["matrix"][4:6]
            origin_x, origin_top = self._point(e, obj["bottom"] + obj["y0"] - f)
            a, b, c, d = self._matrix(obj["matrix"])[:4]
            out["matrix"] = (a, b, c, d, origin_x, height - origin_top)
            out["upright"] = bool(a * d > 0 and b * c <= 0 and abs(b) < abs(a))
        return out

    @property
    def objects(self) -> dict[str, list[dict]]:
        if hasattr(self, "_objects"):
            return self._objects
        objects: dict[str, list[dict]] = {}
        for kind, items in self.parent_page.objects.items():
            moved = [self._moved(o) if self._turn else dict(o) for o in items]
            if kind == "char":
                stamps = {id(c) for c in stamp_chars(moved)}
                moved = [c for c in moved if id(c) not in stamps]
                laid_over = {id(c) for c in overlay_chars(moved)}
                moved = [c for c in moved if id(c) not in laid_over]
            else:
                moved = [_level(o) for o in moved]
            objects[kind] = moved
        self._objects = objects
        return objects


def _level(obj: dict) -> dict:
    """A drawing object whose two ends differ by rounding noise made exactly level."""
    if 0 < abs(obj["bottom"] - obj["top"]) < _LEVEL:
        obj["bottom"] = obj["top"]
        obj["height"] = 0.0
        if "pts" in obj:
            obj["pts"] = [(x, obj["top"]) for x, _y in obj["pts"]]
    if 0 < abs(obj["x1"] - obj["x0"]) < _LEVEL:
        obj["x1"] = obj["x0"]
        obj["width"] = 0.0
        if "pts" in obj:
            obj["pts"] = [(obj["x0"], y) for _x, y in obj["pts"]]
    return obj


def needs_care(page: Page) -> bool:
    """Whether the page has anything ``upright_page`` changes (else it is used as it is)."""
    if page_turn(page):
        return True
    if _angled(page.chars) or overlay_chars(page.chars):
        return True
    for kind in ("line", "rect", "curve"):
        for obj in page.objects.get(kind, ()):
            if any(0 < abs(obj[b] - obj[a]) < _LEVEL for a, b in (("top", "bottom"), ("x0", "x1"))):
                return True
    return False


def upright_page(page: Page) -> Page:
    """The page as a reader sees it (see the module's docstring); the page itself when
    nothing needs changing."""
    if not needs_care(page):
        return page
    return _UprightPage(page, page_turn(page))
