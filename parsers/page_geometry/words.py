"""Tables from text geometry: a page whose table has no rules, or only the three of a 三线表.

Read as a reader reads such a table, in small conversions:

1. ``chars_to_lines``: the page's characters as text lines (one baseline each).
2. ``find_header_in_lines``: the header is the run of one to three lines whose pieces (runs of
   text split at gaps wider than a character), grouped by the columns they overlap, name the
   table's columns. A header cell wrapped over two lines (``具体分管`` / ``领导``) is one group.
3. ``column_borders``: between two header cells, the border is where the body's lines leave a
   gap running down the table (the x that the fewest lines cover, in the middle of the widest
   such stretch): body text may be wider than the header text above it.
4. ``lines_to_fragment``: the body's lines cut at the borders into pieces, and into row bands.
   A band starts at a line whose project piece starts with ``(N)``, whose completion piece
   starts with a percentage (another row of the item above), or after a gap between lines
   wider than the table's line spacing plus half a line (the cell padding between rows). A
   three-line table's rules end the header and the table. In a band, an empty project cell
   under a row of an item is covered by a merge (the item's next row), and an empty
   department or leader cell is covered by the filled one above: a top-aligned cell's text
   stands in its first band, the empty bands under it are the rest of the merged cell.

camelot's "stream" flavour, the well-known reader of such tables, takes each text line as a
row and guesses the columns from the most common number of words in a line; here a cell
wraps over many lines and merges over rows, so the header gives the columns and the report's
own markers (``(N)``, a rate) and the padding between rows give the rows.

What the geometry cannot settle is not guessed: a character that straddles a border, or a
department or leader whose text does not start at its band's top line while another one of
the band does (the table's cells are not top-aligned, so an empty cell could belong to the
merge above or the one below), leave the row's cell unsettled, and the row is quarantined at
its page and row (``PdfRow.unsettled``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from parsers.cells import ITEM_NUMBER, parse_completion, split_marker
from parsers.layouts import Layouts
from parsers.page_geometry.layout import _Rules
from parsers.page_geometry.model import Fragment, PdfRow
from parsers.page_geometry.text import _cell_text, join_lines
from parsers.period import choose_title
from parsers.table import Header, match_header

# Characters on one line: tops within this share of a font size.
_SAME_LINE = 0.4
# A gap wider than this many font sizes between two characters of a line splits it into pieces
# (a space inside ``项 目 内 容`` is narrower; the padding between two cells is wider).
_PIECE_GAP = 0.9
# Lines of one header cell follow each other at about one line's spacing.
_HEADER_LINE_GAP = 1.0
# A gap between lines wider than the spacing of a cell's lines by this many font sizes is the
# padding between two rows.
_ROW_GAP = 0.45
# A department whose text starts more than this many font sizes under its band's top line is
# not top-aligned.
_TOP_ALIGNED = 0.5
# A character straddles a border when at least this share of its width is on each side.
_STRADDLE = 0.3
# A block of lines this many line spacings away from the rows, where no row starts, stands
# apart from the table (a page header or footer).
_APART = 2.5
# Two cells' texts on one line are apart by at least this many font sizes (their padding).
_CELL_GAP = 0.4
# The header is among the first lines of a page that repeats it.
_REPEATED_HEADER_LINES = 6
_BLANK = re.compile(r"\s")
_STARTS_ITEM = re.compile(rf"^\s*{ITEM_NUMBER}")
# A page number: ``— 3 —``, ``- 3 -``, ``第3页``, ``第3页 共6页``, ``3/6``.
_PAGE_NUMBER = re.compile(r"[\s\-—–―·/第页共]*\d+[\s\-—–―·/第页共\d]*")


@dataclass
class Line:
    """One text line of a page: its characters left to right, its top and bottom."""

    chars: list[dict]
    top: float
    bottom: float
    size: float
    _pieces: list[Piece] | None = field(default=None, repr=False, compare=False)

    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    def pieces(self) -> list[Piece]:
        """The line cut at its wide gaps (``line_pieces``), worked out once."""
        if self._pieces is None:
            self._pieces = line_pieces(self)
        return self._pieces


@dataclass
class Piece:
    """A run of a line's text between two wide gaps."""

    chars: list[dict]
    x0: float
    x1: float


