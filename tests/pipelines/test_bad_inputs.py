"""The corpus of bad inputs, ingested by one ``minsheng ingest`` run (in-process).

Each case gets a clear message naming the file, no traceback, the good rows of a readable
document load, every row read is in ``progress`` or ``quarantine``, and the original is
archived.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.helpers import FIXTURES, invoke, sample_lines

BAD = FIXTURES / "bad"
DATA_ROWS = 48  # data rows of the August sample


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _edited(line: int, old: str, new: str) -> bytes:
    lines = sample_lines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return _text(lines)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    status: str
    says: str  # words the message must contain
    place: str | None = None  # where the message says the problem is
    loaded: int = 0
    quarantined: int = 0
    data_rows: int | None = None  # rows the document holds, when it can be read


def _rejected(name: str, says: str) -> Case:
    """A fixture of ``bad/`` that is rejected as a whole with a message saying ``says``."""
    return Case(name, (BAD / name).read_bytes(), "rejected", says)


CASES = [
    Case("empty.txt", b"", "rejected", "the file is empty"),
    _rejected("junk.txt", "binary file"),
    _rejected("junk.docx", "not a Word .docx file"),
    _rejected("truncated.docx", "the file is damaged"),
    _rejected("not-a-zip.docx", "not a Word .docx file"),
    _rejected("password.docx", "password-protected"),
    _rejected("no-table.docx", "no table found"),
    _rejected("junk.pdf", "not a PDF or damaged"),
    _rejected("encrypted.pdf", "password-protected PDF"),
    _rejected("scanned.pdf", "page 1 is scanned at 60 dpi, too coarse to read reliably"),
    _rejected("no-table.pdf", "no progress table found"),
    _rejected("truncated.xlsx", "the file is damaged"),
    _rejected("no-table.html", "1 table found in the page, none with the progress table's header"),
    _rejected("mojibake.txt", "the text is UTF-8 that was opened as Western European"),
    Case(
        "gb18030-2022-08.txt",
        (BAD / "gb18030-2022-08.txt").read_bytes(),
        "loaded",
        "48 rows loaded, 0 quarantined",
        loaded=48,
        data_rows=48,
    ),
    Case(
        "2011年8月-header-missing.txt",
        _text(sample_lines()[1:]),
        "rejected",
        "no table header found",
    ),
    Case(
        "2012年8月-too-many-cells.txt",
        _edited(7, "| 刘寅初 |", "| 刘寅初 | 多余 |"),
        "partial",
        "item (6): row has 7 cells",
        "line 7",
        loaded=47,
        quarantined=1,
        data_rows=48,
    ),
    Case(
        "2013年8月-not-a-percentage.txt",
        _edited(3, "| 72% |", "| 待核实 |"),
        "partial",
        "completion rate '待核实' is not a percentage",
        "line 3",
        loaded=47,
        quarantined=1,
        data_rows=48,
    ),
    Case(
        "2014年8月-duplicated-item.txt",
        _edited(5, "(4)", "(3)"),
        "partial",
        "item (3) row 1 appears more than once",
        "line 5",
        loaded=47,
        quarantined=1,
        data_rows=48,
    ),
    Case(
        "2015年9月-month-disagrees.txt",
        _text(sample_lines()),
        "rejected",
        "the file name says month 9 but the table header says 8",
    ),
    Case(
        "2016年8月-first.txt",
        _text(sample_lines()),
        "loaded",
        "48 rows loaded",
        loaded=48,
        data_rows=48,
    ),
    Case(
        "2016年8月-second.txt",
        _edited(2, "| 72% |", "| 80% |"),
        "rejected",
        "乐清市 2016-08 is also reported by 2016年8月-first.txt",
        quarantined=48,
        data_rows=48,
    ),
]


@dataclass
class Run:
    folder: Path
    db: Path
    stdout: str
    stderr: str
    returncode: int
    report: dict


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "inbox"
    folder.mkdir()
    for case in CASES:
        (folder / case.name).write_bytes(case.data)
    done = invoke("ingest", str(folder), "--region", "乐清市", "--db", "w.duckdb", cwd=root)
    report_line = next(
        line for line in done.stdout.splitlines() if line.startswith("validation report:")
    )
    json_path = root / report_line.split("(json: ")[1].rstrip(")")
    return Run(
        folder,
        root / "w.duckdb",
        done.stdout,
        done.stderr,
        done.returncode,
        json.loads(json_path.read_text("utf-8")),
    )


def test_the_run_exits_1_without_a_traceback(corpus_run: Run) -> None:
    output = corpus_run.stdout + corpus_run.stderr
    assert corpus_run.returncode == 1, output
    assert "Traceback" not in output
    assert len(corpus_run.report["documents"]) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input(corpus_run: Run, case: Case) -> None:
    lines = corpus_run.stdout.splitlines()
    [at] = [n for n, line in enumerate(lines) if line.split()[1:2] == [case.name]]
    block = [lines[at], *[line for line in lines[at + 1 :] if line.startswith("   ")][:6]]
    assert lines[at].startswith(case.status), lines[at]
    shown = f"{case.place}: {case.says}" if case.place else case.says
    assert any(shown in line for line in block), block

    [document] = [d for d in corpus_run.report["documents"] if d["source_name"] == case.name]
    assert (document["status"], document["rows_loaded"], document["rows_quarantined"]) == (
        case.status,
        case.loaded,
        case.quarantined,
    )
    if case.status != "loaded":
        assert any(case.says in i["message"] for i in document["issues"]), document["issues"]
    if case.status == "partial":  # one error per quarantined row, not one per key column
        errors = [i for i in document["issues"] if i["severity"] == "error"]
        assert len(errors) == case.quarantined, errors

    with duckdb.connect(str(corpus_run.db), read_only=True) as conn:
        report = conn.execute(
            "SELECT report_id, status, rows_loaded, rows_quarantined, archived_as FROM reports "
            "WHERE source_name = ?",
            [case.name],
        ).fetchall()
        assert len(report) == 1
        report_id, status, loaded, quarantined, archived_as = report[0]
        assert (status, loaded, quarantined) == (case.status, case.loaded, case.quarantined)
        in_progress = conn.execute(
            "SELECT count(*) FROM progress WHERE report_id = ?", [report_id]
        ).fetchone()[0]
        in_quarantine = conn.execute(
            "SELECT count(*) FROM quarantine WHERE report_id = ?", [report_id]
        ).fetchone()[0]
        issues = conn.execute(
            "SELECT count(*) FROM validation_issues WHERE source_name = ? AND severity = 'error'",
            [case.name],
        ).fetchone()[0]
    assert (in_progress, in_quarantine) == (case.loaded, case.quarantined)
    if case.data_rows is not None:
        assert in_progress + in_quarantine == case.data_rows
    assert issues >= (0 if case.status == "loaded" else 1)

    sha = hashlib.sha256(case.data).hexdigest()
    archived = corpus_run.folder.parent / "raw" / archived_as  # beside w.duckdb
    assert archived.name.startswith(sha) and archived.read_bytes() == case.data


def test_every_check_in_the_report_is_in_the_check_table(corpus_run: Run) -> None:
    from schemas.checks import CHECKS

    issues = [i for d in corpus_run.report["documents"] for i in d["issues"]]
    assert {"cell_count", "completion_is_percentage", "unique_key", "period"} <= {
        i["check"] for i in issues
    }
    for issue in issues:
        assert issue["severity"] in CHECKS[issue["check"]].severities, issue
        assert issue["rule"] == CHECKS[issue["check"]].rule


def test_the_html_report_shows_each_problem_with_its_place(corpus_run: Run) -> None:
    html_path = next((corpus_run.folder.parent / "data" / "reports").glob("*.html"))
    html = html_path.read_text("utf-8")
    for case in CASES:
        assert case.name in html
    assert "line 3" in html and "line 5" in html and "line 7" in html
    assert "待核实" in html


def test_a_folder_of_the_issues_acceptance_case(tmp_path: Path) -> None:
    """Empty, corrupt .docx, table-less .docx, encrypted and scanned PDF, GB18030, broken text."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copyfile(BAD / "empty.txt", folder / "empty.txt")
    for name in (
        "truncated.docx",
        "no-table.docx",
        "encrypted.pdf",
        "scanned.pdf",
        "gb18030-2022-08.txt",
    ):
        shutil.copyfile(BAD / name, folder / name)
    lines = sample_lines()
    lines[2] = lines[2].replace("| 72% |", "| 待核实 |")
    lines[6] = lines[6].rstrip().rstrip("|") + "| 多余 |"
    (folder / "2021年8月-broken.txt").write_bytes(_text(lines))

    done = invoke("ingest", str(folder), "--region", "乐清市", "--db", "w.duckdb", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    statuses = {
        line.split()[1]: line.split()[0]
        for line in done.stdout.splitlines()
        if line.split() and line.split()[0] in ("loaded", "partial", "rejected")
    }
    reasons = {
        "empty.txt": "the file is empty",
        "truncated.docx": "the file is damaged",
        "no-table.docx": "no table found",
        "encrypted.pdf": "password-protected PDF",
        "scanned.pdf": "scan it again at 200 dpi or more",
    }
    for line in done.stdout.splitlines():
        if line.split()[1:2] and line.split()[1] in reasons:
            assert reasons.pop(line.split()[1]) in line, line
    assert reasons == {}
    assert statuses == {
        "empty.txt": "rejected",
        "truncated.docx": "rejected",
        "no-table.docx": "rejected",
        "encrypted.pdf": "rejected",
        "scanned.pdf": "rejected",
        "gb18030-2022-08.txt": "loaded",
        "2021年8月-broken.txt": "partial",
    }
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        by_file = dict(
            conn.execute(
                "SELECT r.source_name,"
                " (SELECT count(*) FROM progress p WHERE p.report_id = r.report_id)"
                " + (SELECT count(*) FROM quarantine q WHERE q.report_id = r.report_id)"
                " FROM reports r"
            ).fetchall()
        )
        gb = conn.execute("SELECT count(*) FROM progress WHERE year = 2022").fetchone()[0]
    assert gb == 48
    assert by_file["2021年8月-broken.txt"] == 48
    html = next((tmp_path / "data" / "reports").glob("*.html")).read_text("utf-8")
    assert "line 3" in html and "line 7" in html
    for name in statuses:
        assert name in html
