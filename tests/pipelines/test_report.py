"""The validation report's HTML, read back as a browser would see its tables."""

from __future__ import annotations

import json
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from i18n import action_text, column_text, speaking
from pipelines.core.checking import check_document, reject_repeated_periods
from pipelines.core.load_run import outcome_without_loading
from pipelines.core.run_report import RunReport
from pipelines.core.settings import PeriodOptions
from pipelines.render.validation import issues_markdown, render_html, rule_counts, write_report
from tests.helpers import FIXTURES, broken_sample


class _Tables(HTMLParser):
    """Every table row of a page as its cells' text; external references noted."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.external: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)
        if tag == "link":
            self.external.append(str(dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _report(tmp_path: Path) -> dict:
    broken = broken_sample(tmp_path / "in")
    results = reject_repeated_periods(
        [
            check_document(broken, PeriodOptions(region="乐清市")),
            check_document(FIXTURES / "bad" / "empty.txt", PeriodOptions(region="乐清市")),
        ]
    )
    outcomes = [outcome_without_loading(r) for r in results]
    started = datetime(2022, 9, 5, 9)
    return RunReport.of("20220905T090000-abcdef", started, "validate", outcomes).as_json()


def test_each_issue_is_one_row_with_its_place_column_value_rule_and_action(tmp_path: Path) -> None:
    report = _report(tmp_path)
    page = _Tables()
    page.feed(render_html(report))
    assert page.external == []  # nothing to fetch: it opens offline
    issues = [i for d in report["documents"] for i in d["issues"]]
    assert len(issues) >= 4
    for issue in issues:
        place = (
            ", ".join(
                f"{k} {issue['source_' + k]}"
                for k in ("page", "line", "row")
                if issue["source_" + k] is not None
            )
            or "whole document"
        )
        matching = [row for row in page.rows if row[:1] == [place] and issue["message"] in row]
        assert matching, (place, issue["message"])
        [row] = matching
        assert row[1] == (column_text(issue["column"]) or "—")
        assert row[2] == (issue["value"] or "")
        assert row[4] == issue["rule"] and row[5] == issue["fix"] and row[6] == issue["severity"]
        # validate loaded nothing: what ingest would do
        assert row[7] == action_text(issue["action"], would=True)
    assert [
        "line 3",
        "completion rate (完成率)",
        "待核实",
        "completion rate '待核实' is not a percentage",
        "completion rate (完成率) starts with a percentage, e.g. 72%",
        "write the completion rate as a percentage (72%), with any remark after it (63%,滞后进度)",
        "error",
        "row would be quarantined",
    ] in page.rows


def test_summary_unreadable_section_and_counts_per_rule(tmp_path: Path) -> None:
    report = _report(tmp_path)
    page = _Tables()
    page.feed(render_html(report))
    summary = {row[0]: row for row in page.rows if len(row) == 8 and row[0].endswith(".txt")}
    assert summary["2022年8月民生实事项目进展情况.txt"][3:6] == ["would load in part", "45", "3"]
    assert summary["empty.txt"][3] == "would be rejected"
    unreadable = [row for row in page.rows if row[:2] == ["empty.txt", "the file is empty"]]
    assert unreadable and "document would be rejected" in unreadable[0][3]
    counts = {(r["check"], r["severity"]): r["count"] for r in rule_counts(report)}
    assert counts[("completion_is_percentage", "error")] == 1
    assert counts[("readable", "error")] == 1
    assert any(
        row[0].startswith("completion rate (完成率) starts with a percentage") and row[2] == "1"
        for row in page.rows
    )


def test_the_markdown_artifact_has_a_row_per_issue(tmp_path: Path) -> None:
    report = _report(tmp_path)
    markdown = issues_markdown(report)
    assert "| empty.txt | whole document |" in markdown
    item = "(2) 组建教共体70对以上,完成同步课堂、研修活动等达2000节(…"
    assert f"| line 3 | {item} | completion rate (完成率) | 待核实 | error |" in markdown
    assert "| line 7 | (6) 全市265家幼儿园" in markdown and "| whole row | 多余 |" in markdown


class _Items(HTMLParser):
    """Each item of the problems section: its heading, its rows as read (cells, and which are
    marked) and its issue rows."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict] = []
        self._text: list[str] | None = None
        self._table: str | None = None
        self._flag = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "h4":
            self.items.append({"heading": "", "read": [], "marked": [], "issues": []})
            self._text = []
        elif tag == "table" and self.items:
            self._table = "read" if "row-read" in classes else "issues"
        elif tag == "tbody" and self._table == "read":
            self.items[-1]["read"].append([])
            self.items[-1]["marked"].append([])
        elif tag == "tr" and self._table == "issues":
            self.items[-1]["issues"].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._text, self._flag = [], "flag" in classes

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.items:
            self._table = None  # its header row has no data cells: not an issue
            self.items[-1]["issues"] = [row for row in self.items[-1]["issues"] if row]
        if self._text is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "h4":
            self.items[-1]["heading"] = text
        elif tag == "td" and self._table == "read":
            self.items[-1]["read"][-1].append(text)
            if self._flag:
                self.items[-1]["marked"][-1].append(text)
        elif tag == "td" and self._table == "issues":
            self.items[-1]["issues"][-1].append(text)
        else:
            return
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def test_each_issue_names_its_item_and_shows_its_row_as_read(tmp_path: Path) -> None:
    """The broken August text: a rate 待核实 (item 2), a cell too many (item 6), an empty
    leader (item 1); the report a clerk fixes the file from."""
    report = _report(tmp_path)
    page = _Items()
    page.feed(render_html(report))
    items = {item["heading"]: item for item in page.items}
    # the items with an error first, in document order; then the warnings' items
    assert list(items)[:4] == [
        "whole document",  # empty.txt
        "(1) 吸收60所符合前置条件的民办等级幼儿园为“公助园”,实现收费…",
        "(2) 组建教共体70对以上,完成同步课堂、研修活动等达2000节(…",
        "(6) 全市265家幼儿园安装智安校园预警防控系统,健全校园安全防护…",
    ]
    # then the warnings' items: (3) takes its department from quarantined (1), (21) is as before
    assert list(items)[4].startswith("(3) 创建县级及以上乡村小而优示范学校")
    assert any(heading.startswith("(21) 实施完成西门片区市政道路白改黑") for heading in items)
    rate = items["(2) 组建教共体70对以上,完成同步课堂、研修活动等达2000节(…"]
    assert len(rate["read"]) == 1 and rate["read"][0][3] == "待核实"
    assert rate["read"][0][0].startswith("(2)组建教共体70对以上")
    assert rate["marked"] == [["待核实"]]
    assert rate["issues"][0][:3] == ["line 3", "completion rate (完成率)", "待核实"]

    wide = items["(6) 全市265家幼儿园安装智安校园预警防控系统,健全校园安全防护…"]
    [cells] = wide["read"]
    assert len(cells) == 7 and cells[-1] == "多余" and cells[4:6] == ["市公安局", "刘寅初"]
    assert wide["marked"] == [["多余"]]
    [issue] = wide["issues"]
    assert issue[:3] == ["line 7", "whole row", "多余"]  # the extra cell, not the count 7
    assert issue[5] == "fill in the missing cell, or delete the extra cell"

    empty = items["(1) 吸收60所符合前置条件的民办等级幼儿园为“公助园”,实现收费…"]
    assert empty["read"][0][4:] == ["市教育局", ""] and empty["marked"] == [[""]]
    assert empty["issues"][0][5] == "fill in the leader (具体分管领导), or delete the extra cell"
    # every issue of the broken document is under its item, with its row
    broken = report["documents"][0]
    assert all(i["row_cells"] and i["item_no"] for i in broken["issues"])
    assert sum(len(item["issues"]) for item in page.items) == sum(
        len(d["issues"]) for d in report["documents"]
    )


