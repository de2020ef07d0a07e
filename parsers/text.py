"""Text reports: one table row a line, cells separated by ``|``.

The header is one line, or two when a group cell sits over some columns (``parsers.table``
joins them). A row with fewer cells than the header leaves out cells merged from the row
above: a row that starts an item (``(N)`` in the project text, or a 序号) leaves out its
department, then also its leader; another row of the item above leaves out its 序号 and
project cell (in the August layout: 5 cells, plan to leader). An empty cell is written
``| |``; under a filled department or leader it is read as merged, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from charset_normalizer import from_bytes

from i18n import _
from parsers.errors import LimitExceeded, TableNotFound, UnreadableDocument
from parsers.grid import parse_serial, split_marker
from parsers.layouts import Layouts, normalize_name
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow, TableRead
from parsers.period import choose_title
from parsers.table import Header, find_header, header_miss, match_header

_SECTION = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")


def decode_text(data: bytes, source_name: str) -> str:
    """Bytes → text: BOMs first, then UTF-8, then GB18030, then charset detection."""
    if not data.strip():
        raise UnreadableDocument(source_name, _("the file is empty"))
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableDocument(source_name, _("this is a binary file, not a text report"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(
            source_name, _("cannot tell the text encoding: save it as UTF-8 or GB18030")
        )
    return str(best)


def split_cells(line: str) -> list[str]:
    """``'a | b | c |'`` → ``['a', 'b', 'c']`` (a leading or trailing ``|`` is a border).

    A row whose every filled cell is in double quotes (``"序号"|"项目内容"|…``, as Excel
    and Calc save a sheet as text) is unquoted, ``""`` inside a cell being one ``"``.
    """
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    cells = [cell.strip() for cell in text.split("|")]
    filled = [cell for cell in cells if cell]
    if filled and all(len(c) >= 2 and c[0] == c[-1] == '"' for c in filled):
        cells = [cell[1:-1].replace('""', '"') if cell else cell for cell in cells]
    return cells


# A vertical bar typed with a Chinese input method: the cell separator of a table typed so.
_WIDE_BAR = "\uff5c"


def with_bars(text: str) -> str:
    """A table typed with full-width bars (``｜``) and no ``|`` reads like one typed with ``|``."""
    return text.replace(_WIDE_BAR, "|") if "|" not in text and _WIDE_BAR in text else text


@dataclass(frozen=True)
class Borders:
    """Whether a ``|`` at the start or end of a row is the table's border or the edge of an
    empty first or last cell.

    Writers differ: ``| a | b |`` draws borders, ``a|b|`` ends with an empty cell. The
    header line says which the table uses, or else most of its rows do; a ``|`` that is not
    a border is read as an empty cell when that gives the row the header's width.
    """

    lead: bool
    trail: bool

    @classmethod
    def of(cls, header_line: str, row_lines: list[str] | None = None) -> Borders:
        head = header_line.strip()
        rows = [line.strip() for line in row_lines or [] if "|" in line]

        def most(test: Callable[[str], bool]) -> bool:
            return 2 * sum(1 for row in rows if test(row)) > len(rows) > 0

        return cls(
            head.startswith("|") or most(lambda row: row.startswith("|")),
            head.endswith("|") or most(lambda row: row.endswith("|")),
        )

    def cells(self, line: str, width: int) -> list[str]:
        """A row's cells, with the empty first or last cell a non-border ``|`` stands for."""
        cells = split_cells(line)
        text = line.strip()
        lead = text.startswith("|") and not self.lead
        trail = len(text) > 1 and text.endswith("|") and not self.trail
        options = []
        if lead and trail:
            options.append(["", *cells, ""])
        if lead:
            options.append(["", *cells])
        if trail:
            options.append([*cells, ""])
        for option in options:
            if len(option) == width:
                return option
        if lead and len(cells) + 1 > width and not cells[-1]:
            return ["", *cells]  # the empty first cell, and a trailing border too many
        return cells


