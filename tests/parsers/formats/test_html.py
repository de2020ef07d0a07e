"""Web pages: the city site's article page, charsets, spans and cell text."""

from __future__ import annotations

import pytest

from parsers import TableNotFound, UnreadableDocument, parse_bytes, parse_document
from parsers.formats.html import declared_encoding, decode_html
from tests.helpers import FIXTURES

PAGE = FIXTURES / "html" / "yueqing-2022-08.html"
GBK_PAGE = FIXTURES / "html" / "yueqing-2022-08-gb2312.html"
TITLE = "2022年乐清市民生实事项目8月份进展情况"
HEADER = "<tr><th>项目内容</th><th>8月计划进度</th><th>实际进度情况</th><th>完成率</th><th>责任单位</th><th>具体分管领导</th></tr>"  # noqa: E501


def page(rows: str, *, head: str = '<meta charset="utf-8">', before: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{TITLE}_乐清市人民政府</title></head>"
        f"<body>{before}<h1>{TITLE}</h1><table>{HEADER}{rows}</table></body></html>"
    )


def test_the_article_page_gives_its_period_from_the_h1_not_the_publication_date() -> None:
    doc = parse_document(PAGE)
    assert doc.title == TITLE
    # The page also says 发布日期：2022-09-16 above the table: a publication date, not the period.
    assert "发布日期：2022-09-16" in PAGE.read_text(encoding="utf-8")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    assert doc.issues == []


def test_gbk_bytes_labelled_gb2312_keep_the_characters_only_gbk_has() -> None:
    data = GBK_PAGE.read_bytes()
    assert b'charset=gb2312"' in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # what a strict reading of the label would do
    rows = parse_document(GBK_PAGE).rows.set_index(["item_no", "sub_no"])
    assert "216路(柳市客运中心—琯头首末站)" in rows.loc[(14, 1), "actual_text"]
    assert "垟" in " ".join(rows["actual_text"]) and "琯" in " ".join(rows["actual_text"])
    assert rows.equals(parse_document(PAGE).rows.set_index(["item_no", "sub_no"]))


def test_rows_carry_their_table_row_and_the_line_of_their_tr() -> None:
    rows = parse_document(PAGE).rows
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    first = rows.iloc[0]
    assert first["source_row"] == 2  # the header is row 1
    assert lines[first["source_line"] - 1].startswith("<tr><td>(1)吸收60所")
    last = rows.iloc[-1]
    assert last["source_row"] == 49
    assert lines[last["source_line"] - 1].startswith("<tr><td>(47)")


def test_rowspan_cells_are_inherited_and_flagged() -> None:
    rows = parse_document(PAGE).rows.set_index(["item_no", "sub_no"])
    assert rows.loc[(2, 1), ["department", "department_inherited"]].tolist() == ["市教育局", True]
    assert rows.loc[(22, 2), "content"] == rows.loc[(22, 1), "content"]


def test_br_p_and_nbsp_in_cells_become_newlines_and_spaces() -> None:
    html = page(
        "<tr><td>(1)第一行<br>第二行</td><td><p>计划一</p>\n  <p>计划二</p></td>"
        "<td>实际&nbsp;进度&#12288;情况</td><td>72%</td><td>\n  市教育局\n</td><td>王旭良</td></tr>"
    )
    row = parse_bytes(html.encode(), "page.html").rows.iloc[0]
    assert row["content"] == "第一行\n第二行"
    assert row["plan_text"] == "计划一\n计划二"
    assert row["actual_text"] == "实际 进度 情况"
    assert row["department"] == "市教育局"


def test_navigation_tables_are_passed_over_and_a_nested_report_table_is_found() -> None:
    nav = "<table><tr><td>首页</td><td>政务公开</td></tr></table>"
    inner = page(
        '<tr><td colspan="6">一、教育</td></tr>'
        '<tr><td>(1)项目一</td><td>计划</td><td>实际</td><td>72%</td><td rowspan="2">市教育局</td>'
        "<td>王旭良</td></tr>"
        "<tr><td>(2)项目二</td><td>计划</td><td>实际</td><td>80%</td><td>王小强</td></tr>"
    )
    body = inner.split("<body>", 1)[1].split("</body>", 1)[0]
    html = f"<html><body>{nav}<table><tr><td>{body}</td></tr></table></body></html>"
    doc = parse_bytes(html.encode(), "page.html")
    assert doc.rows["item_no"].tolist() == [1, 2]
    assert doc.rows["department"].tolist() == ["市教育局", "市教育局"]
    assert doc.rows["department_inherited"].tolist() == [False, True]
    assert doc.rows["source_row"].tolist() == [3, 4]  # the section row counts
    assert (doc.year, doc.month) == (2022, 8)


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="gbk">', "gbk"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=GB2312">', "gb18030"),
        ('<meta charset="utf-8">', "utf-8"),
    ],
)
def test_the_declared_charset_is_used(head: str, encoding: str) -> None:
    data = page("", head=head).encode(encoding)
    assert TITLE in decode_html(data, "page.html")


