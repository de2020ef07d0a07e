"""Web pages: text and rows the page hides or strikes through are not read, and said."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import etree

from parsers import parse_bytes, parse_document
from parsers.formats.html_unseen import HIDDEN, STRUCK, PageStyles, declarations_kind
from tests.helpers import (
    COMPARED,
    FIXTURES,
    as_text,
    assert_nothing_lost,
    expected_rows,
    without_space,
)

HTML = FIXTURES / "html"


def assert_rows_equal(rows: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = without_space(as_text(rows, COMPARED))
    pd.testing.assert_frame_equal(got, without_space(expected.loc[:, COMPARED]))


def _unseen(doc) -> list[tuple[str, int | None, int | None, str | None]]:
    return [
        (i.check, i.location.row, i.location.line, i.value)
        for i in doc.issues
        if i.check in ("struck_text", "hidden_cells")
    ]


def test_old_values_struck_out_four_ways_are_not_read() -> None:
    path = HTML / "struck-text.html"
    doc = parse_document(path)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())
    assert_nothing_lost(path, doc)
    # <span style="text-decoration: line-through">, <strike>, <s> (a rowspan cell), <del>
    assert _unseen(doc) == [
        ("struck_text", 3, 52, "63%"),
        ("struck_text", 4, 53, "63%"),
        ("struck_text", 9, 58, "王旭良"),
        ("struck_text", 14, 63, "90%"),
    ]
    issue = doc.issues[[i.check for i in doc.issues].index("struck_text")]
    assert issue.describe() == (
        "struck-text.html, line 52, row 3: text struck through in the page (`63%`) is read as "
        "replaced and was not read: if it is the value, remove the strikethrough and publish "
        "the page again"
    )


def test_text_and_a_row_hidden_by_the_page_are_not_read() -> None:
    path = HTML / "hidden-by-css.html"
    doc = parse_document(path)
    assert doc.rejected == []
    assert_rows_equal(doc.rows, expected_rows())
    unseen = _unseen(doc)
    # hidden attribute (2), visibility (3), July's whole row of (4) on its own line,
    # mso-hide (5), a <style> class (6), display:none (13)
    assert [(row, line, value) for _check, row, line, value in unseen] == [
        (3, 53, "63%"),
        (4, 54, "63%"),
        (None, 55, "(4)进一步优化学生在校学习环境。启动新安装700个以上公办中小学教室空调及新风"),
        (6, 57, "90%"),
        (7, 58, "30%"),
        (14, 65, "90%"),
    ]
    row_issue = next(i for i in doc.issues if i.location.line == 55)
    assert row_issue.message.startswith("a table row hidden by the page (`(4)")


def test_a_word_file_saved_as_html_by_writer_keeps_its_old_values_out() -> None:
    # style-formatting.docx as LibreOffice writes it: <strike> and a display: none of its own
    doc = parse_document(HTML / "style-formatting-libreoffice.html")
    assert_rows_equal(doc.rows, expected_rows())
    assert [(check, row, value) for check, row, _line, value in _unseen(doc)] == [
        ("struck_text", 3, "63%"),
        ("hidden_cells", 14, "90%"),
    ]


def test_a_hidden_column_is_left_out_as_a_browser_lays_the_table_out() -> None:
    def row(tag: str, texts: list[str]) -> str:
        # The fourth cell is hidden: the header's by its style, the data's by its attribute.
        hidden = ' style="display:none"' if tag == "th" else " hidden"
        cells = [f"<{tag}{hidden if n == 3 else ''}>{t}</{tag}>" for n, t in enumerate(texts)]
        return f"<tr>{''.join(cells)}</tr>"

    head = row("th", ["项目内容", "8月计划进度", "实际进度情况", "7月完成率", "完成率"])
    head = head.replace("</tr>", "<th>责任单位</th><th>具体分管领导</th></tr>")
    body = row("td", ["(1)建设", "完成", "已完成", "63%", "72%", "市教育局", "王旭良"])
    page = (
        '<html><head><meta charset="utf-8"><title>2022年乐清市8月</title></head>'
        f"<body><table>{head}{body}</table></body></html>"
    )
    doc = parse_bytes(page.encode(), "2022年乐清市民生实事8月.html")
    row = doc.rows.iloc[0]
    assert (row["completion_raw"], row["department"], row["leader"]) == (
        "72%",
        "市教育局",
        "王旭良",
    )
    # Named in the header row (1) and the data row (2) although the page is one line.
    assert [(c, r, v) for c, r, _l, v in _unseen(doc)] == [
        ("hidden_cells", 1, "7月完成率"),
        ("hidden_cells", 2, "63%"),
    ]


@pytest.mark.parametrize(
    ("css", "kind"),
    [
        ("display:none", HIDDEN),
        ("DISPLAY: none !important", HIDDEN),
        ("visibility: collapse", HIDDEN),
        ("mso-hide:all", HIDDEN),
        ("color: red; text-decoration: underline line-through", STRUCK),
        ("text-decoration-line: line-through", STRUCK),
        ("display: inline; visibility: visible", None),
        ("text-decoration: underline", None),
    ],
)
def test_declarations_that_hide_or_strike(css: str, kind: str | None) -> None:
    assert declarations_kind(css) == kind


def test_style_rules_match_simple_selectors_only() -> None:
    root = etree.fromstring(
        "<html><head><style>/* .x{display:none} */ .old, span.gone {display:none}"
        " p .deep {display:none} em {text-decoration: line-through}</style></head><body>"
        '<span class="a old">1</span><span class="gone">2</span><b class="gone">3</b>'
        '<i class="deep">4</i><em>5</em><span class="x">6</span></body></html>',
        etree.HTMLParser(),
    )
    styles = PageStyles(root)
    by_text = {e.text: styles.kind(e) for e in root.iter("span", "b", "i", "em")}
    assert by_text == {"1": HIDDEN, "2": HIDDEN, "3": None, "4": None, "5": STRUCK, "6": None}


def test_last_months_table_hidden_above_this_months_is_passed_over_and_named() -> None:
    path = HTML / "hidden-july-table.html"
    doc = parse_document(path)
    assert doc.month == 8  # not "the title says month 8 but the table header says 7"
    assert_rows_equal(doc.rows, expected_rows())
    [issue] = [i for i in doc.issues if i.check == "hidden_cells"]
    assert (issue.location.line, issue.severity, issue.action) == (34, "warning", "table ignored")
    assert issue.describe() == (
        "hidden-july-table.html, line 34: a table with the progress table's header is hidden by "
        "the page (not shown or printed) and was not read: delete it if it is an old report"
    )


def test_a_page_whose_only_report_table_is_hidden_is_read_and_says_so() -> None:
    page = (HTML / "yueqing-2022-08.html").read_text(encoding="utf-8")
    start = page.index("<table", page.index("<h1"))
    page = page[:start] + "<div hidden>" + page[start:].replace("</table>", "</table></div>", 1)
    doc = parse_bytes(page.encode("utf-8"), "yueqing-2022-08.html")
    assert_rows_equal(doc.rows, expected_rows())
    [issue] = [i for i in doc.issues if i.check == "hidden_cells"]
    assert issue.message.startswith("the progress table is hidden by the page")
