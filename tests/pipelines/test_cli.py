"""The ``minsheng`` command as a user runs it: a real process, exit codes, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE_NAME
from tests.pipelines.test_flow import broken_sample


def minsheng(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ingest_of_broken_rows_exits_1_without_traceback_then_sql_reads(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    done = minsheng("ingest", str(path), "--region", "乐清市", "--db", "w.duckdb", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert f"partial   {SAMPLE_NAME}" in done.stdout
    assert "45 rows loaded, 3 quarantined" in done.stdout
    assert "line 3: completion rate '待核实' is not a percentage" in done.stdout
    report_line = next(
        line for line in done.stdout.splitlines() if line.startswith("validation report:")
    )
    assert "data/reports/" in report_line

    query = minsheng(
        "sql",
        "SELECT count(*) AS n FROM progress",
        "--db",
        "w.duckdb",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 45}]

    drop = minsheng("sql", "DROP TABLE progress", "--db", "w.duckdb", cwd=tmp_path)
    assert drop.returncode == 1
    assert "read-only" in drop.stderr and "Traceback" not in drop.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = minsheng("ingest", "nowhere.txt", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere.txt: no such file or folder" in missing.stderr
    bad_month = minsheng("validate", str(tmp_path), "--month", "13", cwd=tmp_path)
    assert bad_month.returncode == 2 and "Traceback" not in bad_month.stderr


def test_sql_error_is_one_line(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    minsheng("ingest", str(path), "--region", "乐清市", "--db", "w.duckdb", cwd=tmp_path)
    done = minsheng("sql", "SELECT nope FROM progress", "--db", "w.duckdb", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "nope" in done.stderr
