"""Web pages: the progress table of an ``.html``/``.htm`` page, as published or saved.

The page is decoded as it says (a byte-order mark, ``<meta charset>``, ``<meta
http-equiv="Content-Type">`` or an XML declaration), with every GB2312/GBK label read as
GB18030 (old sites label GBK bytes as gb2312, and characters such as 垟 exist only in GBK);
without a usable label the text is detected. libxml2's HTML parser (through lxml) builds
the tree. The first ``<table>`` whose header row matches is the report; navigation and
layout tables are passed over, and a later table that repeats the header continues it;
where tables of several months show (last month's beside this month's), only the month the
title names is read (``_report_month``), the others named in a warning.
``rowspan`` and ``colspan`` become the same spanned cells as Word's merges (see
``parsers.spanned_table``). In a cell, ``<br>`` and block elements (``<p>``, ``<div>``)
start a new line, ``&nbsp;`` and other spaces become plain spaces, and empty lines are
dropped.

The title is the first ``<h1>``–``<h3>`` above the table, caption or row above the header
that names a period or region, else the page's ``<title>``: never the publication line
(``发布日期：…``). ``source_row`` is the row in the table (the header is row 1) and
``source_line`` the line of the file where the row's ``<tr>`` starts.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from i18n import _
from parsers.errors import TableNotFound, UnreadableDocument
from parsers.formats.html_unseen import HIDDEN, STRUCK, PageStyles
from parsers.formats.text.reader import decode_text
from parsers.layouts import Layouts
from parsers.limits import ParseLimits
from parsers.model import Issue, Location, TableRead
from parsers.period import hint_from_title
from parsers.spanned_table import (
    Cell,
    ReportTable,
    SpanRow,
    find_span_header,
    header_miss_in,
    table_not_found,
    title_from,
)

# How far into the file an encoding declaration is looked for (the HTML standard says 1024).
_PRESCAN_BYTES = 4096
_GBK_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "gb_2312-80", "csgb2312", "x-gbk", "chinese"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Elements whose boundaries are line breaks inside a cell.
_BLOCKS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 pre blockquote section article table tr".split()
)
_SKIPPED = frozenset(("script", "style", "template", "noscript"))
# Spaces a page uses besides the ordinary one (``&nbsp;``, ``&ensp;``, ``&emsp;``, …).
_SPACES: dict[int, str | None] = {
    ord(c): " " for c in "\xa0\u2002\u2003\u2009\u200a\u202f\u205f\u3000"
}
_SPACES[ord("\u200b")] = None  # a zero-width space is no space at all
_HTML_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_HTML_PARSER = etree.HTMLParser(no_network=True)
# Cells may claim any span; a table cannot be wider or longer than this without being junk.
_MAX_SPAN = 1000
# What a hidden ``<tr>`` is in ``Unseen.kind``: a whole row not read.
_HIDDEN_ROW = "hidden row"


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares, read with an HTML parser over its first bytes."""
    head = data[:_PRESCAN_BYTES]
    if head.startswith(b"<?xml"):
        declaration = head.split(b"?>", 1)[0].decode("latin-1")
        if "encoding=" in declaration:
            value = declaration.split("encoding=", 1)[1].strip()
            if value[:1] in ("'", '"'):
                return value[1:].split(value[0], 1)[0]
    # latin-1 maps each byte to one character, so ASCII markup reads the same in any
    # encoding a page may declare.
    root = _parse_tree(head.decode("latin-1"))
    if root is None:
        return None
    for meta in root.iter("meta"):
        if meta.get("charset"):
            return meta.get("charset", "").strip()
        if (meta.get("http-equiv") or "").strip().lower() == "content-type":
            content = (meta.get("content") or "").lower()
            if "charset=" in content:
                return content.split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return None


def _codec(label: str) -> str | None:
    """A Python codec for an encoding label; every GBK-family label is GB18030."""
    label = label.strip().lower()
    if label in _GBK_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _GBK_FAMILY:
        return "gb18030"
    # Browsers read latin-1 and ascii labels as windows-1252.
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def decode_html(data: bytes, source_name: str) -> str:
    """A page's bytes → text: BOM, then the declared encoding, then detection."""
    if not data.strip():
        raise UnreadableDocument(source_name, _("the file is empty"))
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data.decode(bom_codec)
    label = declared_encoding(data)
    codec = _codec(label) if label else None
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # a wrong label: detect instead, as browsers effectively make people do
    return decode_text(data, source_name)


