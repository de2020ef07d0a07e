"""The validation report's HTML, read back as a browser would see its tables."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from i18n import column_text
from pipelines.core.checking import check_document, reject_repeated_periods
from pipelines.core.load_run import outcome_without_loading
from pipelines.core.settings import PeriodOptions
from pipelines.reports.validation import build_run_report, issues_markdown, render_html, rule_counts
from tests.conftest import FIXTURES
from tests.helpers import broken_sample


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
    return build_run_report("20220905T090000-abcdef", datetime(2022, 9, 5, 9), "validate", outcomes)


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
        assert row[4] == issue["rule"] and row[5] == issue["severity"] and row[6] == issue["action"]
        # English words for the stable codes are the codes themselves
    assert [
        "line 3",
        "completion rate (完成率)",
        "待核实",
        "completion rate '待核实' is not a percentage",
        "completion rate (完成率) starts with a percentage, e.g. 72%",
        "error",
        "row quarantined",
    ] in page.rows


def test_summary_unreadable_section_and_counts_per_rule(tmp_path: Path) -> None:
    report = _report(tmp_path)
    page = _Tables()
    page.feed(render_html(report))
    summary = {row[0]: row for row in page.rows if len(row) == 8 and row[0].endswith(".txt")}
    assert summary["2022年8月民生实事项目进展情况.txt"][3:6] == ["partial", "45", "3"]
    assert summary["empty.txt"][3] == "rejected"
    unreadable = [row for row in page.rows if row[:2] == ["empty.txt", "the file is empty"]]
    assert unreadable and "document rejected" in unreadable[0][3]
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
    assert "| line 3 | completion rate (完成率) | 待核实 | error |" in markdown
