"""A warehouse that cannot be written: one line naming the path, exit 1, and the validation
report written all the same. The read-only and full disks are real filesystems: a tmpfs
mounted read-only, or a tiny one, in a mount namespace of the run's own (``unshare``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import invoke, month_file


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True
    )
    return done.returncode == 0


needs_mount = pytest.mark.skipif(
    not _can_mount(), reason="needs unshare -rm and tmpfs mounts (user namespaces)"
)


def _minsheng_on_tmpfs(
    options: str, cwd: Path, *args: str, script: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``minsheng *args`` (or ``python -c script``) with a fresh tmpfs (mount ``options``) on
    ``cwd/disk``, seen by that process only."""
    (cwd / "disk").mkdir(exist_ok=True)
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "pipelines"]
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o {options} none disk && exec "$@"',
         "sh", *command, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _report(cwd: Path) -> dict:
    [path] = (cwd / "reports").glob("*.json")
    return json.loads(path.read_text("utf-8"))


def _assert_failed_with_report(done: subprocess.CompletedProcess[str], line: str, cwd: Path):
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines()[-1] == line, done.stderr
    assert "unexpected failure" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.startswith("validation report: reports/"), done.stdout
    report = _report(cwd)
    assert report["error"] == line.removeprefix("error: ")
    assert [(d["source_name"], d["status"], d["rows_loaded"]) for d in report["documents"]] == [
        ("2022年8月民生实事项目进展情况.txt", "rejected", 0)
    ]
    [issue] = report["documents"][0]["issues"][:1]
    assert issue["check"] == "warehouse_writable" and issue["action"] == "not loaded"
    return report


@pytest.mark.slow
@needs_mount
def test_a_read_only_disk_is_said_before_parsing_and_the_report_written(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    done = _minsheng_on_tmpfs(
        "ro", tmp_path, "ingest", "in", "--db", "disk/w.duckdb", "--reports-dir", "reports"
    )
    _assert_failed_with_report(
        done, f"error: disk/w.duckdb: cannot write in {tmp_path}/disk (read-only filesystem)",
        tmp_path,
    )  # fmt: skip


@pytest.mark.slow
@needs_mount
def test_a_full_disk_is_said_before_parsing_and_the_report_written(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    done = _minsheng_on_tmpfs(
        "size=1m", tmp_path, "ingest", "in", "--db", "disk/w.duckdb", "--reports-dir", "reports"
    )
    _assert_failed_with_report(
        done,
        "error: disk/w.duckdb: no space left on its disk (1,024 KB free; a run needs 16 MB)",
        tmp_path,
    )


@pytest.mark.slow
@needs_mount
def test_a_disk_that_fills_while_loading_rolls_back_and_writes_the_report(tmp_path: Path) -> None:
    """The place passes its check (here with no free space asked for) and the disk fills up
    while DuckDB writes: nothing is loaded, the report keeps what the checks found."""
    month_file(tmp_path / "in", 8)
    script = (
        "import sys\n"
        "import warehouse.place\n"
        "warehouse.place.MIN_FREE_BYTES = 0\n"
        "from pipelines.cli import main\n"
        "sys.argv = ['minsheng', *sys.argv[1:]]\n"
        "main()\n"
    )
    done = _minsheng_on_tmpfs(
        "size=64k", tmp_path, "ingest", "in", "--db", "disk/w.duckdb",
        "--reports-dir", "reports", "--region", "乐清市", script=script,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("error: ") and "disk/w.duckdb" in last, done.stderr
    assert "unexpected failure" not in done.stderr and "Traceback" not in done.stderr
    report = _report(tmp_path)
    [document] = report["documents"]
    assert (document["status"], document["rows_loaded"]) == ("rejected", 0)
    checks = [issue["check"] for issue in document["issues"]]
    assert checks[0] == "warehouse_writable" and len(checks) > 1  # the checks' warnings kept


def test_proc_fails_in_one_line_and_the_report_says_why(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    done = invoke(
        "ingest", "in", "--db", "/proc/w.duckdb", "--reports-dir", "reports", cwd=tmp_path
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: /proc/w.duckdb: this is on a proc filesystem, not a disk: choose another --db\n"
    )
    assert done.stdout.startswith("validation report: reports/")
    assert _report(tmp_path)["documents"][0]["status"] == "rejected"


def test_a_report_folder_that_is_a_file_stops_the_run_before_anything(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    (tmp_path / "reports").write_text("a file, not a folder")
    done = invoke("ingest", "in", "--db", "w.duckdb", "--reports-dir", "reports", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: cannot write validation reports in reports (it is a file, not a folder): nothing "
        "was read or loaded; pass --reports-dir with a folder you can write"
    ]
    assert not (tmp_path / "w.duckdb").exists()  # nothing committed: not even a warehouse


@needs_mount
def test_a_read_only_report_folder_stops_the_run_before_anything(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    done = _minsheng_on_tmpfs(
        "ro", tmp_path, "ingest", "in", "--db", "w.duckdb", "--reports-dir", "disk/reports",
        "--no-prefect",
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines()[-1] == (
        "error: cannot write validation reports in disk/reports (Read-only file system): nothing "
        "was read or loaded; pass --reports-dir with a folder you can write"
    ), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "w.duckdb").exists()


def test_validate_stops_too_when_its_report_cannot_be_written(tmp_path: Path) -> None:
    month_file(tmp_path / "in", 8)
    (tmp_path / "reports").write_text("a file, not a folder")
    done = invoke("validate", "in", "--reports-dir", "reports", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot write validation reports in reports (it is a file")


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_a_flow_run_fails_with_the_same_line_and_writes_the_report(tmp_path: Path) -> None:
    from pipelines.core.run import RunFailed
    from pipelines.flows.ingest import ingest_flow
    from pipelines.flows.run_flow import report_of

    good = month_file(tmp_path / "in", 8)
    state = ingest_flow(
        paths=[str(good)], db="/proc/w.duckdb", reports_dir=str(tmp_path / "reports"),
        return_state=True,
    )  # fmt: skip
    assert state.is_failed()
    with pytest.raises(RunFailed) as failed:
        report_of(state)
    assert str(failed.value) == (
        "/proc/w.duckdb: this is on a proc filesystem, not a disk: choose another --db"
    )
    assert _report(tmp_path)["documents"][0]["issues"][0]["check"] == "warehouse_writable"