def _squash(text: str) -> str:
    """Source whitespace as a browser shows it: any run of it is one space."""
    return _HTML_WHITESPACE_RUN.sub(" ", text)


@dataclass(frozen=True)
class Unseen:
    """Text of a table row that was hidden or struck through (``html_unseen``), not read:
    the line of its ``<tr>``, and the row's index among its table's rows (None for a row
    hidden whole, which is none of them)."""

    line: int | None
    kind: str
    text: str
    index: int | None = None


def _collect(element, out: list[str], styles: PageStyles | None, unseen: list[Unseen]) -> None:
    if element.text:
        out.append(_squash(element.text))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None  # comments have no str tag
        kind = styles.kind(child) if styles is not None and tag is not None else None
        if kind is not None:
            text = cell_text(child, styles)
            if text:
                unseen.append(Unseen(child.sourceline, kind, text))
        elif tag == "br":
            out.append("\n")
        elif tag in _BLOCKS:
            out.append("\n")
            _collect(child, out, styles, unseen)
            out.append("\n")
        elif tag is not None and tag not in _SKIPPED:
            _collect(child, out, styles, unseen)
        if child.tail:
            out.append(_squash(child.tail))


def cell_text(element, styles: PageStyles | None = None, unseen: list[Unseen] | None = None) -> str:
    """A cell's text as shown: lines from ``<br>`` and blocks, spaces plain, empty lines gone;
    with ``styles``, hidden and struck text left out (and added to ``unseen``)."""
    out: list[str] = []
    _collect(element, out, styles, [] if unseen is None else unseen)
    lines = ("".join(out).translate(_SPACES)).split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def _span(element, name: str) -> int:
    try:
        value = int((element.get(name) or "1").strip())
    except ValueError:
        return 1
    return min(value, _MAX_SPAN) if value >= 0 else 1


def _merges_from_above(
    covering: dict[int, tuple[int, int]], column: int, limit: int
) -> tuple[list[Cell], int]:
    """Cells for the merges from above that start in ``column``–``limit - 1``, and the column
    after them; positions skipped on the way are empty cells."""
    cells: list[Cell] = []
    for start in sorted(c for c in covering if column <= c < limit):
        if start > column:
            cells.append(Cell("", start - column))
        width = covering[start][1]
        cells.append(Cell("", width, continues=True))
        column = start + width
    return cells, column


def table_to_rows(
    table, styles: PageStyles | None = None, unseen: list[Unseen] | None = None
) -> list[SpanRow]:
    """The rows of one ``<table>`` (not of tables nested in it), spans resolved.

    A position under a ``rowspan`` cell becomes a cell that continues the merge; a row
    with fewer cells than a merge further right leaves the positions between empty. With
    ``styles``, hidden rows and cells are left out as a browser lays the table out without
    them, and hidden or struck text in a cell is not its text; what was left out goes to
    ``unseen``.
    """
    unseen = [] if unseen is None else unseen
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    if styles is not None:
        shown = []
        for tr in trs:
            if styles.kind(tr) == HIDDEN or styles.kind(tr.getparent()) == HIDDEN:
                text = " | ".join(cell_text(td) for td in tr if td.tag in ("td", "th"))
                unseen.append(Unseen(tr.sourceline, _HIDDEN_ROW, text))
            else:
                shown.append(tr)
        trs = shown
    # First column of each merge coming down from rows above → (rows it still covers, width).
    below: dict[int, tuple[int, int]] = {}
    rows: list[SpanRow] = []
    for tr in trs:
        covering, below = below, {}
        cells: list[Cell] = []
        column = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            if styles is not None and styles.kind(td) == HIDDEN:
                text = cell_text(td)
                if text:
                    unseen.append(Unseen(tr.sourceline, HIDDEN, text, len(rows)))
                continue
            while column in covering:
                merged, column = _merges_from_above(covering, column, column + 1)
                cells.extend(merged)
            colspan = max(_span(td, "colspan"), 1)
            rowspan = _span(td, "rowspan") or len(trs)  # rowspan="0": to the end of the table
            in_cell: list[Unseen] = []
            cells.append(Cell(cell_text(td, styles, in_cell), colspan))
            unseen += [Unseen(tr.sourceline, u.kind, u.text, len(rows)) for u in in_cell]
            if rowspan > 1:
                below[column] = (rowspan - 1, colspan)
            column += colspan
        merged, column = _merges_from_above(covering, column, 10 * _MAX_SPAN)
        cells.extend(merged)
        for start, (left, width) in covering.items():
            if left > 1:
                below.setdefault(start, (left - 1, width))
        rows.append(SpanRow(tuple(cells), line=tr.sourceline))
    return rows


