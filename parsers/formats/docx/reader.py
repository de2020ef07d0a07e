"""Word reports: the progress table of a .docx, with its real merged cells.

Only ``word/document.xml`` is parsed (with lxml, as the zip check inflates it), then each
table's XML is walked once, visiting only rows, cells, spans, merges, paragraphs and text:
python-docx would parse every part of the package first (styles alone are most of a
document's XML), ``row.cells`` builds a proxy per grid position and ``table.cell(i, j)`` is
quadratic. What the XML says becomes a
``GridRow`` with its cells by column name (``parsers.spanned_table``, ``Header.grid_row``):

- ``w:gridSpan`` widens a cell over several grid columns;
- an old-style horizontal merge (``<w:hMerge w:val="restart"/>`` then bare ``<w:hMerge/>``
  cells, as converters of older files write) is the same as one cell with that ``w:gridSpan``;
- ``<w:vMerge w:val="restart"/>`` starts a vertical merge and a bare ``<w:vMerge/>``
  continues it: a continuing cell is ``None``, so the grid step gives it the value above and
  flags it inherited (a project cell merged over two rows makes them one item, sub_no 1, 2);
- a cell's paragraphs are joined with a newline, empty leading and trailing ones dropped.

Around the table: the first table whose header matches is the report (its columns named in
any order; a two-row header joined); the non-empty paragraph above it that names a period is
its title. Later tables that repeat the header, or have as many columns as the header and no
header of their own, continue it (Word splits a long table that way), and as a merge cannot
cross from one table to the next, empty 序号, project, department and leader cells in a
continuation's first data row are read as merged from above. A row that is
one cell across the whole width (``一、教育``) is a section title, not a data row. Tables
that do not continue the report and paragraphs after it (notes, signature) are not read.

Before the walk the body is made what Word shows as the final document
(``revisions``): tracked changes accepted (and listed in a warning), one copy of
each alternate content, no text formatted hidden or struck through and no prompt of an
empty content control (``unseen``). The paragraphs and tables of a text box are read after
the paragraph the box is anchored in; a box anchored in a cell of the report floats over the
table and is not that cell's text (a warning names it). An ``w:altChunk`` (content kept in
another part of the package, which Word shows in place) rejects the document: its rows
cannot be read here and must not go missing unsaid.

``source_row`` is the row's 1-based position in the report table as a person counts it in
Word: the header is row 1, section rows count, and a continuation table goes on counting
from where the previous one stopped (its repeated header counts as a row too).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from lxml import etree

from i18n import _
from parsers.cells import split_marker
from parsers.errors import UnreadableDocument
from parsers.formats.docx.revisions import accept_all_changes, drop_fallbacks
from parsers.formats.docx.unseen import Unseen, drop_prompts, drop_unseen_text
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import Issue, Location, SeenRow, TableRead
from parsers.spanned_table import (
    Cell,
    ReportTable,
    SpanRow,
    find_span_header,
    header_miss_in,
    table_not_found,
    title_from,
)
from parsers.zip_limits import check_office_zip, refuse_empty_or_ole

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_R, _T, _TAB, _BR, _CR = f"{_W}r", f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_VAL = f"{_W}val"
_GRID_SPAN, _V_MERGE, _H_MERGE = f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge"
_GRID_BEFORE, _GRID_AFTER = f"{_W}gridBefore", f"{_W}gridAfter"
_TBL_GRID, _GRID_COL = f"{_W}tblGrid", f"{_W}gridCol"
_TXBX_CONTENT = f"{_W}txbxContent"
# Content controls and custom XML wrap paragraphs, tables, rows and cells without changing
# what they mean; the walk looks through them.
_WRAPPERS = (_SDT, _SDT_CONTENT, _CUSTOM_XML)
# The elements a table walk visits; everything else (formatting, widths) is passed over.
_WALKED = (
    *(_TBL, _TR, _TC, _GRID_SPAN, _V_MERGE, _H_MERGE, _GRID_BEFORE, _GRID_AFTER),
    *(_P, _T, _TAB, _BR, _CR),
)
#: Content another file holds, shown by Word in place (Insert > Text from File, pasted HTML).
_ALT_CHUNK = f"{_W}altChunk"

_DOCUMENT, _BODY = f"{_W}document", f"{_W}body"
# python-docx's own settings: no entities resolved, whitespace between elements dropped.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
_DOCUMENT_PART, _STYLES_PART = "word/document.xml", "word/styles.xml"


# --------------------------------------------------------------------------- opening


def open_docx(data: bytes, source_name: str, limits: ParseLimits = DEFAULT_LIMITS):
    """Bytes → the ``w:body`` of ``word/document.xml`` and the bytes of ``word/styles.xml``
    (None without one), or an UnreadableDocument that says what the file is.

    Only the document part is parsed here: the table, its merges, tracked changes, hidden
    text and text boxes are all in it; the styles part is for ``unseen`` (a style can hide
    or strike text), and numbering and the rest of the package are not read. The zip is
    checked against ``limits`` first, inflating each part once; the XML parser leaves
    entities unresolved and drops whitespace between elements, as python-docx does, so the
    text read is the same.
    """
    refuse_empty_or_ole(
        data,
        source_name,
        encrypted=_(
            "password-protected (encrypted) Word file: save it without a password and send it again"
        ),
        old_format=_(
            "this is an old Word 97-2003 (.doc) file, not a .docx: open it in Word and save "
            "it as Word Document (.docx)"
        ),
    )
    if data.startswith(b"%PDF"):
        raise UnreadableDocument(source_name, _("this is a PDF named .docx: rename it to .pdf"))
    if data.startswith(b"{\\rtf"):
        raise UnreadableDocument(
            source_name, _("this is an RTF file named .docx: open it in Word and save it as .docx")
        )
    parts = check_office_zip(
        data,
        source_name,
        limits,
        main_part=_DOCUMENT_PART,
        also=(_STYLES_PART,),
        not_zip=_("not a Word .docx file (a .docx is a zip archive; this is not one)"),
        without_main_part=_("a zip archive without word/document.xml: not a Word document"),
    )
    try:
        root = etree.fromstring(parts[_DOCUMENT_PART], _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(
            source_name, _("the Word file is damaged and cannot be opened ({exc})").format(exc=exc)
        ) from None
    body = root.find(_BODY)
    if root.tag != _DOCUMENT or body is None:
        raise UnreadableDocument(
            source_name,
            _("the Word file is damaged and cannot be opened ({exc})").format(
                exc=_("word/document.xml holds no document body")
            ),
        )
    return body, parts.get(_STYLES_PART)


# --------------------------------------------------------------------------- XML walk


def _unwrap(element) -> Iterator:
    """Children of ``element``, looking through content controls and custom XML."""
    for child in element:
        if child.tag in _WRAPPERS:
            yield from _unwrap(child)
        else:
            yield child


def paragraph_text(p) -> str:
    """The text of a ``w:p``: runs' text, tabs, and line breaks as newlines; the text of a
    text box anchored in it is not its text (``body_blocks`` reads the box after it)."""
    parts: list[str] = []
    walk = etree.iterwalk(p, events=("start",), tag=(_T, _TAB, _BR, _CR, _TXBX_CONTENT))
    for _event, node in walk:
        tag = node.tag
        if tag == _TXBX_CONTENT:
            walk.skip_subtree()
            continue
        if tag == _T:
            parts.append(node.text or "")
        elif node.getparent().tag == _R:  # a w:tab in w:pPr/w:tabs is a tab stop, not text
            parts.append("\t" if tag == _TAB else "\n")
    return "".join(parts)


def _int_val(element) -> int:
    try:
        return int(element.get(_VAL, "1"))
    except ValueError:
        return 1


def _join_paragraphs(paragraphs: list[list[str]]) -> str:
    """Paragraphs joined with newlines; empty paragraphs at either end dropped."""
    texts = ["".join(parts) for parts in paragraphs]
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


def tbl_to_rows(tbl, boxes: list[tuple[int, str]] | None = None) -> list[SpanRow]:
    """Every row of a ``w:tbl``, read in one pass over its elements.

    Only the elements that matter are visited (rows, cells, spans, merges, paragraphs,
    text); content controls around rows or cells are looked through. A table nested in a
    cell adds its text to that cell. A text box anchored in a cell floats over the page and
    is not the cell's text: its text goes to ``boxes`` with the row's index.
    """
    boxes = [] if boxes is None else boxes
    rows: list[SpanRow] = []
    cells: list[Cell] = []
    paragraphs: list[list[str]] = []
    span, continues, joins, before, after = 1, False, False, 0, 0
    depth = 0  # tables open: 1 is this table, more is a table nested in one of its cells
    walk = etree.iterwalk(tbl, events=("start", "end"), tag=(*_WALKED, _TXBX_CONTENT))
    for event, el in walk:
        tag = el.tag
        if tag == _TXBX_CONTENT:
            if event == "start":
                text = "".join(t.text or "" for t in el.iter(_T)).strip()
                if text:
                    boxes.append((len(rows), text))
                walk.skip_subtree()
            continue
        if tag == _TBL:
            depth += 1 if event == "start" else -1
            continue
        if event == "end":
            if depth == 1 and tag == _TC:
                if joins and cells:
                    # A cell an old-style horizontal merge covers widens the one on its left.
                    left = cells[-1]
                    cells[-1] = Cell(left.text, left.span + span, left.continues)
                else:
                    text = "" if continues else _join_paragraphs(paragraphs)
                    cells.append(Cell(text, span, continues))
            elif depth == 1 and tag == _TR:
                if before:
                    cells.insert(0, Cell("", before))
                if after:
                    cells.append(Cell("", after))
                rows.append(SpanRow(tuple(cells)))
            continue
        if tag == _T:
            if paragraphs:
                paragraphs[-1].append(el.text or "")
        elif tag == _P:
            paragraphs.append([])
        elif tag in (_TAB, _BR, _CR):
            if paragraphs and el.getparent().tag == _R:
                paragraphs[-1].append("\t" if tag == _TAB else "\n")
        elif depth > 1:
            continue  # the structure of a nested table: only its text counts
        elif tag == _TC:
            paragraphs, span, continues, joins = [], 1, False, False
        elif tag == _TR:
            cells, before, after = [], 0, 0
        elif tag == _GRID_SPAN:
            span = max(_int_val(el), 1)
        elif tag == _V_MERGE:
            # A bare <w:vMerge/> (no w:val) continues the merge above, as does "continue".
            continues = el.get(_VAL, "continue") == "continue"
        elif tag == _H_MERGE:
            joins = el.get(_VAL, "continue") == "continue"
        elif tag == _GRID_BEFORE:
            before = max(_int_val(el), 0)
        elif tag == _GRID_AFTER:
            after = max(_int_val(el), 0)
    return rows


def tbl_width(tbl, rows: list[SpanRow]) -> int:
    """How many grid columns a table has: its ``w:tblGrid``, else its widest row."""
    grid = tbl.find(_TBL_GRID)
    if grid is not None:
        columns = len(grid.findall(_GRID_COL))
        if columns:
            return columns
    return max((row.width for row in rows), default=0)


def body_blocks(body) -> Iterator:
    """The body's paragraphs and tables in reading order; the paragraphs and tables of a
    text box follow the paragraph it is anchored in (each box once: see ``drop_fallbacks``)."""
    for child in _unwrap(body):
        if child.tag in (_TBL, _ALT_CHUNK):
            yield child
        elif child.tag == _P:
            yield child
            for box in text_boxes(child):
                yield from body_blocks(box)


def text_boxes(p) -> list:
    """The ``w:txbxContent`` of the text boxes anchored in a paragraph, outermost only."""
    return [box for box in p.iter(_TXBX_CONTENT) if _outermost_box(box, p)]


def _outermost_box(box, p) -> bool:
    parent = box.getparent()
    while parent is not None and parent is not p:
        if parent.tag == _TXBX_CONTENT:
            return False
        parent = parent.getparent()
    return True


def holds_tables(tbl) -> bool:
    """Whether a table has a table inside one of its cells."""
    return any(True for _ in cell_blocks(tbl, tables_only=True))


def cell_blocks(tbl, *, tables_only: bool = False) -> Iterator:
    """The paragraphs and tables inside a table's cells, row by row, in reading order (with
    the blocks of the text boxes anchored in them, as in the body)."""
    for tr in _unwrap(tbl):
        if tr.tag != _TR:
            continue
        for tc in _unwrap(tr):
            if tc.tag != _TC:
                continue
            for block in body_blocks(tc):
                if block.tag == _TBL or not tables_only:
                    yield block


# --------------------------------------------------------------------------- the table


def blocks_to_table(
    blocks: Iterator, source_name: str, layouts: Layouts | None = None
) -> TableRead:
    """Find the report table among the body's paragraphs and tables and read its rows."""
    paragraphs: list[str] = []
    report: ReportTable | None = None
    tables_seen = 0
    miss: str | None = None
    queue = deque(blocks)
    while queue:
        block = queue.popleft()
        if block.tag == _ALT_CHUNK:
            raise UnreadableDocument(
                source_name,
                _(
                    "part of the document is another file embedded in it (pasted or inserted "
                    "with Insert > Text from File, kept apart as an 'altChunk'), which cannot be "
                    "read here and may hold rows of the table: open the file in Word, save it "
                    "again as .docx (Word then makes it ordinary text) and send it again"
                ),
            )
        if block.tag == _P:
            if report is None:
                paragraphs.append(paragraph_text(block))
            else:
                # A row typed as a paragraph under the table is still a row of the report.
                text = paragraph_text(block).strip()
                item_no, _text = split_marker(text)
                if item_no is not None:
                    report.seen.append(SeenRow(item_no, Location(), text))
            continue
        boxes: list[tuple[int, str]] = []
        rows = tbl_to_rows(block, boxes)
        width = tbl_width(block, rows)
        rows_before = report.rows_before if report is not None else 0
        tables_seen += 1
        found = find_span_header(rows, layouts=layouts)
        if report is None:
            if found is None:
                if holds_tables(block):
                    # A layout table (a frame around the page's content): its cells'
                    # paragraphs and tables are read in its place.
                    queue.extendleft(reversed(list(cell_blocks(block))))
                    continue
                miss = miss or header_miss_in(rows, layouts)
                continue  # a table before the report (contacts, a summary): not ours
            index, header = found
            # Rows above the header that span the table (a title inside it) can name the period.
            paragraphs.extend(row.cells[0].text for row in rows[:index] if len(row.cells) == 1)
            report = ReportTable(source_name, header, rows[index : index + header.rows], layouts)
            report.add_table(rows, width, index + header.rows, continues=False)
            report.issues += [_text_box_issue(source_name, 1 + i, text) for i, text in boxes]
            continue
        if found is not None or width == report.header.width:
            first = found[0] + found[1].rows if found is not None else 0
            report.add_table(rows, width, first, continues=True)
            report.issues += [
                _text_box_issue(source_name, rows_before + 1 + i, text) for i, text in boxes
            ]
        else:
            report.issues.append(
                Issue(
                    source_name,
                    "not_a_row",
                    _(
                        "a table after the report ({rows} rows, {width} columns) does not "
                        "continue it and was not read"
                    ).format(rows=len(rows), width=width),
                    severity="warning",
                    action="table ignored",
                )
            )
            break
    if report is None:
        raise table_not_found(source_name, tables_seen, miss=miss)
    report.notes_below()
    return TableRead(
        header_month=report.header.month,
        title=title_from(paragraphs),
        grid=report.grid,
        rejected=report.rejected,
        issues=report.issues,
        seen=report.seen,
        header=report.header,
    )


