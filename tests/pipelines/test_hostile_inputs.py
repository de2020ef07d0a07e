"""Hostile inputs in one ``minsheng ingest`` run: each bounded and reported, none stops the rest.

The folder holds two good months, a copy of one under a file name that is not UTF-8, a
month whose cells carry rich markup, HTML and a Markdown link under a name with ``|``, a
1 GB zip bomb, a 2,000-page PDF, a link to a file outside the folder and a FIFO. The run
must load the good months, give every other file one line, keep its peak memory under
500 MB, and every output (terminal, JSON, HTML, ``minsheng sql``, ``minsheng report``)
must show the hostile text as written.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.helpers import run_measuring_peak, sample_lines
from tests.hostile import inflating_docx, many_page_pdf
from tests.parsers.test_limits import RSS_CAP_BYTES

MB = 1024 * 1024
HOSTILE_DEPARTMENT = "[/]市[red]教育局</td><script>alert(1)</script>"
HOSTILE_NAME = "markup | [red]11\n[bold].txt"  # a file name cannot hold "/"
HOSTILE_PROJECT = "[x](javascript:alert(1)) :x: 新建 | 幼儿园"


def _month(month: int, *, title_region: str = "乐清市", hostile: bool = False) -> bytes:
    lines = sample_lines()
    body = [lines[0].replace("8月计划进度", f"{month}月计划进度"), *lines[1:]]
    if hostile:
        cells = body[1].split(" | ")
        cells[0] = "(1)" + HOSTILE_PROJECT.replace(" | ", "｜")
        cells[4] = HOSTILE_DEPARTMENT
        body[1] = " | ".join(cells)
    title = f"2022年{title_region}民生实事项目{month}月份进展情况"
    return ("\n".join([title, "", *body]) + "\n").encode("utf-8")


@dataclass
class HostileRun:
    base: Path
    stdout: str
    stderr: str
    returncode: int
    peak_rss: int


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile")
    inbox = base / "inbox"
    inbox.mkdir()
    (inbox / "good-08.txt").write_bytes(_month(8))
    (inbox / "good-09.txt").write_bytes(_month(9))
    # bytes that are not UTF-8 in the name (Python keeps them as surrogates); a month of its own
    Path(os.fsdecode(os.fsencode(inbox) + b"/bad-\xff\xfe-10.txt")).write_bytes(_month(10))
    (inbox / HOSTILE_NAME).write_bytes(_month(11, hostile=True))
    inflating_docx(inbox / "bomb.docx")
    many_page_pdf(inbox / "pages.pdf", 2000)
    secret = base / "secret.txt"
    secret.write_bytes(_month(12))
    (inbox / "link.txt").symlink_to(secret)
    os.mkfifo(inbox / "fifo.txt")

    env = {**os.environ, "PREFECT_HOME": str(base / ".prefect"), "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    with (base / "out.txt").open("w") as out, (base / "err.txt").open("w") as err:
        returncode, peak = run_measuring_peak(
            [sys.executable, "-m", "pipelines", "ingest", str(inbox), "--region", "乐清市",
             "--db", "w.duckdb"],
            base / "peak.txt", cwd=base, env=env, stdout=out, stderr=err,
        )  # fmt: skip
    return HostileRun(
        base=base,
        stdout=(base / "out.txt").read_text("utf-8"),
        stderr=(base / "err.txt").read_text("utf-8"),
        returncode=returncode,
        peak_rss=peak,
    )


def test_every_file_has_its_line_and_the_good_months_load(hostile_run: HostileRun) -> None:
    out = hostile_run.stdout
    assert hostile_run.returncode == 1, out + hostile_run.stderr
    assert "Traceback" not in out + hostile_run.stderr
    assert "loaded    good-08.txt  乐清市 2022-08  48 rows loaded, 0 quarantined" in out
    assert "loaded    good-09.txt  乐清市 2022-09  48 rows loaded, 0 quarantined" in out
    assert "loaded    bad-\\xff\\xfe-10.txt  乐清市 2022-10  48 rows loaded" in out
    assert "loaded    markup | [red]11\\n[bold].txt  乐清市 2022-11  48 rows loaded" in out
    assert (
        "rejected  bomb.docx  period unknown  its zip parts inflate to more than 100 MB "
        "(the limit for one document), more than any report needs: not read"
    ) in out
    assert (
        "rejected  pages.pdf  period unknown  the PDF has 2,000 pages, more than 300 "
        "(the limit, --max-pages): a monthly report has far fewer; not read"
    ) in out
    assert "rejected  link.txt  period unknown  a link to " in out
    assert "outside the folder given" in out and "not followed" in out
    assert "rejected  fifo.txt  period unknown  a FIFO (named pipe), not a file: skipped" in out
    assert "8 documents, 192 rows loaded, 0 quarantined" in out


def test_the_run_stays_under_the_memory_cap(hostile_run: HostileRun) -> None:
    assert hostile_run.peak_rss < RSS_CAP_BYTES, f"peak RSS {hostile_run.peak_rss / MB:.0f} MB"


def test_the_warehouse_keeps_names_and_cells_as_written(hostile_run: HostileRun) -> None:
    with duckdb.connect(str(hostile_run.base / "w.duckdb"), read_only=True) as conn:
        names = dict(conn.execute("SELECT source_name, status FROM reports").fetchall())
        department = conn.execute(
            "SELECT department, content FROM progress WHERE month = 11 AND item_no = 1"
        ).fetchone()
        secret_sha = conn.execute(
            "SELECT count(*) FROM reports WHERE source_name = 'link.txt' AND source_sha256 = ''"
        ).fetchone()
    assert names == {
        "good-08.txt": "loaded",
        "good-09.txt": "loaded",
        "bad-\\xff\\xfe-10.txt": "loaded",
        HOSTILE_NAME: "loaded",
        "bomb.docx": "rejected",
        "pages.pdf": "rejected",
        "link.txt": "rejected",
        "fifo.txt": "rejected",
    }
    # the text reader reads a full-width ｜ as |: the cell holds a real pipe
    assert department == (HOSTILE_DEPARTMENT, HOSTILE_PROJECT.replace(" | ", "|"))
    assert secret_sha == (1,)  # the link was never opened: no checksum
    archived = [p.read_bytes() for p in (hostile_run.base / "raw").rglob("*") if p.is_file()]
    assert len(archived) == 6  # four months, the bomb and the PDF: rejected originals are kept
    assert (hostile_run.base / "secret.txt").read_bytes() not in archived


def test_the_validation_report_escapes_for_html_and_keeps_json_as_written(
    hostile_run: HostileRun,
) -> None:
    reports = hostile_run.base / "data" / "reports"
    report = json.loads(next(reports.glob("*.json")).read_text("utf-8"))
    assert {d["source_name"] for d in report["documents"]} >= {"bad-\\xff\\xfe-10.txt"}
    page = next(reports.glob("*.html")).read_text("utf-8")
    assert "<script>alert" not in page
    assert "markup | [red]11\n[bold].txt" in page


def test_sql_and_report_print_the_hostile_text_as_written(hostile_run: HostileRun) -> None:
    runner = CliRunner()
    db = str(hostile_run.base / "w.duckdb")
    done = runner.invoke(
        app,
        ["sql", "SELECT department FROM progress WHERE month = 11 AND item_no = 1", "--db", db,
         "--full"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert HOSTILE_DEPARTMENT in done.stdout
    page = hostile_run.base / "month.html"
    report = runner.invoke(
        app, ["report", "--month", "11", "--db", db, "--html", str(page)], terminal_width=200
    )
    assert report.exit_code == 0, report.output
    # the line break in the name is shown, not acted on: the headline stays one line
    assert "from markup | [red]11\\n[bold].txt\n" in report.stdout
    assert page.exists() and "<script>alert" not in page.read_text("utf-8")