@dataclass
class WordsHeader:
    """A header read from text geometry: the header, its cells' extents, its lines."""

    header: Header
    extents: list[tuple[float, float]]
    first: int  # index of its first and after its last line in the page's lines
    end: int


@dataclass
class _Band:
    lines: list[Line] = field(default_factory=list)
    starts: str = ""  # why the band starts: "item", "rate", "gap", "page"


def _ink(chars: list[dict]) -> list[dict]:
    return [c for c in chars if not _BLANK.fullmatch(c["text"] or " ")]


def chars_to_lines(chars: list[dict]) -> list[Line]:
    """A page's characters as text lines, top to bottom (blanks left out)."""
    lines: list[Line] = []
    for char in sorted(_ink(chars), key=lambda c: (round(c["top"], 1), c["x0"])):
        size = char["size"] or (char["bottom"] - char["top"]) or 1.0
        for line in reversed(lines[-3:]):
            if abs(char["top"] - line.top) <= _SAME_LINE * max(size, line.size):
                line.chars.append(char)
                line.bottom = max(line.bottom, char["bottom"])
                break
        else:
            lines.append(Line([char], char["top"], char["bottom"], size))
    for line in lines:
        line.chars.sort(key=lambda c: c["x0"])
    return lines


def line_pieces(line: Line) -> list[Piece]:
    """A line cut at the gaps wider than a character: the texts of different cells."""
    pieces: list[Piece] = []
    for char in line.chars:
        if pieces and char["x0"] - pieces[-1].x1 <= _PIECE_GAP * line.size:
            pieces[-1].chars.append(char)
            pieces[-1].x1 = max(pieces[-1].x1, char["x1"])
        else:
            pieces.append(Piece([char], char["x0"], char["x1"]))
    return pieces


def _group_columns(lines: list[Line]) -> list[tuple[float, float, str]]:
    """The pieces of a few lines grouped by the x they overlap: (x0, x1, text) left to right."""
    groups: list[tuple[float, float, list[str]]] = []
    for line in lines:
        for piece in line.pieces():
            text = "".join(c["text"] for c in piece.chars)
            overlapping = [g for g in groups if piece.x0 < g[1] and piece.x1 > g[0]]
            if not overlapping:
                groups.append((piece.x0, piece.x1, [text]))
                continue
            x0 = min([piece.x0] + [g[0] for g in overlapping])
            x1 = max([piece.x1] + [g[1] for g in overlapping])
            texts = [t for g in overlapping for t in g[2]] + [text]
            groups = [g for g in groups if g not in overlapping] + [(x0, x1, texts)]
    joined = []
    for x0, x1, texts in sorted(groups, key=lambda g: g[0]):
        text = ""
        for part in texts:
            text = join_lines(text, part)
        joined.append((x0, x1, text))
    return joined


def find_header_in_lines(
    lines: list[Line],
    layouts: Layouts | None = None,
    start: int = 0,
    stop: int | None = None,
    rules: _Rules | None = None,
) -> WordsHeader | None:
    """The first run of one to three lines (from ``lines[start:stop]``) that reads as the
    header; of the runs starting at one line, the longest that still reads as it."""
    stop = len(lines) if stop is None else min(stop, len(lines))
    ruled = sorted(y for y, _x0, _x1 in rules.horizontal) if rules else []
    for first in range(start, stop):
        best: WordsHeader | None = None
        for end in range(first + 1, min(first + 4, len(lines) + 1)):
            if end - first > 1:
                above, below = lines[end - 2], lines[end - 1]
                if below.top - above.bottom > _HEADER_LINE_GAP * below.size:
                    break
                if any(above.bottom <= y <= below.top for y in ruled):
                    break  # a rule under the header (三线表)
            groups = _group_columns(lines[first:end])
            header = match_header([text for _x0, _x1, text in groups], layouts)
            if header is None or header.width != len(groups):
                continue
            best = WordsHeader(header, [(x0, x1) for x0, x1, _t in groups], first, end)
        if best is not None:
            return best
    return None


