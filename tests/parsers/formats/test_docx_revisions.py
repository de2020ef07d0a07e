"""Accepting tracked changes and keeping one copy of alternate content, on small bodies."""

from __future__ import annotations

from lxml import etree

from parsers.formats.docx.reader import paragraph_text
from parsers.formats.docx.revisions import accept_all_changes, drop_fallbacks, has_revisions

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def body(xml: str):
    return etree.fromstring(f'<w:body xmlns:w="{W}" xmlns:mc="{MC}">{xml}</w:body>')


def texts(element) -> list[str]:
    return [paragraph_text(p) for p in element.iter(f"{{{W}}}p")]


def test_a_move_range_removes_every_run_inside_it_even_across_paragraphs() -> None:
    # Runs inside the range but not wrapped in w:moveFrom go too: the range is the move.
    tree = body(
        '<w:p><w:r><w:t>留下</w:t></w:r><w:moveFromRangeStart w:id="1" w:name="m"/>'
        "<w:r><w:t>移走一</w:t></w:r></w:p>"
        '<w:p><w:r><w:t>移走二</w:t></w:r><w:moveFromRangeEnd w:id="1"/>'
        "<w:r><w:t>也留下</w:t></w:r></w:p>"
    )
    accept_all_changes(tree)
    assert texts(tree) == ["留下", "也留下"]


def test_a_move_range_without_its_end_removes_nothing() -> None:
    tree = body(
        '<w:p><w:moveFromRangeStart w:id="1" w:name="m"/><w:r><w:t>留下</w:t></w:r></w:p>'
        '<w:p><w:del w:id="2"><w:r><w:delText>删</w:delText></w:r></w:del>'
        "<w:r><w:t>也留下</w:t></w:r></w:p>"
    )
    accept_all_changes(tree)
    assert texts(tree) == ["留下", "也留下"]


def test_deleted_and_moved_paragraph_marks_join_paragraphs_in_a_chain() -> None:
    mark = '<w:pPr><w:rPr><w:{kind} w:id="{id}" w:author="a"/></w:rPr></w:pPr>'
    tree = body(
        f"<w:p>{mark.format(kind='del', id=1)}<w:r><w:t>45%,</w:t></w:r></w:p>"
        '<w:bookmarkStart w:id="9" w:name="b"/>'
        f"<w:p>{mark.format(kind='moveFrom', id=2)}<w:r><w:t>建设量</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>滞后进度。</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>下一段</w:t></w:r></w:p>"
    )
    accept_all_changes(tree)
    assert texts(tree) == ["45%,建设量滞后进度。", "下一段"]


def test_deleted_rows_and_cells_go_and_inserted_ones_stay() -> None:
    tree = body(
        "<w:tbl>"
        '<w:tr><w:trPr><w:del w:id="1"/></w:trPr>'
        "<w:tc><w:p><w:r><w:t>旧</w:t></w:r></w:p></w:tc></w:tr>"
        '<w:tr><w:trPr><w:ins w:id="2"/></w:trPr>'
        '<w:tc><w:tcPr><w:cellDel w:id="3"/></w:tcPr><w:p><w:r><w:t>删</w:t></w:r></w:p></w:tc>'
        '<w:tc><w:p><w:ins w:id="4"><w:r><w:t>新</w:t></w:r></w:ins></w:p></w:tc></w:tr>'
        "</w:tbl>"
    )
    accept_all_changes(tree)
    assert texts(tree) == ["新"]
    assert len(tree.findall(f".//{{{W}}}tc")) == 1


def test_old_cell_properties_of_a_format_change_are_dropped() -> None:
    tree = body(
        "<w:tbl><w:tr><w:tc><w:tcPr><w:tcW w:w='100'/>"
        '<w:tcPrChange w:id="1"><w:tcPr><w:vMerge/><w:gridSpan w:val="2"/></w:tcPr></w:tcPrChange>'
        "</w:tcPr><w:p><w:r><w:t>市科协</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    accept_all_changes(tree)
    assert tree.find(f".//{{{W}}}vMerge") is None and tree.find(f".//{{{W}}}gridSpan") is None


def test_a_body_without_revisions_is_left_as_it_is() -> None:
    xml = "<w:p><w:ins w:id='1'><w:r><w:t>新</w:t></w:r></w:ins></w:p>"
    tree = body(xml)
    before = etree.tostring(tree)
    assert not has_revisions(tree)
    accept_all_changes(tree)
    assert etree.tostring(tree) == before


def test_alternate_content_keeps_its_choice_or_else_its_fallback() -> None:
    tree = body(
        "<w:p><w:r><mc:AlternateContent>"
        "<mc:Choice Requires='wps'><w:t>现代</w:t></mc:Choice>"
        "<mc:Fallback><w:t>旧式</w:t></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
        "<w:p><w:r><mc:AlternateContent><mc:Fallback><w:t>只有旧式</w:t></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    drop_fallbacks(tree)
    assert texts(tree) == ["现代", "只有旧式"]
