"""The Word parser: the August report with real merges, each variant, each bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from parsers import (
    TableNotFound,
    UnreadableDocument,
    UnsupportedFormat,
    parse_bytes,
    parse_document,
)
from tests.helpers import COMPARED, FIXTURES, as_text, expected_rows, without_space

AUGUST = FIXTURES / "yueqing-2022-08.docx"
HEADER = ["项 目 内 容", "8月计划进度", "实际进度情况", "完成率", "责任 单位", "具体分管领导"]
TITLE = "2022年乐清市民生实事项目8月份进展情况"


def expected_items(first: int, last: int) -> pd.DataFrame:
    expected = expected_rows()
    numbers = expected["item_no"].astype(int)
    return expected[(numbers >= first) & (numbers <= last)].reset_index(drop=True)


def assert_rows_equal(rows: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every compared column equal, texts compared with their whitespace removed."""
    got = without_space(as_text(rows, COMPARED))
    pd.testing.assert_frame_equal(got, without_space(expected.loc[:, COMPARED]))


def test_august_gives_the_48_expected_rows_and_its_period_from_the_title() -> None:
    doc = parse_document(AUGUST)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.title == TITLE
    assert doc.source_format == "docx"
    assert doc.rejected == [] and doc.issues == []
    assert_rows_equal(doc.rows, expected_rows())


def test_august_texts_are_exact_not_only_equal_without_whitespace() -> None:
    # One paragraph per cell: the Word text is the sample's cell text, character for character.
    got = as_text(parse_document(AUGUST).rows, COMPARED)
    pd.testing.assert_frame_equal(got, expected_rows().loc[:, COMPARED])


def test_rows_are_numbered_by_their_row_in_the_table_header_first() -> None:
    rows = parse_document(AUGUST).rows
    assert rows["source_row"].tolist() == list(range(2, 50))
    assert rows["source_page"].isna().all() and rows["source_line"].isna().all()


def test_real_vertical_merges_are_inherited_and_flagged() -> None:
    rows = parse_document(AUGUST).rows.set_index(["item_no", "sub_no"])
    # (9) has department and leader merged from (8); (2) only its department from (1).
    assert rows.loc[(9, 1), ["department", "leader"]].tolist() == ["市民政局", "倪庆渊"]
    assert rows.loc[(9, 1), ["department_inherited", "leader_inherited"]].tolist() == [True, True]
    assert rows.loc[(2, 1), ["department_inherited", "leader_inherited"]].tolist() == [
        True,
        False,
    ]
    # (22)'s project cell is merged over two rows: one item, sub_no 1 and 2.
    assert rows.loc[(22, 2), "content"] == rows.loc[(22, 1), "content"]
    assert rows.loc[(22, 2), "department"] == "乐成中心城区管委会"


def test_multi_paragraph_cells_are_joined_with_newlines() -> None:
    doc = parse_document(FIXTURES / "docx" / "multi-para-cells.docx")
    assert_rows_equal(doc.rows, expected_items(1, 13))
    rows = doc.rows.set_index("item_no")
    assert rows.loc[1, "plan_text"].count("\n") == 2
    assert rows.loc[6, "completion_raw"] == "45%,\n建设量未达节点要求,滞后进度。"
    assert (rows.loc[6, "completion_pct"], rows.loc[6, "is_lagging"]) == (45.0, True)
    assert rows.loc[13, "actual_text"].count("\n") == 5
    # Empty paragraphs at either end of a cell change nothing.
    assert rows.loc[5, "department"] == "市卫生健康局"
    assert " | 市卫生健康局 | " in rows.loc[5, "raw"]
    assert not rows.loc[11, "plan_text"].endswith("\n")


def test_section_rows_are_not_data_rows() -> None:
    doc = parse_document(FIXTURES / "docx" / "section-rows.docx")
    assert_rows_equal(doc.rows, expected_items(1, 12))
    assert doc.rejected == [] and doc.issues == []
    # Section rows still count: 一、教育 is row 2, so (1) is row 3.
    assert doc.rows["source_row"].tolist()[:2] == [3, 4]


