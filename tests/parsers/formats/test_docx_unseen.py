"""Word text that is there but is not the value (struck through, hidden through a style, an
empty control's prompt, a ruby guide), old-style horizontal merges, and embedded files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from parsers import UnreadableDocument, parse_bytes, parse_document
from parsers.formats.docx.unseen import Styles, Unseen, drop_unseen_text
from tests.helpers import (
    COMPARED,
    FIXTURES,
    as_text,
    assert_nothing_lost,
    expected_rows,
    without_space,
)

HABITS = FIXTURES / "docx" / "habits"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def assert_rows_equal(rows: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = without_space(as_text(rows, COMPARED))
    pd.testing.assert_frame_equal(got, without_space(expected.loc[:, COMPARED]))


def _issues(path: Path, check: str) -> list[tuple[int | None, str | None]]:
    doc = parse_document(path)
    return [(i.location.row, i.value) for i in doc.issues if i.check == check]


@pytest.mark.parametrize(
    "name", ["struck-text.docx", "struck-text-libreoffice.docx", "struck-text-docxjs.docx"]
)
def test_struck_through_old_values_are_not_read_and_each_row_is_named(name: str) -> None:
    path = HABITS / name
    doc = parse_document(path)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())
    assert_nothing_lost(path, doc)
    struck = [i for i in doc.issues if i.check == "struck_text"]
    assert [(i.location.row, i.value, i.severity) for i in struck] == [
        (3, "63%", "warning"),
        (9, "王旭良", "warning"),
        (14, "90%", "warning"),
    ]
    assert struck[2].describe() == (
        f"{name}, row 14: table 1: text struck through in Word (`90%`) is read as replaced and "
        "was not read: if it is the value, remove the strikethrough and send the file again"
    )


def test_hidden_and_struck_formatting_given_by_a_style_is_not_read() -> None:
    path = HABITS / "style-formatting.docx"
    doc = parse_document(path)
    assert_rows_equal(doc.rows, expected_rows())
    # (13)'s 90% is hidden by the style its style is based on; (2)'s 63% struck by its style.
    assert _issues(path, "hidden_cells") == [(14, "90%")]
    assert _issues(path, "struck_text") == [(3, "63%")]


def _body(runs: str) -> etree._Element:
    return etree.fromstring(f'<w:body xmlns:w="{W}"><w:p>{runs}</w:p></w:body>')


STYLES = f"""<w:styles xmlns:w="{W}">
  <w:style w:type="character" w:styleId="Struck"><w:rPr><w:strike/></w:rPr></w:style>
  <w:style w:type="character" w:styleId="Old"><w:basedOn w:val="Struck"/></w:style>
  <w:style w:type="paragraph" w:styleId="Gone"><w:rPr><w:vanish/></w:rPr></w:style>
  <w:style w:type="character" w:styleId="A"><w:basedOn w:val="B"/></w:style>
  <w:style w:type="character" w:styleId="B"><w:basedOn w:val="A"/></w:style>