def _spans(line: Line) -> list[tuple[float, float]]:
    """The stretches of x a line's characters cover, touching characters joined."""
    spans: list[tuple[float, float]] = []
    for char in line.chars:
        if spans and char["x0"] <= spans[-1][1] + 0.5:
            spans[-1] = (spans[-1][0], max(spans[-1][1], char["x1"]))
        else:
            spans.append((char["x0"], char["x1"]))
    return spans


def column_borders(extents: list[tuple[float, float]], body: list[Line]) -> tuple[float, ...]:
    """Column borders from the header cells' extents and the gaps running down the body."""
    spans = [_spans(line) for line in body]
    inner = []
    for (_a0, a1), (b0, _b1) in zip(extents, extents[1:], strict=False):
        best: tuple[int, float, float] | None = None  # (covering lines, -width, middle)
        steps = max(1, int((b0 - a1) / 0.5))
        run_start, run_count = None, None
        xs = [a1 + (b0 - a1) * i / steps for i in range(steps + 1)]
        # only the lines with text between the two header cells matter here
        local = [[s for s in line if s[0] < b0 and s[1] > a1] for line in spans]
        local = [line for line in local if line]
        counts = [sum(any(x0 < x < x1 for x0, x1 in line) for line in local) for x in xs]
        for i, (x, count) in enumerate(zip(xs, counts, strict=True)):
            if run_count != count:
                run_start, run_count = x, count
            end_here = i + 1 == len(xs) or counts[i + 1] != count
            if end_here and run_start is not None:
                candidate = (count, -(x - run_start), (run_start + x) / 2)
                if best is None or candidate < best:
                    best = candidate
        inner.append(best[2] if best else (a1 + b0) / 2)
    left = min([extents[0][0]] + [c["x0"] for line in body for c in line.chars]) - 1
    right = max([extents[-1][1]] + [c["x1"] for line in body for c in line.chars]) + 1
    return (left, *inner, right)


def header_on_page(
    number: int,
    chars: list[dict],
    rules: _Rules,
    layouts: Layouts | None = None,
) -> tuple[WordsHeader, tuple[float, ...], str | None, list[Line]] | None:
    """The header read from the page's text lines, its column borders, the title above it,
    and the page's lines; None where no run of lines reads as the header."""
    lines = chars_to_lines(chars)
    found = find_header_in_lines(lines, layouts, rules=rules)
    if found is None:
        return None
    body = lines[found.end : _table_end(lines, found.end, rules)]
    borders = column_borders(found.extents, body)
    title = choose_title([line.text() for line in lines[: found.first]])
    return found, borders, title, lines


def _table_end(lines: list[Line], start: int, rules: _Rules) -> int:
    """Index after the table's last line: above the lowest rule under its lines (the bottom
    rule of a 三线表) when no item starts under that rule, else the page's last line."""
    if start >= len(lines):
        return start
    below = [y for y, _x0, _x1 in rules.horizontal if y > lines[start].top]
    if not below:
        return len(lines)
    end = bisect.bisect_left([line.top for line in lines], max(below))
    if any(_STARTS_ITEM.match(line.text()) for line in lines[end:]):
        return len(lines)  # a rule inside the table, not under it
    return end


def _piece_of(line: Line, borders: tuple[float, ...]) -> tuple[list[list[dict]], set[int]]:
    """A line's characters per column, and the columns whose text the line does not settle:
    a character straddling a border, text running on over a border without the gap that
    separates two cells, or characters drawn over each other (text run on over the next
    cell's)."""
    ncols = len(borders) - 1
    cells: list[list[dict]] = [[] for _ in range(ncols)]
    straddled: set[int] = set()
    previous: tuple[dict, int] | None = None
    for char in line.chars:  # left to right
        middle = (char["x0"] + char["x1"]) / 2
        column = bisect.bisect_right(borders, middle) - 1
        if not 0 <= column < ncols:
            continue
        width = (char["x1"] - char["x0"]) or 1.0
        for border in borders[1:-1]:
            left, right = border - char["x0"], char["x1"] - border
            if min(left, right) >= _STRADDLE * width:
                straddled.add(column)
        if previous is not None:
            before, before_column = previous
            gap = char["x0"] - before["x1"]
            if before_column != column and gap < _CELL_GAP * line.size:
                straddled |= {before_column, column}
            elif gap < -_STRADDLE * width:
                straddled.add(column)  # drawn over the character before it
        previous = (char, column)
        cells[column].append(char)
    return cells, straddled


