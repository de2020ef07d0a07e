"""Cells and names that would act on a terminal or a spreadsheet come out neutralised in
every output: the ingest line, ``minsheng sql`` (table and CSV), the HTML report and the
Markdown artifact; a control character in a cell is a warning at that cell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.render.validation import issues_markdown
from tests.helpers import invoke
from tests.hostile import acting_month

#: What must never reach an output raw: C0 controls but line breaks and tabs, DEL, C1, and
#: the direction marks and overrides.
ACTING = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("acting")
    acting_month(folder / "in")
    done = invoke(
        "ingest", "in", "--region", "乐清市", "--db", "w.duckdb", "--reports-dir", "reports",
        cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, done.stdout


def test_the_ingest_line_shows_the_name_escaped(ingested: tuple[Path, str]) -> None:
    _, stdout = ingested
    assert not ACTING.search(stdout)
    assert "loaded    2022年8月\\x1b[5m民生实事.txt  乐清市 2022-08  48 rows loaded" in stdout


def test_a_control_character_in_a_cell_is_a_warning_at_that_cell(
    ingested: tuple[Path, str],
) -> None:
    folder, stdout = ingested
    [path] = (folder / "reports").glob("*.json")
    [document] = json.loads(path.read_text("utf-8"))["documents"]
    found = [
        (i["source_line"], i["column"], i["severity"])
        for i in document["issues"]
        if i["check"] == "cell_control_characters"
    ]
    assert found == [
        (2, "completion_raw", "warning"),
        (3, "plan_text", "warning"),
        (6, "department", "warning"),
    ]
    message = next(i["message"] for i in document["issues"] if i["source_line"] == 2)
    assert message == (
        "the cell holds control characters or direction overrides, shown escaped: "
        "'72%\\x1b[2J\\x1b]0;pwned\\x07'; the value loaded as written: check it in the document"
    )


def test_sql_table_and_csv_show_controls_escaped_and_formulas_guarded(
    ingested: tuple[Path, str],
) -> None:
    folder, _ = ingested
    query = (
        "SELECT item_no, completion_raw, department, content FROM progress "
        "WHERE item_no IN (1, 5, 7) ORDER BY item_no"
    )
    table = invoke("sql", query, "--db", "w.duckdb", "--full", cwd=folder)
    assert table.returncode == 0
    assert not ACTING.search(table.stdout)
    assert "72%\\x1b[2J\\x1b]0;pwned\\x07" in table.stdout
    assert "市卫生\\u202e健康局" in table.stdout
    csv = invoke("sql", query, "--db", "w.duckdb", "--format", "csv", cwd=folder)
    assert not ACTING.search(csv.stdout)
    lines = csv.stdout.splitlines()
    assert lines[1].startswith("1,72%\\x1b[2J\\x1b]0;pwned\\x07,")
    assert lines[3].startswith('7,72%,市妇联,"\'=HYPERLINK(""http://evil.example/"",""x"")全年')
    raw = invoke(
        "sql", query, "--db", "w.duckdb", "--format", "csv", "--no-formula-guard", cwd=folder
    )
    assert raw.stdout.splitlines()[3].startswith('7,72%,市妇联,"=HYPERLINK(')


def test_the_reports_show_controls_escaped(ingested: tuple[Path, str]) -> None:
    folder, _ = ingested
    [page] = (folder / "reports").glob("*.html")
    html = page.read_text("utf-8")
    assert not ACTING.search(html)
    assert "2022年8月\\x1b[5m民生实事.txt" in html
    [path] = (folder / "reports").glob("*.json")
    markdown = issues_markdown(json.loads(path.read_text("utf-8")))
    assert not ACTING.search(markdown)
    assert "2022年8月\\\\x1b\\[5m民生实事.txt" in markdown  # the backslash escaped too
