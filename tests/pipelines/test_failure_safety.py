"""Crashes and concurrency with real ``minsheng`` processes on a real DuckDB file.

``MINSHENG_FAULT_PAUSE_BEFORE_COMMIT`` holds each load transaction open, after all its
writes, so that a test can kill the process at exactly that point or hold the lock while
another run starts; without it the window is a few milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checking import check_document
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings
from pipelines.execution.faults import RESUME_FILE
from tests.helpers import PAUSE_LINE, month_file, start_minsheng, table_rows, wait_for_line


def _load_in_process(paths: list[Path], tmp_path: Path, run_id: str) -> None:
    settings = RunSettings.build(
        db=tmp_path / "w.duckdb", raw_dir=tmp_path / "data" / "raw", region="乐清市"
    )
    results = [check_document(p, PeriodOptions(region="乐清市")) for p in paths]
    load_results(results, settings, run_id, datetime.now())


@pytest.mark.slow
def test_kill_9_during_the_write_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load_in_process(
        [month_file(tmp_path / "before", 7), month_file(tmp_path / "before", 8)],
        tmp_path,
        "before",
    )
    before = table_rows(db)
    assert len(before["progress"]) == 96

    # New July and August (each replaces its period: delete, then insert) and four new months.
    inbox = tmp_path / "inbox"
    month_file(inbox, 7, bump=3)
    month_file(inbox, 8, bump=5)
    for month in (9, 10, 11, 12):
        month_file(inbox, month)
    process = start_minsheng(
        "ingest", str(inbox), "--region", "乐清市", "--db", str(db), cwd=tmp_path, pause=300
    )
    try:
        wait_for_line(process, PAUSE_LINE, timeout=300)
        # A reader meanwhile waits for the lock, says so, and then sees the state before.
        reader = start_minsheng(
            "sql",
            "SELECT count(*) AS n FROM progress",
            "--db",
            str(db),
            "--format",
            "json",
            cwd=tmp_path,
        )
        wait_for_line(reader, "in use by another process; waiting", timeout=120)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    stdout, stderr = reader.communicate(timeout=120)
    assert reader.returncode == 0, stderr
    assert json.loads(stdout) == [{"n": 96}]

    assert table_rows(db) == before
    # The validation report was written before the commit, and says it was not committed.
    [written] = (tmp_path / "data" / "reports").glob("*.json")
    report = json.loads(written.read_text("utf-8"))
    assert report["committed"] is False
    assert [d["status"] for d in report["documents"]] == ["loaded"] * 6
    # The next run opens it for writing (replaying what DuckDB kept) and works normally.
    _load_in_process([inbox / "2022年9月民生实事项目进展情况.txt"], tmp_path, "after")
    after = table_rows(db)
    assert len(after["progress"]) == 144
    assert {r[3] for r in after["reports"]} == {7, 8, 9}


@pytest.mark.slow
def test_two_ingests_at_once_both_finish_and_the_second_says_it_waits(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    august = month_file(tmp_path / "a", 8)
    september = month_file(tmp_path / "b", 9)
    # The first holds its transaction open until the second has said that it waits (however
    # slowly a loaded machine starts it), then finishes; the second then goes on.
    resume = tmp_path / "resume"
    first = start_minsheng(
        "ingest", str(august), "--region", "乐清市", "--db", str(db), cwd=tmp_path, pause=300,
        env={RESUME_FILE: str(resume)},
    )  # fmt: skip
    second = None
    try:
        first_lines = wait_for_line(first, PAUSE_LINE, timeout=300)
        second = start_minsheng(
            "ingest", str(september), "--region", "乐清市", "--db", str(db), cwd=tmp_path
        )
        second_lines = wait_for_line(second, "in use by another process; waiting", timeout=300)
        resume.touch()
        outputs = [process.communicate(timeout=600) for process in (first, second)]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    outputs = [
        (stdout, "".join(lines) + stderr)
        for (stdout, stderr), lines in zip(outputs, (first_lines, second_lines), strict=True)
    ]
    for process, (stdout, stderr) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, stdout + stderr
        assert "Traceback" not in stdout + stderr
        assert "48 rows loaded, 0 quarantined" in stdout
    waited = [stderr for _, stderr in outputs if "in use by another process; waiting" in stderr]
    assert len(waited) == 1, outputs
    assert "is free now; continuing" in waited[0]
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute(
            "SELECT month, count(*) FROM progress GROUP BY month ORDER BY month"
        ).fetchall() == [(8, 48), (9, 48)]
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)


@pytest.mark.process
def test_sql_cannot_write(tmp_path: Path) -> None:
    _load_in_process([month_file(tmp_path / "in", 8)], tmp_path, "run")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines",
            "sql",
            "DROP TABLE progress",
            "--db",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "read-only" in done.stderr and "Traceback" not in done.stderr
    assert len(table_rows(tmp_path / "w.duckdb")["progress"]) == 48


def test_a_report_that_cannot_be_written_at_the_commit_rolls_the_load_back(
    tmp_path: Path,
) -> None:
    """The report's folder passed the check at the start and is gone by the commit (a file
    stands there now): the load is rolled back and says why."""
    from warehouse import WarehouseError

    (tmp_path / "reports").write_text("a file, not a folder")
    settings = RunSettings.build(
        db=tmp_path / "w.duckdb", reports_dir=tmp_path / "reports", raw_dir=tmp_path / "raw"
    )
    results = [check_document(month_file(tmp_path / "in", 8), PeriodOptions(region="乐清市"))]
    with pytest.raises(WarehouseError) as failed:
        load_results(results, settings, "run", datetime.now())
    assert str(failed.value).startswith(
        f"the validation report could not be written in {tmp_path / 'reports'} ("
    )
    assert str(failed.value).endswith("): nothing was loaded")
    assert len(table_rows(tmp_path / "w.duckdb")["progress"]) == 0
