"""One escape per output medium: Markdown artifacts and the terminal show text as written."""

from __future__ import annotations

from rich.console import Console

from pipelines.render.markdown import markdown_text
from pipelines.render.terminal import for_terminal
from pipelines.render.validation import issues_markdown

HOSTILE = "a|b\nc [/] [red]x[/red] <script>alert(1)</script> [x](javascript:alert(1)) *em*"


def _report(name: str, value: str) -> dict:
    issue = {
        "source_page": None, "source_row": None, "source_line": 3, "column": "department",
        "check": "department_looks_like_organisation", "value": value, "severity": "warning",
        "message": f"department {value!r} does not end like an organisation",
        "action": "row loaded", "rule": "a department name ends like an organisation",
    }  # fmt: skip
    document = {
        "source_name": name, "status": "loaded", "rows_loaded": 1, "rows_quarantined": 0,
        "issues": [issue],
    }  # fmt: skip
    totals = {
        "documents": 1, "loaded": 1, "partial": 0, "rejected": 0, "unchanged": 0,
        "rows_loaded": 1, "rows_quarantined": 0, "errors": 0, "warnings": 1,
    }  # fmt: skip
    return {"run_id": "r1", "documents": [document], "totals": totals}


def test_markdown_shows_html_links_and_pipes_as_text() -> None:
    text = markdown_text(HOSTILE)
    assert "<" not in text and "\n" not in text
    assert "\\[x\\](javascript" in text and "[/]" not in text
    assert text.count("|") == text.count("\\|") == 1
    assert "&lt;script&gt;" in text


def test_the_artifact_table_keeps_one_row_per_issue_whatever_the_name() -> None:
    markdown = issues_markdown(_report("x|y\nz.txt", HOSTILE))
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 2 + 1 + 1  # two headers with their rules, a document, an issue
    cells = rows[-1].replace("\\|", "").split("|")
    assert len(cells) == 12  # ten cells between eleven pipes
    assert "<script>" not in markdown and "[x](javascript" not in markdown


def test_the_terminal_prints_markup_and_line_breaks_literally() -> None:
    console = Console(record=True, width=400, color_system=None)
    console.print(f"[bold]name:[/] {for_terminal(HOSTILE)}")
    assert console.export_text() == f"name: {HOSTILE.replace(chr(10), chr(92) + 'n')}\n"


def test_long_values_are_shortened_for_display_only() -> None:
    assert for_terminal("x" * 600) == "x" * 500 + "… (100 more characters)"
    assert markdown_text("y" * 600) == "y" * 500 + "… (100 more characters)"
