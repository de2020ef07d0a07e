"""Text reports: one table row a line, cells separated by ``|``.

A row with fewer cells than the header is a row whose trailing cells are merged from the
row above: with an item marker, 5 cells leave out the department and 4 cells the
department and the leader; without a marker, 5 cells are another row of the item above
(plan, actual, completion, department, leader).
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from parsers.errors import TableNotFound, UnreadableDocument
from parsers.grid import split_marker
from parsers.model import GridRow, Issue, Location, RejectedRow, SeenRow, TableRead
from parsers.period import choose_title
from parsers.table import HeaderInfo, match_header

_SECTION = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")


def decode_text(data: bytes, source_name: str) -> str:
    """Bytes → text: BOMs first, then UTF-8, then GB18030, then charset detection."""
    if not data.strip():
        raise UnreadableDocument(source_name, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableDocument(source_name, "this is a binary file, not a text report")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(
            source_name, "cannot tell the text encoding: save it as UTF-8 or GB18030"
        )
    return str(best)


def split_cells(line: str) -> list[str]:
    """``'a | b | c |'`` → ``['a', 'b', 'c']`` (a leading or trailing ``|`` is a border)."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip() for cell in text.split("|")]


def cells_to_grid(cells: list[str], location: Location, raw: str) -> GridRow | None:
    """Place a text row's cells in the six columns, ``None`` where a merge covers them."""
    item_no, _ = split_marker(cells[0])
    c = list(cells)
    if item_no is not None:
        if len(c) == 6:
            return GridRow(tuple(c), location, raw)
        if len(c) == 5:
            return GridRow((c[0], c[1], c[2], c[3], None, c[4]), location, raw)
        if len(c) == 4:
            return GridRow((c[0], c[1], c[2], c[3], None, None), location, raw)
        return None
    if len(c) == 5:
        return GridRow((None, *c), location, raw)
    if len(c) == 6:
        # A project cell without an item number: the grid step rejects it with that reason.
        return GridRow(tuple(c), location, raw)
    return None


def text_to_grid(
    text: str, source_name: str
) -> tuple[HeaderInfo, list[str], list[GridRow], list[RejectedRow], list[Issue]]:
    """Find the header line, then read every later line as a table row.

    Returns the header, the lines before it (for the title), the grid rows, the rows that
    cannot be placed in the grid, and warnings about lines that are not rows.
    """
    lines = text.splitlines()
    header: HeaderInfo | None = None
    preamble: list[str] = []
    grid: list[GridRow] = []
    rejected: list[RejectedRow] = []
    issues: list[Issue] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        location = Location(line=number)
        if "|" not in line:
            if header is None:
                preamble.append(line.strip())
            elif not _SECTION.match(line.strip()):
                issues.append(
                    Issue(
                        source_name,
                        "not_a_row",
                        "line has no cells ('|') and was not read",
                        severity="warning",
                        location=location,
                        value=line.strip()[:60],
                        action="line ignored",
                    )
                )
            continue
        cells = split_cells(line)
        found = match_header(cells)
        if found is not None:
            header = header or found
            continue
        if header is None:
            preamble.append(line.strip())
            continue
        if len(cells) == 1 and _SECTION.match(cells[0]):
            continue
        placed = cells_to_grid(cells, location, line.strip())
        if placed is None:
            item_no, _ = split_marker(cells[0])
            detail = (
                f"row has {len(cells)} cells; a row with an item number has 4 to 6"
                if item_no is not None
                else f"row has {len(cells)} cells and no item number; another row of an item has 5"
            )
            rejected.append(
                RejectedRow(
                    location,
                    line.strip(),
                    (
                        Issue(
                            source_name,
                            "cell_count",
                            detail,
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
    if header is None:
        raise TableNotFound(
            source_name,
            "no table header found (a line like '项目内容 | 8月计划进度 | 实际进度情况 | 完成率 "
            "| 责任单位 | 具体分管领导')",
        )
    return header, preamble, grid, rejected, issues


def lines_seen(text: str) -> list[SeenRow]:
    """Every line under the header that holds cells or starts with an item number.

    Counted apart from ``text_to_grid`` for ``parsers.reconcile``: each must come out as a
    row or a rejected row of the same line. Repeated headers and section titles are not rows.
    """
    seen: list[SeenRow] = []
    under_header = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        cells = split_cells(stripped) if "|" in stripped else [stripped]
        if match_header(cells) is not None:
            under_header = True
            continue
        if not under_header or (len(cells) == 1 and _SECTION.match(cells[0])):
            continue
        item_no, _ = split_marker(cells[0])
        if "|" in stripped or item_no is not None:
            seen.append(SeenRow(item_no, Location(line=number), stripped, by_place=True))
    return seen


def read_text(data: bytes, source_name: str) -> TableRead:
    """A text report's bytes → its table, as grid rows with their line numbers."""
    text = decode_text(data, source_name)
    header, preamble, grid, rejected, issues = text_to_grid(text, source_name)
    return TableRead(
        seen=lines_seen(text),
        header_month=header.month,
        title=choose_title(preamble),
        grid=grid,
        rejected=rejected,
        issues=issues,
    )