def test_notes_after_the_table_are_not_rows() -> None:
    doc = parse_document(FIXTURES / "docx" / "notes-after.docx")
    assert_rows_equal(doc.rows, expected_items(1, 12))
    assert doc.rejected == [] and doc.issues == []


def test_a_table_continued_in_a_second_table_is_one_table() -> None:
    doc = parse_document(FIXTURES / "docx" / "two-tables.docx")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert_rows_equal(doc.rows, expected_items(1, 12))
    nine = doc.rows.set_index("item_no").loc[9]
    # The second table starts with empty, unmerged cells where the merge would have run on.
    assert (nine["department"], nine["leader"]) == ("市民政局", "倪庆渊")
    assert bool(nine["department_inherited"]) and bool(nine["leader_inherited"])
    # Table 1: header + 8 rows (rows 1-9); table 2 goes on: header row 10, (9) row 11.
    assert doc.rows["source_row"].tolist() == [*range(2, 10), *range(11, 15)]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("merged-dept-across-break", 3, 14),
        ("split-first-column", 9, 20),
        ("two-row-item-across-break", 17, 28),
    ],
)
def test_the_sources_of_the_pdf_variants_read_as_their_items(
    name: str, first: int, last: int
) -> None:
    doc = parse_document(FIXTURES / "pdf" / f"{name}.docx")
    expected = expected_items(first, last)
    # The first row has nothing above to merge with: its department and leader are its own.
    expected.loc[0, ["department_inherited", "leader_inherited"]] = "False"
    assert_rows_equal(doc.rows, expected)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("not-a-zip.docx", UnreadableDocument, "not a Word .docx file"),
        ("truncated.docx", UnreadableDocument, "the file is damaged .*send it again"),
        ("password.docx", UnreadableDocument, "password-protected .*without a password"),
        ("no-table.docx", TableNotFound, "no table found"),
    ],
)
def test_bad_word_files_are_refused_with_a_message_naming_the_file(
    name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{name}: {message}"):
        parse_document(FIXTURES / "bad" / name)


def test_an_old_doc_file_renamed_docx_says_to_save_as_docx() -> None:
    # An unencrypted OLE compound file: what Word 97-2003 writes.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le")
    with pytest.raises(UnreadableDocument, match=r"\(\.doc\) file.*save it as .*\.docx"):
        parse_bytes(data, "2022年8月.docx")


def test_a_doc_file_without_libreoffice_is_refused_with_advice_to_save_as_docx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    with pytest.raises(UnsupportedFormat, match=r"save it as \.docx"):
        parse_bytes(b"\xd0\xcf\x11\xe0", "2022年8月.doc")


def _with_document_xml(xml: bytes) -> bytes:
    """The August .docx with its ``word/document.xml`` replaced by ``xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(AUGUST) as original, zipfile.ZipFile(out, "w") as copy:
        for info in original.infolist():
            data = xml if info.filename == "word/document.xml" else original.read(info)
            copy.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<w:document xmlns:w='x'><w:body>", "the Word file is damaged .*line 1"),
        (
            b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>",
            r"the Word file is damaged .*\(word/document.xml holds no document body\)",
        ),
    ],
)
def test_a_document_part_that_is_not_a_word_body_is_refused(xml: bytes, message: str) -> None:
    # Only word/document.xml is parsed: what is wrong in it is the message, not a traceback.
    with pytest.raises(UnreadableDocument, match=f"^2022年8月.docx: {message}"):
        parse_bytes(_with_document_xml(xml), "2022年8月.docx")


def test_an_empty_file_and_a_pdf_named_docx_are_refused() -> None:
    with pytest.raises(UnreadableDocument, match="empty"):
        parse_bytes(b"", "2022年8月.docx")
    pdf = (FIXTURES / "yueqing-2022-08.pdf").read_bytes()
    with pytest.raises(UnreadableDocument, match="PDF named .docx"):
        parse_bytes(pdf, "2022年8月.docx")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnreadableDocument, match="without word/document.xml"):
        parse_bytes(buffer.getvalue(), "2022年8月.docx")


def test_tables_without_the_header_are_named_in_the_message() -> None:
    document = docx.Document()
    document.add_table(rows=2, cols=2).cell(0, 0).text = "联系人"
    with pytest.raises(TableNotFound, match="1 table found, none with"):
        parse_bytes(save(document), "2022年8月.docx")


# --------------------------------------------------------------------------- built here


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report(rows: list[list[str]], *, title: str | None = TITLE):
    """A Word document with a title and a table of HEADER and ``rows``."""
    document = docx.Document()
    if title is not None:
        document.add_paragraph(title)
    table = document.add_table(rows=1 + len(rows), cols=6)
    for j, text in enumerate(HEADER):
        table.cell(0, j).text = text
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    return document, table


ONE = ["(1)甲", "计划", "实际", "72%", "市教育局", "王旭良"]
TWO = ["(2)乙", "计划", "实际", "63%,滞后进度", "市民政局", "倪庆渊"]


def test_a_cell_merged_across_columns_keeps_the_row_with_a_warning() -> None:
    document, table = report([ONE, TWO])
    table.cell(2, 1).merge(table.cell(2, 2))  # plan and actual of (2) in one cell
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["item_no"].tolist() == [1, 2]
    assert doc.rows.set_index("item_no").loc[2, "actual_text"] == ""
    [issue] = doc.issues
    assert (issue.check, issue.severity, issue.location.row) == ("merged_across", "warning", 3)
    assert "plan, actual" in issue.message


def test_a_row_that_is_not_six_columns_wide_is_rejected_with_its_row() -> None:
    document, table = report([ONE, TWO])
    extra = OxmlElement("w:tc")
    extra.append(OxmlElement("w:p"))
    table.rows[1]._tr.append(extra)  # a seventh cell on (1)'s row only
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["item_no"].tolist() == [2]
    [rejected] = doc.rejected
    assert (rejected.location.row, rejected.item_no) == (2, 1)
    assert "spans 7 columns" in rejected.reasons


def test_a_full_width_row_with_an_item_number_is_kept_as_a_row_not_skipped() -> None:
    # Only a row without an item number can be a section title; this one is a data row whose
    # cells were merged by mistake, so it goes on (and validation quarantines it).
    document, table = report([ONE, ["(2)乙 计划 实际"] + [""] * 5])
    table.cell(2, 0).merge(table.cell(2, 5))
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["item_no"].tolist() == [1, 2]
    assert doc.rows.set_index("item_no").loc[2, "completion_raw"] == ""
    [issue] = doc.issues
    assert (issue.check, issue.location.row) == ("merged_across", 3)


def test_a_title_row_inside_the_table_gives_the_period() -> None:
    document, table = report([ONE], title=None)
    title_tr = OxmlElement("w:tr")
    tc = OxmlElement("w:tc")
    tc_pr = OxmlElement("w:tcPr")
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), "6")
    tc_pr.append(span)
    tc.append(tc_pr)
    paragraph = OxmlElement("w:p")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2023年乐清市民生实事项目8月份进展情况"
    run.append(text)
    paragraph.append(run)
    tc.append(paragraph)
    title_tr.append(tc)
    table.rows[0]._tr.addprevious(title_tr)
    doc = parse_bytes(save(document), "x.docx")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2023, 8)
    assert doc.rows["source_row"].tolist() == [3]


def test_the_title_is_the_paragraph_that_names_the_period_not_a_later_one() -> None:
    document, _ = report([ONE], title=None)
    body = document.element.body
    first_table = body.find(qn("w:tbl"))
    for text in ["", TITLE, "填报日期:2022年9月5日"]:
        paragraph = document.add_paragraph(text)._p
        first_table.addprevious(paragraph)
    doc = parse_bytes(save(document), "x.docx")
    assert doc.title == TITLE
    assert doc.month == 8


def test_an_unrelated_table_after_the_report_ends_it_with_a_warning() -> None:
    document, _ = report([ONE, TWO])
    document.add_paragraph("附:联系方式")
    contact = document.add_table(rows=2, cols=2)
    contact.cell(0, 0).text = "(3)联系人"
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["item_no"].tolist() == [1, 2]
    [issue] = doc.issues
    assert (issue.check, issue.action) == ("not_a_row", "table ignored")


def test_empty_rows_are_skipped_and_a_repeated_header_row_is_not_data() -> None:
    document, _ = report([ONE, [""] * 6, HEADER, TWO])
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["item_no"].tolist() == [1, 2]
    assert doc.rows["source_row"].tolist() == [2, 5]
    assert doc.rejected == []


def test_line_breaks_and_tabs_inside_a_paragraph_are_kept() -> None:
    document, table = report([ONE])
    paragraph = table.cell(1, 2).paragraphs[0]
    paragraph.add_run().add_break()
    paragraph.add_run("第二行\t附注")
    rows = parse_bytes(save(document), "x.docx").rows
    assert rows["actual_text"].tolist() == ["实际\n第二行\t附注"]


def test_cells_in_a_content_control_are_read() -> None:
    document, table = report([ONE])
    tr = table.rows[1]._tr
    tc = tr.findall(qn("w:tc"))[4]  # the department cell, wrapped in <w:sdt><w:sdtContent>
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    tc.addprevious(sdt)
    content.append(tc)
    sdt.append(content)
    rows = parse_bytes(save(document), "x.docx").rows
    assert rows["department"].tolist() == ["市教育局"]


def test_parsing_without_options_reads_nothing_but_the_file(tmp_path: Path) -> None:
    # A file name without a period: the title alone gives region, year and month.
    path = tmp_path / "report.docx"
    path.write_bytes(AUGUST.read_bytes())
    doc = parse_document(path)
    assert (doc.region, doc.year, doc.month, len(doc.rows)) == ("乐清市", 2022, 8, 48)


def test_a_six_column_table_without_a_header_continues_the_report() -> None:
    document, _ = report([ONE])
    document.add_paragraph("(续表)")
    second = document.add_table(rows=2, cols=6)
    for j, text in enumerate(["", "计划", "实际", "72%", "", ""]):  # (1)'s second row
        second.cell(0, j).text = text
    for j, text in enumerate(TWO):
        second.cell(1, j).text = text
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows[["item_no", "sub_no"]].values.tolist() == [[1, 1], [1, 2], [2, 1]]
    second_row = doc.rows.iloc[1]
    assert (second_row["department"], second_row["leader"]) == ("市教育局", "王旭良")
    assert bool(second_row["department_inherited"]) and bool(second_row["leader_inherited"])
    # Table 1 has rows 1-2; the second table goes on at row 3.
    assert doc.rows["source_row"].tolist() == [2, 3, 4]


def test_only_the_first_row_of_a_continuation_reads_empty_cells_as_merged() -> None:
    document, _ = report([ONE])
    second = document.add_table(rows=2, cols=6)
    for i, row in enumerate([TWO, ["(3)丙", "计划", "实际", "72%", "", "王小强"]]):
        for j, text in enumerate(row):
            second.cell(i, j).text = text
    doc = parse_bytes(save(document), "x.docx")
    # (3)'s empty department is just empty: the grid keeps it, validation will say so.
    assert doc.rows.set_index("item_no").loc[3, "department"] == ""
    assert not doc.rows.set_index("item_no").loc[3, "department_inherited"]


def test_explicit_continue_merges_and_skipped_grid_columns_are_read() -> None:
    three = ["(3)丙", "计划", "实际", "72%", "市教育局", "王小强"]
    document, table = report([ONE, TWO, three])
    v_merge = OxmlElement("w:vMerge")
    v_merge.set(qn("w:val"), "continue")
    table.cell(2, 5)._tc.get_or_add_tcPr().append(v_merge)  # (2)'s leader merged from (1)
    tr = table.rows[3]._tr
    tr.remove(tr.findall(qn("w:tc"))[0])  # (3) without its first cell: gridBefore=1 instead
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    tr.get_or_add_trPr().append(before)
    doc = parse_bytes(save(document), "x.docx")
    two = doc.rows.set_index("item_no").loc[2]
    assert (two["leader"], bool(two["leader_inherited"])) == ("王旭良", True)
    # An empty project cell where the grid was skipped is not a merge: (3) is rejected for it.
    assert doc.rows["item_no"].tolist() == [1, 2]
    [rejected] = doc.rejected
    assert "item number" in rejected.reasons and rejected.location.row == 4
    assert rejected.raw.startswith(" | 计划")


def test_a_tab_stop_is_not_text_and_a_nested_table_adds_its_text() -> None:
    document, table = report([ONE])
    paragraph = table.cell(1, 2).paragraphs[0]
    paragraph.paragraph_format.tab_stops.add_tab_stop(docx.shared.Mm(20))
    nested = table.cell(1, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "其中一期"
    nested.cell(0, 1).text = "二期"
    rows = parse_bytes(save(document), "x.docx").rows
    assert rows["actual_text"].tolist() == ["实际"]
    assert rows["plan_text"].tolist() == ["计划\n其中一期\n二期"]


# --------------------------------------------------------------------------- office habits

HABITS = FIXTURES / "docx" / "habits"


def _document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize(
    ("name", "markup"),
    [
        # Word's revision XML (python-docx): moves with their ranges, a deleted row, a deleted
        # paragraph mark, an old vMerge kept by a tracked cell-format change
        ("tracked-changes.docx", ["<w:moveFrom ", "<w:moveFromRangeStart", "<w:tcPrChange"]),
        # the same saved again by LibreOffice Writer
        ("tracked-changes-libreoffice.docx", ["<w:moveFrom ", "<w:del "]),
        # docx.js's DeletedTextRun / InsertedTextRun
        ("tracked-changes-docxjs.docx", ["<w:del ", "<w:ins "]),
        # the table in a text box, twice: mc:Choice (wps) and mc:Fallback (VML)
        ("text-box.docx", ["<mc:Choice", "<mc:Fallback>", "<v:textbox"]),
        ("text-box-libreoffice.docx", ["<mc:Choice", "<mc:Fallback>", "<v:textbox"]),
        # docx.js's Textbox: VML only
        ("text-box-docxjs.docx", ["<v:textbox"]),
    ],
)
def test_a_word_habit_reads_as_the_48_expected_rows(name: str, markup: list[str]) -> None:
    path = HABITS / name
    xml = _document_xml(path)
    assert all(m in xml for m in markup), [m for m in markup if m not in xml]
    doc = parse_document(path)
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())


def test_tracked_changes_read_as_accepted_cell_by_cell() -> None:
    rows = parse_document(HABITS / "tracked-changes.docx").rows.set_index(["item_no", "sub_no"])
    # "90%" dragged from (13) to (12): it is (12)'s rate, not (13)'s.
    assert rows.loc[(12, 1), "completion_raw"] == "90%"
    assert rows.loc[(13, 1), ["completion_raw", "completion_pct"]].tolist() == [
        "63%,育英路未按计划完工,滞后进度",
        63.0,
    ]
    # 倪庆渊 dragged inside the leader cell merged over (8) and (9): once, in both rows.
    assert rows.loc[[(8, 1), (9, 1)], "leader"].tolist() == ["倪庆渊", "倪庆渊"]
    # The deleted paragraph mark joins (6)'s two paragraphs without a line break.
    assert rows.loc[(6, 1), "completion_raw"] == "45%,建设量未达节点要求,滞后进度。"
    # (10)'s old merge, kept by the tracked cell-format change, is not its merge any more.
    assert rows.loc[(10, 1), ["department", "department_inherited"]].tolist() == ["市科协", False]
    # July's row of (5), deleted as a row, is no row: rows count as in the accepted document.
    assert rows["source_row"].tolist() == list(range(2, 50))


def test_pending_tracked_changes_are_named_in_one_warning_with_their_rows() -> None:
    doc = parse_document(HABITS / "tracked-changes.docx")
    [issue] = [i for i in doc.issues if i.check == "tracked_changes"]
    assert issue.severity == "warning"
    # rows as Word shows them with the changes: July's deleted row of (5) is row 6
    assert issue.message == (
        "the document has tracked changes that were not accepted (table 1, rows 3, 6, 8, 10, "
        "12, 13, 14, 15); they were read as if accepted: if one was not meant, reject it in Word "
        "and send the file again"
    )
    assert not [i for i in parse_document(AUGUST).issues if i.check == "tracked_changes"]


def test_a_text_box_is_read_once_after_the_paragraph_it_is_anchored_in() -> None:
    xml = _document_xml(HABITS / "text-box.docx")
    assert xml.count("<w:txbxContent>") == 2  # the fixture's box is there twice
    doc = parse_document(HABITS / "text-box.docx")
    assert doc.title == TITLE
    assert doc.rows["source_row"].tolist() == list(range(2, 50))


def _text_box_run(text: str):
    """A run holding a text box with one paragraph, twice as Word writes it."""
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    box = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    return etree.fromstring(
        f'<w:r xmlns:w="{w}" xmlns:mc="{mc}"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def test_a_text_box_in_a_cell_is_not_its_text_and_is_named_once() -> None:
    # The box floats over the page: its text ("90%" left over a rate) is not the cell's.
    document, table = report([ONE])
    table.cell(1, 2).paragraphs[0]._p.insert(0, _text_box_run("附注"))
    doc = parse_bytes(save(document), "x.docx")
    assert doc.rows["actual_text"].tolist() == ["实际"]
    [issue] = [i for i in doc.issues if i.value == "附注"]
    assert (issue.check, issue.severity, issue.location.row) == ("not_a_row", "warning", 2)
    assert issue.message.startswith("a text box in this row (`附注`) floats over the table")


def test_a_text_box_in_the_title_paragraph_is_not_part_of_the_title() -> None:
    document, _table = report([ONE])
    document.paragraphs[0]._p.append(_text_box_run("内部资料"))
    doc = parse_bytes(save(document), "x.docx")
    assert doc.title == TITLE


def test_a_table_in_a_text_box_inside_a_layout_table_is_found() -> None:
    frame_doc = docx.Document(str(HABITS / "text-box.docx"))
    body = frame_doc.element.body
    anchor = body.findall(qn("w:p"))[1]  # the paragraph that holds the text box
    frame = frame_doc.add_table(rows=1, cols=1)._tbl
    body.remove(frame)
    anchor.addprevious(frame)
    frame.find(qn("w:tr")).find(qn("w:tc")).append(anchor)
    doc = parse_bytes(save(frame_doc), "x.docx")
    assert_rows_equal(doc.rows, expected_rows())


@pytest.mark.parametrize("name", ["hidden-text.docx", "hidden-text-libreoffice.docx"])
def test_text_formatted_hidden_is_not_read_and_a_warning_names_its_row(name: str) -> None:
    path = HABITS / name
    assert "<w:vanish/>" in _document_xml(path)
    doc = parse_document(path)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())
    hidden = [i for i in doc.issues if i.check == "hidden_cells"]
    assert [(i.location.row, i.value) for i in hidden] == [(9, "王旭良"), (14, "90%")]
    assert hidden[1].describe() == (
        f"{name}, row 14: table 1: text formatted as hidden in Word (`90%`) is not shown or "
        "printed and was not read: delete it, or remove the hidden formatting if it belongs to "
        "the report"
    )