def lines_to_fragment(
    number: int,
    lines: list[Line],
    borders: tuple[float, ...],
    header: Header,
    *,
    header_row: bool,
) -> Fragment:
    """The body lines of one page → a fragment of rows cut at the borders and into bands."""
    content, completion = header.index("content"), header.index("completion")
    mergeable = [i for i in (header.index("department"), header.index("leader")) if i is not None]
    ncols = len(borders) - 1
    pieces = [_piece_of(line, borders) for line in lines]
    steps = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False)]
    pitch = sorted(steps)[len(steps) // 2] if steps else 0.0
    bands: list[_Band] = []
    for index, line in enumerate(lines):
        cells = pieces[index][0]
        text = {j: "".join(c["text"] for c in cells[j]) for j in range(ncols)}
        why = ""
        if content is not None and split_marker(text[content])[0] is not None:
            why = "item"
        elif completion is not None and parse_completion(text[completion]) is not None:
            why = "rate"
        elif index > 0 and steps and steps[index - 1] > pitch + _ROW_GAP * line.size:
            why = "gap"
        elif not bands:
            why = "page"
        if why:
            bands.append(_Band(starts=why))
        bands[-1].lines.append(line)
    fragment = Fragment(page=number)
    first_row = 2 if header_row else 1
    position = 0
    misaligned = False
    for band_index, band in enumerate(bands):
        gathered: list[list[dict]] = [[] for _ in range(ncols)]
        straddled: set[int] = set()
        first_line: dict[int, int] = {}
        for offset, _line in enumerate(band.lines):
            cells, crossing = pieces[position + offset]
            straddled |= crossing
            for j in range(ncols):
                if cells[j] and j not in first_line:
                    first_line[j] = offset
                gathered[j] += cells[j]
        position += len(band.lines)
        row_cells: list[str | None] = [_cell_text(chars) for chars in gathered]
        if band.starts == "rate" and content is not None:
            # Another row of the item above: its project cell is merged over this row, and
            # text in it is the end of that merged cell.
            if row_cells[content]:
                _append_to_owner(fragment.rows, content, row_cells[content] or "")
            row_cells[content] = None
        for j in mergeable:
            if not row_cells[j] and band.starts in ("item", "rate"):
                row_cells[j] = None  # the rest of a top-aligned merged cell above
        row = PdfRow(row_cells, number, first_row + band_index)
        for j in straddled:
            row.unsettled[j] = "straddles"
        if band.starts in ("item", "rate") and any(
            band.lines[first_line[j]].top - band.lines[0].top > _TOP_ALIGNED * band.lines[0].size
            for j in first_line
        ):
            misaligned = True
        for j in range(ncols):
            fragment.cell_chars[(row.row - 1, j)] = gathered[j]  # by band, as a ruled page
        fragment.rows.append(row)
    fragment.full_width = [False] * len(fragment.rows)
    if misaligned:
        # A row whose cell starts under its first line: the cells are not top-aligned, and
        # which lines make a row (and which row an empty cell's merge belongs to) is unsure.
        for row in fragment.rows:
            row.unsettled.setdefault(content if content is not None else 0, "not_top")
    return fragment


def _append_to_owner(rows: list[PdfRow], column: int, text: str) -> None:
    for row in reversed(rows):
        if row.cells[column] is not None:
            row.cells[column] = join_lines(row.cells[column] or "", text)
            return


def page_to_fragment(
    number: int,
    chars: list[dict],
    rules: _Rules,
    borders: tuple[float, ...],
    header: Header,
    *,
    header_at: WordsHeader | None = None,
    lines: list[Line] | None = None,
    layouts: Layouts | None = None,
) -> Fragment | None:
    """The report table's rows on a page read by text geometry; the header (``header_at`` on
    the header's page, a repeated one among the first lines of a later page) left out."""
    lines = chars_to_lines(chars) if lines is None else lines
    start = 0
    if header_at is not None:
        start = header_at.end
    else:
        repeated = find_header_in_lines(lines, layouts, stop=_REPEATED_HEADER_LINES, rules=rules)
        if repeated is not None:
            start = repeated.end
    inside = [
        line
        for line in lines[start : _table_end(lines, start, rules)]
        if any(borders[0] <= (c["x0"] + c["x1"]) / 2 < borders[-1] for c in line.chars)
    ]
    inside = _without_headers(inside, layouts, rules)
    across = [line for line in inside if _across(line, borders)]
    inside, outside = _apart(
        [line for line in inside if not _across(line, borders)], header, borders
    )
    if not inside:
        return None
    fragment = lines_to_fragment(number, inside, borders, header, header_row=start > 0)
    fragment.notes = [
        (len(fragment.rows) + 1, line.text())
        for line in sorted(across + outside, key=lambda line: line.top)
        if not _PAGE_NUMBER.fullmatch(line.text())  # as the margins of a ruled page: not read
    ]
    return fragment


def _anchored(line: Line, header: Header, borders: tuple[float, ...]) -> bool:
    """Whether a line starts a row: an item number in its project piece or a rate in its
    completion piece."""
    cells, _crossing = _piece_of(line, borders)
    content, completion = header.index("content"), header.index("completion")
    texts = ["".join(c["text"] for c in cell) for cell in cells]
    return (content is not None and split_marker(texts[content])[0] is not None) or (
        completion is not None and parse_completion(texts[completion]) is not None
    )


def _apart(
    lines: list[Line], header: Header, borders: tuple[float, ...]
) -> tuple[list[Line], list[Line]]:
    """The table's lines, and the lines standing apart from it above or under it (a page
    header or footer, a page number): blocks of lines that a gap of several lines parts from
    the rows and in which no row starts."""
    if not lines:
        return [], []
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:], strict=False))
    pitch = steps[len(steps) // 2] if steps else 0.0
    blocks: list[list[Line]] = [[lines[0]]]
    for above, line in zip(lines, lines[1:], strict=False):
        if line.top - above.bottom > max(_APART * pitch, 2 * line.size):
            blocks.append([])
        blocks[-1].append(line)
    rows = [
        i for i, block in enumerate(blocks) if any(_anchored(one, header, borders) for one in block)
    ]
    if not rows:
        return lines, []
    kept = [line for block in blocks[rows[0] : rows[-1] + 1] for line in block]
    apart = [line for block in blocks[: rows[0]] + blocks[rows[-1] + 1 :] for line in block]
    return kept, apart


def _across(line: Line, borders: tuple[float, ...]) -> bool:
    """A line of one run of text over a column border, not starting an item: a note or a
    section title across the table, not a row (a row's cells have gaps between them, and
    a cell's text wraps inside its column)."""
    pieces = line.pieces()
    if len(pieces) != 1 or _STARTS_ITEM.match(line.text()):
        return False
    # a character's width of it on each side: hanging punctuation (``、``) is not across
    crossed = [b for b in borders[1:-1] if pieces[0].x0 + line.size < b < pieces[0].x1 - line.size]
    return len(crossed) >= 1


def _without_headers(lines: list[Line], layouts: Layouts | None, rules: _Rules) -> list[Line]:
    """The lines with any header repeated inside the table left out (a producer that splits
    a table may draw its header again in the middle of a page)."""
    out: list[Line] = []
    start = 0
    while True:
        found = find_header_in_lines(lines, layouts, start=start, rules=rules)
        if found is None:
            return out + lines[start:]
        out += lines[start : found.first]
        start = found.end