def _omissions(header: Header) -> list[tuple[bool, frozenset[int]]]:
    """Which header positions a shorter row may leave out, most likely first.

    ``(True, …)`` places a row that starts an item (its department, then also its leader,
    merged from above); ``(False, …)`` another row of the item above (序号 and project cell
    merged, then also department and leader).
    """
    present = {
        c: i
        for c in ("item_no", "content", "department", "leader")
        if (i := header.index(c)) is not None
    }
    starts = [("department",), ("department", "leader")]
    continues = [
        ("item_no", "content"),
        ("item_no", "content", "department"),
        ("item_no", "content", "department", "leader"),
    ]
    out: list[tuple[bool, frozenset[int]]] = []
    for new_item, options in ((True, starts), (False, continues)):
        for names in options:
            left_out = frozenset(present[c] for c in names if c in present)
            if left_out and (new_item, left_out) not in out:
                out.append((new_item, left_out))
    return out


def _placements(header: Header, count: int) -> list[tuple[bool, frozenset[int]]]:
    """The omissions that leave a row of ``count`` cells."""
    return [(new, out) for new, out in _omissions(header) if len(out) == header.width - count]


def _starts_item(header: Header, cells: dict[str, str | None]) -> bool:
    if split_marker(cells.get("content") or "")[0] is not None:
        return True
    return parse_serial(cells.get("item_no")) is not None


def cells_to_grid(cells: list[str], header: Header, location: Location, raw: str) -> GridRow | None:
    """Place a text row's cells in the header's columns, ``None`` where a merge covers them.

    A row with every cell is placed as it is; a shorter row leaves out merged cells (see
    ``_placements``): a row that starts an item (``(N)`` or a 序号) its department and
    leader, another row of an item its 序号 and project cell first. Empty cells past the
    header's width (a trailing ``|``) are dropped. None: the cells fit no placement.
    """
    while len(cells) > header.width and not cells[-1]:
        cells = cells[:-1]
    if len(cells) == header.width:
        return header.grid_row(cells, location, raw)
    for new_item, left_out in _placements(header, len(cells)):
        values = iter(cells)
        placed: list[str | None] = [
            None if j in left_out else next(values) for j in range(header.width)
        ]
        row = header.grid_row(placed, location, raw)
        if _starts_item(header, row.cells) == new_item:
            return row
    return None


_HEADER_EXAMPLE = "项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导"


@dataclass(frozen=True)
class _TableLines:
    """Where a text table starts: its header's first line index, the header, how rows mark
    their borders, and the header's own lines as normalized cells (to pass over the header
    where it is repeated)."""

    start: int
    header: Header
    borders: Borders
    header_keys: frozenset[str]


def _header_lines(lines: list[str], layouts: Layouts | None, source_name: str) -> _TableLines:
    """The table's header; TableNotFound saying why when there is none, naming the first
    line that looks like a header but is not one."""
    rows = [(i, split_cells(line)) for i, line in enumerate(lines) if "|" in line]
    miss: str | None = None
    for position, (i, cells) in enumerate(rows):
        window = [cells]
        if position + 1 < len(rows):
            below = Borders.of(lines[i]).cells(lines[rows[position + 1][0]], len(cells))
            window.append(below)
        found = find_header(window, layouts, search=1)
        if found is not None:
            header = found[1]
            own = [i] + [index for index, _ in rows[position + 1 : position + header.rows]]
            borders = Borders.of(lines[i], lines[own[-1] + 1 :])
            keys = frozenset(
                "|".join(normalize_name(c) for c in borders.cells(lines[j], header.width))
                for j in own
            )
            return _TableLines(i, header, borders, keys)
        if miss is None:
            why = header_miss(cells, layouts)
            if why is not None:
                miss = _("line {line} looks like a header, but {why}").format(line=i + 1, why=why)
    raise TableNotFound(
        source_name,
        _("no table header found ({miss}; a header line is like '{example}')").format(
            miss=miss, example=_HEADER_EXAMPLE
        )
        if miss
        else _("no table header found (a line like '{example}')").format(example=_HEADER_EXAMPLE),
    )