def test_an_xml_declaration_names_the_encoding() -> None:
    data = ('<?xml version="1.0" encoding="gb2312"?>\n' + page("", head="")).encode("gb18030")
    assert declared_encoding(data) == "gb2312"
    assert TITLE in decode_html(data, "page.html")


def test_a_wrong_label_falls_back_to_detection() -> None:
    data = page("", head='<meta charset="gb2312">').replace(TITLE, TITLE + "垟").encode("utf-8")
    assert TITLE + "垟" in decode_html(data, "page.html")


def test_a_page_without_the_table_is_rejected_with_the_header_it_looks_for() -> None:
    with pytest.raises(TableNotFound, match=r"1 table found in the page, none with .*8月计划进度"):
        parse_document(FIXTURES / "bad" / "no-table.html")


@pytest.mark.parametrize("data", [b"", b"  \n", bytes(range(256)) * 4])
def test_an_empty_or_binary_file_named_html_is_rejected(data: bytes) -> None:
    with pytest.raises((UnreadableDocument, TableNotFound)):
        parse_bytes(data, "page.html")


def test_merged_cells_written_as_nbsp_cells_are_read_as_merged_each_named() -> None:
    # No rowspan: an editor that cannot merge writes every merged cell as <td>&nbsp;</td>;
    # (20)'s leader is empty in truth, and reads as merged like the others, said at its row.
    doc = parse_document(FIXTURES / "html" / "yueqing-2022-08-nbsp-merged.html")
    assert len(doc.rows) == 48 and doc.rejected == []
    rows = doc.rows.set_index(["item_no", "sub_no"])
    assert rows.loc[(2, 1), ["department", "department_inherited"]].tolist() == ["市教育局", True]
    assert rows.loc[(22, 2), "content"] == rows.loc[(22, 1), "content"]
    merged = {(i.location.row, i.column) for i in doc.issues if i.check == "empty_cell_merged"}
    assert len(merged) == 27
    row_20 = int(rows.loc[(20, 1), "source_row"])
    assert (row_20, "leader") in merged and rows.loc[(20, 1), "leader"] == "周信"


def test_an_empty_cell_in_a_page_with_real_merges_is_missing_not_merged() -> None:
    rows = (
        "<tr><td>(1)甲</td><td>计划</td><td>实际</td><td>72%</td>"
        '<td rowspan="2">市教育局</td><td rowspan="2">王旭良</td></tr>'
        "<tr><td>(2)乙</td><td>计划</td><td>实际</td><td>72%</td></tr>"
        "<tr><td>(3)丙</td><td>计划</td><td>实际</td><td>72%</td>"
        "<td>&nbsp;</td><td>王旭良</td></tr>"
    )
    doc = parse_bytes(page(rows).encode(), "a.html")
    third = doc.rows.set_index("item_no").loc[3]
    assert (third["department"], bool(third["department_inherited"])) == ("", False)
    assert [i.check for i in doc.issues if i.check == "empty_cell_merged"] == []


def _month_table(month: int, rate: str) -> str:
    header = HEADER.replace("8月", f"{month}月")
    rows = "".join(
        f"<tr><td>({n})项目{n}</td><td>计划</td><td>实际</td><td>{rate}</td>"
        "<td>市教育局</td><td>王旭良</td></tr>"
        for n in (1, 2)
    )
    return f"<h2>{month}月份进展情况</h2>\n<table>\n{header}\n{rows}\n</table>\n"


@pytest.mark.parametrize("august_first", [False, True])
def test_a_page_with_last_months_table_beside_reads_the_titles_month(august_first: bool) -> None:
    # July's table shown above (or below) August's: it neither continues the report (its
    # rows repeated every item) nor stands for it (the month disagreed with the title).
    tables = [_month_table(7, "63%"), _month_table(8, "72%")]
    if august_first:
        tables.reverse()
    html = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head>'
        f"<body><h1>{TITLE}</h1>\n{''.join(tables)}</body></html>"
    )
    doc = parse_bytes(html.encode(), "a.html")
    assert (doc.month, doc.rows["completion_raw"].tolist()) == (8, ["72%", "72%"])
    [other] = [i for i in doc.issues if i.check == "other_month_table"]
    july_line = 1 + html[: html.index("7月份进展情况")].count("\n") + 1
    assert (other.severity, other.location.line) == ("warning", july_line)
    assert other.message == (
        "a table with the progress table's header for 7月 is in the page beside this report's "
        "(8月) and was not read: delete it if it is not part of this report"
    )