def test_the_json_issue_carries_the_item_the_row_and_what_to_do(tmp_path: Path) -> None:
    report = _report(tmp_path)
    by_check = {i["check"]: i for i in report["documents"][0]["issues"]}
    wide = by_check["cell_count"]
    assert (wide["item_no"], wide["value"], len(wide["row_cells"])) == (6, "多余", 7)
    assert wide["content"].startswith("全市265家幼儿园")
    # the contract's keys are all still there
    contract = {"source_page", "source_row", "source_line", "column", "check", "value"}
    assert contract | {"severity", "message"} <= set(wide)


def test_printed_each_document_starts_a_page_and_no_item_is_cut(tmp_path: Path) -> None:
    """The page printed to PDF by Chromium, as a clerk prints it: the summary first, each
    document from a new page, an item's row and its problems on one page."""
    import shutil
    import subprocess
    import tempfile

    import pdfplumber

    from parsers.normalize import normalize_text

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: apt-get install chromium")
    report = _report(tmp_path)
    html = tmp_path / "report.html"
    html.write_text(render_html(report), "utf-8")
    with tempfile.TemporaryDirectory() as profile:
        printed = Path(profile) / "report.pdf"
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                f"--print-to-pdf={printed}", html.as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with pdfplumber.open(printed) as pdf:
            # Chromium's text layer maps some CJK glyphs to radicals (⺠ for 民): folded back
            pages = [normalize_text(p.extract_text() or "") for p in pdf.pages]
            landscape = all(page.width > page.height for page in pdf.pages)
    assert landscape
    assert pages[0].lstrip().startswith("民生实事 validation report")
    firsts = [page.lstrip().splitlines()[0] for page in pages]
    for document in report["documents"]:
        [start] = [n for n, first in enumerate(firsts) if first.startswith(document["source_name"])]
        assert start > 0  # not on the summary's page
    # each item's heading, its row as read and its issue's place on one page
    for number, line in [(1, 2), (2, 3), (6, 7)]:
        holding = [page for page in pages if f"({number}) " in page]
        assert len(holding) == 1, number
        assert f"line {line}: the row as read" in holding[0] and f"\nline {line} " in holding[0]


def test_a_report_written_again_after_the_commit_keeps_its_page_and_a_changed_one_does_not(
    tmp_path: Path,
) -> None:
    # A load writes its report before the COMMIT and again after it; the page is rendered
    # once for both, and must never be a page of another report's content.
    report = _report(tmp_path)
    before = write_report({**report, "committed": False}, tmp_path / "r")
    page = before[1].read_text("utf-8")
    after = write_report({**report, "committed": True}, tmp_path / "r")
    assert after[1].read_text("utf-8") == page
    assert json.loads(after[0].read_text("utf-8"))["committed"] is True
    assert page == render_html(report)

    changed = json.loads(json.dumps(report))
    issue = next(i for d in changed["documents"] for i in d["issues"])
    issue["message"] = "一条新的说明"
    _, html = write_report(changed, tmp_path / "r")
    assert "一条新的说明" in html.read_text("utf-8")
    pages = {}
    for language in ("zh", "en"):
        with speaking(language):
            _, page_path = write_report(changed, tmp_path / "r")
            pages[language] = page_path.read_text("utf-8")
            assert pages[language] == render_html(changed)
    assert pages["zh"] != pages["en"]