def text_to_grid(
    text: str, source_name: str, layouts: Layouts | None = None
) -> tuple[Header, list[str], list[GridRow], list[RejectedRow], list[Issue]]:
    """Find the header line(s), then read every later line as a table row.

    Returns the header, the lines before it (for the title), the grid rows, the rows that
    cannot be placed in the grid, and warnings about lines that are not rows.
    """
    lines = text.splitlines()
    table = _header_lines(lines, layouts, source_name)
    start, header = table.start, table.header
    # A title above the table may be a row of its own (a sheet saved as text: ``title||||``).
    preamble = [" ".join(c for c in split_cells(line) if c) for line in lines[:start]]
    preamble = [line for line in preamble if line]
    grid: list[GridRow] = []
    rejected: list[RejectedRow] = []
    issues: list[Issue] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        location = Location(line=number)
        if "|" not in line:
            if not _SECTION.match(line.strip()):
                issues.append(
                    Issue(
                        source_name,
                        "not_a_row",
                        _("line has no cells ('|') and was not read"),
                        severity="warning",
                        location=location,
                        value=line.strip()[:60],
                        action="line ignored",
                    )
                )
            continue
        cells = table.borders.cells(line, header.width)
        if "|".join(normalize_name(c) for c in cells) in table.header_keys:
            continue  # the header, or a header repeated further down
        if match_header(cells, layouts) is not None:
            continue
        if len(cells) == 1 and _SECTION.match(cells[0]):
            continue
        placed = cells_to_grid(cells, header, location, line.strip())
        if placed is None:
            item_no, _text = split_marker(cells[0])
            fits = sorted({header.width - len(left) for _, left in _omissions(header)})
            counts = _(", ").join(str(n) for n in [*fits, header.width] if n > 0)
            rejected.append(
                RejectedRow(
                    location,
                    line.strip(),
                    (
                        Issue(
                            source_name,
                            "cell_count",
                            _(
                                "row has {cells} cells; the header has {columns} columns and a "
                                "row may have {counts}"
                            ).format(cells=len(cells), columns=header.width, counts=counts),
                            location=location,
                            column="row",
                            value=str(len(cells)),
                        ),
                    ),
                    item_no=item_no,
                )
            )
            continue
        grid.append(placed)
    return header, preamble, grid, rejected, issues


def lines_seen(text: str, source_name: str, layouts: Layouts | None = None) -> list[SeenRow]:
    """Every line under the header that holds cells or starts with an item number.

    Counted apart from ``text_to_grid`` for ``parsers.reconcile``: each must come out as a
    row or a rejected row of the same line. The header's own lines, repeated headers and
    section titles are not rows.
    """
    lines = text.splitlines()
    table = _header_lines(lines, layouts, source_name)
    seen: list[SeenRow] = []
    for number, line in enumerate(lines[table.start :], start=table.start + 1):
        stripped = line.strip()
        if not stripped:
            continue
        cells = table.borders.cells(stripped, table.header.width) if "|" in stripped else [stripped]
        if "|".join(normalize_name(c) for c in cells) in table.header_keys:
            continue
        if match_header(cells, layouts) is not None:
            continue
        if len(cells) == 1 and _SECTION.match(cells[0]):
            continue
        item_no, _text = split_marker(cells[0])
        if "|" in stripped or item_no is not None:
            seen.append(SeenRow(item_no, Location(line=number), stripped, by_place=True))
    return seen


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def check_line_length(text: str, source_name: str, limits: ParseLimits) -> None:
    """A line longer than ``limits.max_line_chars`` rejects the document before it is split
    into cells (one 95 MB line of ``|`` would make tens of millions of them)."""
    longest = limits.max_line_chars
    if len(text) <= longest:
        return
    start, line = 0, 1
    for line_break in _LINE_BREAK.finditer(text):  # linear, whatever the lines
        if line_break.start() - start > longest:
            break
        start, line = line_break.end(), line + 1
    else:
        if len(text) - start <= longest:  # the last line, without a break after it
            return
    raise LimitExceeded(
        source_name,
        _(
            "line {line} is longer than {limit:,} characters (the limit on a line of a text "
            "report, ParseLimits.max_line_chars): not a report's table; check the file"
        ).format(line=line, limit=longest),
    )


def read_text(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A text report's bytes → its table, as grid rows with their line numbers.

    A text table writes a merged cell as an empty cell or leaves it out, so empty
    department and leader cells under filled ones are read as merged (with a warning).
    """
    decoded = decode_text(data, source_name)
    check_line_length(decoded, source_name, limits)
    text = with_bars(decoded)
    header, preamble, grid, rejected, issues = text_to_grid(text, source_name, layouts)
    return TableRead(
        seen=lines_seen(text, source_name, layouts),
        header_month=header.month,
        title=choose_title(preamble),
        grid=grid,
        rejected=rejected,
        issues=issues,
        header=header,
        empty_cells_merge=True,
    )