def _parse_tree(text: str):  # -> lxml.etree._Element | None
    """libxml2's HTML parser (plain elements: lxml.html's element classes cost a third more)."""
    try:
        return etree.fromstring(text, _HTML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _parse(text: str, source_name: str):  # -> lxml.etree._Element
    root = _parse_tree(text)
    if root is None:
        raise UnreadableDocument(source_name, _("not a readable HTML page"))
    return root


def read_html_bounded(
    data: bytes, source_name: str, limits: ParseLimits, *, layouts: Layouts | None = None
) -> TableRead:
    """The reader as the format table calls it: a page's cost only its size bounds, and that
    is checked before any reader runs, so ``limits`` is not needed here."""
    return read_html(data, source_name, layouts=layouts)


def read_html(data: bytes, source_name: str, *, layouts: Layouts | None = None) -> TableRead:
    """A web page's bytes → its report table as grid rows, with the title above it.

    What the page hides is passed over: a table inside a hidden element (last month's kept
    in a ``<div style="display:none">``) is not the report while a shown table has its
    header, and is named in a warning; a page whose only report table is hidden has it read,
    with a warning that says so (as a hidden sheet is, ``parsers.formats.xlsx``).
    """
    root = _parse(decode_html(data, source_name), source_name)
    styles = PageStyles(root)
    try:
        return _read_page(root, styles, source_name, layouts, hidden_too=False)
    except TableNotFound:
        if not any(_hidden_in_page(t, styles) for t in root.iter("table")):
            raise
    table = _read_page(root, styles, source_name, layouts, hidden_too=True)
    table.issues.insert(
        0,
        Issue(
            source_name,
            "hidden_cells",
            _(
                "the progress table is hidden by the page (not shown or printed) and was read "
                "as no shown table has it: check that it is this month's report"
            ),
            severity="warning",
            action="document read",
        ),
    )
    return table


def _hidden_in_page(element, styles: PageStyles) -> bool:
    """Whether the page hides an element: it or one of its ancestors is hidden."""
    while element is not None:
        if styles.kind(element) == HIDDEN:
            return True
        element = element.getparent()
    return False


def _read_tables(root, styles: PageStyles, layouts: Layouts | None, hidden_too: bool) -> dict:
    """Each table the page shows (every table with ``hidden_too``), read once: its rows, the
    text left out of them (``table_to_rows``) and its header, if it has the report's."""
    read = {}
    for table in root.iter("table"):
        if not hidden_too and _hidden_in_page(table, styles):
            continue
        unseen: list[Unseen] = []
        rows = table_to_rows(table, styles, unseen)
        read[table] = (rows, unseen, find_span_header(rows, layouts=layouts) if rows else None)
    return read


def _report_month(root, tables: dict) -> int | None:
    """The month whose table is the report where the page shows tables of several months
    (last month's above or below this month's): the one its ``<title>`` or ``<h1>`` names,
    else the first table's; None where the tables name one month or none."""
    months = [
        found[1].month
        for _rows, _unseen, found in tables.values()
        if found is not None and found[1].month is not None
    ]
    if len(set(months)) < 2:
        return None
    named = title_from(cell_text(e) for e in root.iter("h1", "title"))
    month = hint_from_title(named).month if named else None
    return month if month in months else months[0]


def _read_page(
    root, styles: PageStyles, source_name: str, layouts: Layouts | None, *, hidden_too: bool
) -> TableRead:
    """The report table of a page; without ``hidden_too``, hidden tables and headings are
    passed over, and hidden ones with the report's header named in a warning."""
    unseen: list[tuple[Location, Unseen]] = []
    hidden_reports: list[int | None] = []
    headings: list[str] = []
    page_title = ""
    report: ReportTable | None = None
    title_rows: list[str] = []
    tables_seen = 0
    miss: str | None = None
    tables = _read_tables(root, styles, layouts, hidden_too)
    month = _report_month(root, tables)
    other_months: list[tuple[int | None, int]] = []
    for element in root.iter("title", "h1", "h2", "h3", "table"):
        if element.tag == "title":
            page_title = cell_text(element)
            continue
        if not hidden_too and _hidden_in_page(element, styles):
            if element.tag == "table" and find_span_header(table_to_rows(element), layouts=layouts):
                hidden_reports.append(element.sourceline)
            continue
        if element.tag != "table":
            if report is None:
                headings.append(cell_text(element))
            continue
        rows, table_unseen, found = tables[element]
        if not rows:
            continue
        tables_seen += 1
        if found is not None and month is not None and found[1].month not in (None, month):
            other_months.append((element.sourceline, found[1].month))
            continue
        if report is None:
            if found is None:
                miss = miss or header_miss_in(rows, layouts)
                continue  # navigation, layout, contacts: not the report
            index, header = found
            captions = element.xpath("./caption")
            title_rows = [cell_text(c) for c in captions]
            title_rows += [row.cells[0].text for row in rows[:index] if len(row.cells) == 1]
            report = ReportTable(source_name, header, rows[index : index + header.rows], layouts)
            width = max(row.width for row in rows)
            report.add_table(rows, width, index + header.rows, continues=False)
            unseen += _placed(table_unseen, 0)
        elif found is not None:
            before = report.rows_before
            width = max(row.width for row in rows)
            report.add_table(rows, width, found[0] + found[1].rows, continues=True)
            unseen += _placed(table_unseen, before)
    if report is None:
        raise table_not_found(source_name, tables_seen, _("in the page"), miss)
    report.notes_below()
    report.issues[:0] = unseen_issues(source_name, unseen)
    report.issues[:0] = [
        Issue(
            source_name,
            "hidden_cells",
            _(
                "a table with the progress table's header is hidden by the page (not shown or "
                "printed) and was not read: delete it if it is an old report"
            ),
            severity="warning",
            location=Location(line=line),
            action="table ignored",
        )
        for line in hidden_reports
    ]
    report.issues[:0] = [
        Issue(
            source_name,
            "other_month_table",
            _(
                "a table with the progress table's header for {other}月 is in the page beside "
                "this report's ({month}月) and was not read: delete it if it is not part of "
                "this report"
            ).format(other=other, month=month),
            severity="warning",
            location=Location(line=line),
            value=f"{other}月",
            action="table ignored",
        )
        for line, other in other_months
    ]
    return TableRead(
        header_month=report.header.month,
        title=title_from([*headings, *title_rows, page_title]),
        grid=report.grid,
        rejected=report.rejected,
        issues=report.issues,
        seen=report.seen,
        header=report.header,
        # An editor that cannot merge writes a merged cell as an empty one (``&nbsp;``);
        # the grid step reads them as merged only where most merged rows are written so.
        empty_cells_merge=True,
    )


def _placed(unseen: list[Unseen], rows_before: int) -> list[tuple[Location, Unseen]]:
    """Each text with the place of its row, counted as the report table counts its rows."""
    return [
        (
            Location(line=u.line)
            if u.index is None
            else Location(row=rows_before + u.index + 1, line=u.line),
            u,
        )
        for u in unseen
    ]


def unseen_issues(source_name: str, unseen: list[tuple[Location, Unseen]]) -> list[Issue]:
    """A warning per table row that had hidden or struck text, at the row's place."""
    by_place: dict[tuple[Location, str], list[str]] = {}
    for location, item in sorted(unseen, key=lambda placed: placed[0].sort_key()):
        by_place.setdefault((location, item.kind), []).append(item.text)
    issues = []
    for (location, kind), texts in by_place.items():
        text = " ".join(texts)[:40]
        if kind == _HIDDEN_ROW:
            message = _(
                "a table row hidden by the page (`{text}`) is not shown or printed and was not "
                "read: delete it, or show it if it belongs to the report"
            )
        elif kind == STRUCK:
            message = _(
                "text struck through in the page (`{text}`) is read as replaced and was not "
                "read: if it is the value, remove the strikethrough and publish the page again"
            )
        else:
            message = _(
                "text hidden by the page (`{text}`) is not shown or printed and was not read: "
                "delete it, or show it if it belongs to the report"
            )
        issues.append(
            Issue(
                source_name,
                "struck_text" if kind == STRUCK else "hidden_cells",
                message.format(text=text),
                severity="warning",
                location=location,
                value=text,
                action="text not read",
            )
        )
    return issues