</w:styles>""".encode()


def test_formatting_on_the_run_wins_over_its_style() -> None:
    body = _body(
        '<w:r><w:rPr><w:rStyle w:val="Old"/></w:rPr><w:t>63%</w:t></w:r>'
        '<w:r><w:rPr><w:rStyle w:val="Old"/><w:strike w:val="0"/></w:rPr><w:t>72%</w:t></w:r>'
        '<w:r><w:rPr><w:rStyle w:val="A"/></w:rPr><w:t>,</w:t></w:r>'  # a basedOn loop
        '<w:r><w:rPr><w:strike w:val="false"/></w:rPr><w:t>滞后</w:t></w:r>'
    )
    assert drop_unseen_text(body, STYLES) == [Unseen("struck", None, None, "63%")]
    assert "".join(body.itertext()) == "72%,滞后"


def test_a_paragraph_style_that_hides_hides_its_runs() -> None:
    body = etree.fromstring(
        f'<w:body xmlns:w="{W}"><w:p><w:pPr><w:pStyle w:val="Gone"/></w:pPr>'
        "<w:r><w:t>7月</w:t></w:r></w:p><w:p><w:r><w:t>8月</w:t></w:r></w:p></w:body>"
    )
    assert drop_unseen_text(body, STYLES) == [Unseen("hidden", None, None, "7月")]
    assert "".join(body.itertext()) == "8月"


@pytest.mark.parametrize(
    "styles",
    [
        STYLES,
        b"\xef\xbb\xbf" + STYLES,
        STYLES.replace(b"w:", b"ns0:").replace(b"xmlns:w=", b"xmlns:ns0="),
        ('<?xml version="1.0" encoding="UTF-16"?>' + STYLES.decode()).encode("utf-16"),
        ('<?xml version="1.0" encoding="UTF-16BE"?>' + STYLES.decode()).encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with a BOM", "another prefix", "utf-16", "utf-16 without a BOM"],
)
def test_a_style_that_strikes_is_read_in_any_encoding_of_the_styles_part(styles: bytes) -> None:
    # The styles part is parsed only when its bytes may name a property; in UTF-16 they are
    # not ASCII, so it is parsed to know.
    assert Styles(styles).any
    body = _body('<w:r><w:rPr><w:rStyle w:val="Old"/></w:rPr><w:t>63%</w:t></w:r>')
    assert drop_unseen_text(body, styles) == [Unseen("struck", None, None, "63%")]


def test_styles_that_set_neither_property_are_not_parsed() -> None:
    plain = STYLES.replace(b"<w:strike/>", b"<w:b/>").replace(b"<w:vanish/>", b"<w:i/>")
    assert Styles(plain).own == {}  # nothing read: no style can hide or strike
    assert Styles(STYLES).own["Struck"] == {f"{{{W}}}strike": True}


def test_damaged_or_missing_styles_leave_direct_formatting_in_force() -> None:
    assert not Styles(b"<w:styles").any and not Styles(None).any
    body = _body("<w:r><w:rPr><w:dstrike/></w:rPr><w:t>90%</w:t></w:r><w:r><w:t>63%</w:t></w:r>")
    assert drop_unseen_text(body, b"not xml") == [Unseen("struck", None, None, "90%")]


def test_section_rows_joined_with_old_horizontal_merges_are_section_rows() -> None:
    path = HABITS / "hmerge-sections.docx"
    doc = parse_document(path)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())
    assert_nothing_lost(path, doc)


def test_a_horizontal_merge_over_plan_and_actual_is_one_cell_and_says_so() -> None:
    doc = parse_document(HABITS / "hmerge-plan-actual.docx")
    rows = doc.rows.set_index("item_no")
    expected = expected_rows().set_index("item_no")
    assert (rows.loc[9, "plan_text"], rows.loc[9, "actual_text"]) == (
        expected.loc["9", "actual_text"],
        "",
    )
    [issue] = [i for i in doc.issues if i.check == "merged_across"]
    assert (issue.location.row, issue.severity) == (10, "warning")
    others = doc.rows[doc.rows["item_no"] != 9].reset_index(drop=True)
    assert_rows_equal(others, expected_rows().query("item_no != '9'").reset_index(drop=True))


def test_an_empty_controls_prompt_and_a_pinyin_guide_are_not_text() -> None:
    doc = parse_document(HABITS / "placeholder.docx")
    rows = doc.rows.set_index("item_no")
    assert rows.loc[4, "actual_text"] == ""  # the prompt 单击或点击此处输入文字。 is no value
    assert rows.loc[7, "leader"] == "陈玮莉"  # not 陈wěi玮莉
    others = doc.rows[doc.rows["item_no"] != 4].reset_index(drop=True)
    assert_rows_equal(others, expected_rows().query("item_no != '4'").reset_index(drop=True))


def test_a_document_with_an_embedded_file_is_rejected_not_read_in_part() -> None:
    # Items (25)-(47) are in an altChunk part: reading the rest would lose 23 rows unsaid.
    with pytest.raises(UnreadableDocument) as caught:
        parse_document(FIXTURES / "bad" / "alt-chunk.docx")
    assert str(caught.value) == (
        "alt-chunk.docx: part of the document is another file embedded in it (pasted or "
        "inserted with Insert > Text from File, kept apart as an 'altChunk'), which cannot be "
        "read here and may hold rows of the table: open the file in Word, save it again as "
        ".docx (Word then makes it ordinary text) and send it again"
    )


def test_comments_and_footnote_marks_in_a_cell_add_nothing_to_its_text() -> None:
    with zipfile.ZipFile(FIXTURES / "yueqing-2022-08.docx") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    w = f"{{{W}}}"
    rate = next(
        tr.findall(f"{w}tc")[3]
        for tr in root.iter(f"{w}tr")
        if "".join(tr.findall(f"{w}tc")[0].itertext()).startswith("(13)")
    )
    p = rate.find(f"{w}p")
    p.insert(0, etree.fromstring(f'<w:commentRangeStart xmlns:w="{W}" w:id="0"/>'))
    p.append(etree.fromstring(f'<w:commentRangeEnd xmlns:w="{W}" w:id="0"/>'))
    p.append(etree.fromstring(f'<w:r xmlns:w="{W}"><w:commentReference w:id="0"/></w:r>'))
    p.append(etree.fromstring(f'<w:r xmlns:w="{W}"><w:footnoteReference w:id="1"/></w:r>'))
    parts["word/document.xml"] = etree.tostring(root)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    doc = parse_bytes(out.getvalue(), "yueqing-2022-08.docx")
    assert doc.issues == [] and doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())


def test_an_old_value_left_in_a_text_box_over_a_cell_is_not_the_cells_value() -> None:
    doc = parse_document(HABITS / "text-box-in-cell.docx")
    assert_rows_equal(doc.rows, expected_rows())  # (13) 63%, not 90%63%
    boxes = [i for i in doc.issues if i.action == "text not read" and i.check == "not_a_row"]
    assert [(i.location.row, i.value) for i in boxes] == [(14, "90%")]  # once, not per copy
