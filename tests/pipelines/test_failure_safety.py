"""Crashes and concurrency with real ``minsheng`` processes on a real DuckDB file.

``MINSHENG_FAULT_PAUSE_BEFORE_COMMIT`` holds each load transaction open, after all its
writes, so that a test can kill the process at exactly that point or hold the lock while
another run starts; without it the window is a few milliseconds.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.core.checking import check_document
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings
from tests.conftest import sample_lines

PAUSE_LINE = "fault injection: pausing"
TABLES = ("reports", "progress", "quarantine", "validation_issues", "runs")


def _start(*args: str, cwd: Path, pause: float = 0) -> subprocess.Popen[str]:
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    if pause:
        env["MINSHENG_FAULT_PAUSE_BEFORE_COMMIT"] = str(pause)
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", *args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Its own process group, so that a crash takes the whole tree down, the temporary
        # Prefect server it starts included, as when the machine loses power.
        start_new_session=True,
    )


def _wait_for_line(process: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    """Read the process's stderr until a line contains ``text``; the lines read so far."""
    seen: list[str] = []
    selector = selectors.DefaultSelector()
    assert process.stderr is not None
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not selector.select(timeout=1):
            assert process.poll() is None, f"exited {process.returncode}: {seen}"
            continue
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"no {text!r} within {timeout} s: {seen}")


def _month_file(folder: Path, month: int, *, bump: int = 0) -> Path:
    """The sample as another month (title, header), optionally with other completion rates."""
    lines = sample_lines()
    lines[0] = lines[0].replace("8月计划进度", f"{month}月计划进度")
    if bump:
        lines = [line.replace("| 72% |", f"| {72 + bump}% |") for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2022年{month}月民生实事项目进展情况{'-v2' if bump else ''}.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in TABLES
        }


def _load_in_process(paths: list[Path], tmp_path: Path, run_id: str) -> None:
    settings = RunSettings.build(
        db=tmp_path / "w.duckdb", raw_dir=tmp_path / "data" / "raw", region="乐清市"
    )
    results = [check_document(p, PeriodOptions(region="乐清市")) for p in paths]
    load_results(results, settings, run_id, datetime.now())


def test_kill_9_during_the_write_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load_in_process(
        [_month_file(tmp_path / "before", 7), _month_file(tmp_path / "before", 8)],
        tmp_path,
        "before",
    )
    before = _snapshot(db)
    assert len(before["progress"]) == 96

    # New July and August (each replaces its period: delete, then insert) and four new months.
    inbox = tmp_path / "inbox"
    _month_file(inbox, 7, bump=3)
    _month_file(inbox, 8, bump=5)
    for month in (9, 10, 11, 12):
        _month_file(inbox, month)
    process = _start(
        "ingest", str(inbox), "--region", "乐清市", "--db", str(db), cwd=tmp_path, pause=300
    )
    try:
        _wait_for_line(process, PAUSE_LINE, timeout=300)
        # A reader meanwhile waits for the lock, says so, and then sees the state before.
        reader = _start(
            "sql",
            "SELECT count(*) AS n FROM progress",
            "--db",
            str(db),
            "--format",
            "json",
            cwd=tmp_path,
        )
        _wait_for_line(reader, "in use by another process; waiting", timeout=120)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    stdout, stderr = reader.communicate(timeout=120)
    assert reader.returncode == 0, stderr
    assert json.loads(stdout) == [{"n": 96}]

    assert _snapshot(db) == before
    # The next run opens it for writing (replaying what DuckDB kept) and works normally.
    _load_in_process([inbox / "2022年9月民生实事项目进展情况.txt"], tmp_path, "after")
    after = _snapshot(db)
    assert len(after["progress"]) == 144
    assert {r[3] for r in after["reports"]} == {7, 8, 9}


def test_two_ingests_at_once_both_finish_and_the_second_says_it_waits(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    august = _month_file(tmp_path / "a", 8)
    september = _month_file(tmp_path / "b", 9)
    # Each holds its transaction open for a while, so whichever reaches the database second
    # finds it locked.
    first = _start(
        "ingest", str(august), "--region", "乐清市", "--db", str(db), cwd=tmp_path, pause=10
    )
    second = _start(
        "ingest", str(september), "--region", "乐清市", "--db", str(db), cwd=tmp_path, pause=10
    )
    outputs = [process.communicate(timeout=600) for process in (first, second)]
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


def test_sql_cannot_write(tmp_path: Path) -> None:
    _load_in_process([_month_file(tmp_path / "in", 8)], tmp_path, "run")
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
    assert len(_snapshot(tmp_path / "w.duckdb")["progress"]) == 48