def read_docx(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A Word report's bytes → its table, as grid rows numbered by their row in the table.

    The body is read as "accept all changes" leaves it, each text box once, without text
    formatted as hidden or struck through (``parsers.formats.docx.revisions``, ``unseen``).
    """
    body, styles = open_docx(data, source_name, limits)
    drop_fallbacks(body)
    changed = accept_all_changes(body)
    drop_prompts(body)
    unseen = drop_unseen_text(body, styles)
    table = blocks_to_table(body_blocks(body), source_name, layouts)
    table.issues[:0] = [
        *([_changes_issue(source_name, changed)] if changed else []),
        *(_unseen_text_issue(source_name, place) for place in unseen),
    ]
    return table


def _text_box_issue(source_name: str, row: int, text: str) -> Issue:
    """A warning for a text box anchored in a cell of the report, whose text was not read."""
    return Issue(
        source_name,
        "not_a_row",
        _(
            "a text box in this row (`{text}`) floats over the table and was not read as part "
            "of its cell: if it holds the cell's value, type the value into the cell"
        ).format(text=text[:40]),
        severity="warning",
        location=Location(row=row),
        value=text[:40],
        action="text not read",
    )


def _changes_issue(source_name: str, places: list[tuple[int | None, int | None]]) -> Issue:
    """A warning that tracked changes were read as accepted, and where they are."""
    by_table: dict[int, list[int]] = {}
    paragraphs = 0
    for table, row in places:
        if table is None or row is None:
            paragraphs += 1
        else:
            by_table.setdefault(table, []).append(row)
    where = [
        _("table {table}, rows {rows}").format(
            table=table,
            rows=", ".join(map(str, sorted(rows)[:12])) + (" …" if len(rows) > 12 else ""),
        )
        for table, rows in sorted(by_table.items())
    ]
    if paragraphs:
        where.append(_("paragraphs outside the tables"))
    return Issue(
        source_name,
        "tracked_changes",
        _(
            "the document has tracked changes that were not accepted ({where}); they were read "
            "as if accepted: if one was not meant, reject it in Word and send the file again"
        ).format(where=_("; ").join(where)),
        severity="warning",
        value=str(len(places)),
        action="changes accepted",
    )


def _unseen_text_issue(source_name: str, unseen: Unseen) -> Issue:
    """A warning for text formatted hidden or struck through in Word, which was not read."""
    table, row, text = unseen.table, unseen.row, unseen.text
    # The report's rows are numbered as in the first table: there the row is the location.
    if table is None:
        where = _("a paragraph")
    elif table == 1:
        where = _("table {table}").format(table=table)
    else:
        where = _("table {table}, row {row}").format(table=table, row=row)
    if unseen.kind == "struck":
        return Issue(
            source_name,
            "struck_text",
            _(
                "{where}: text struck through in Word (`{text}`) is read as replaced and was "
                "not read: if it is the value, remove the strikethrough and send the file again"
            ).format(where=where, text=text[:40]),
            severity="warning",
            location=Location(row=row) if table == 1 else Location(),
            value=text[:40],
            action="text not read",
        )
    return Issue(
        source_name,
        "hidden_cells",
        _(
            "{where}: text formatted as hidden in Word (`{text}`) is not shown or printed and "
            "was not read: delete it, or remove the hidden formatting if it belongs to the report"
        ).format(where=where, text=text[:40]),
        severity="warning",
        location=Location(row=row) if table == 1 else Location(),
        value=text[:40],
        action="text not read",
    )
