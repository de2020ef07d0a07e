"""A document that never finishes parsing is stopped at ``--parse-timeout`` and rejected; the
other documents of the run load. The hang is real: ``MINSHENG_FAULT_HANG_PARSE`` makes the
parse of the file it names sleep for ever, in whichever process parses it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import pytest

from tests.helpers import ingest_in_flow, invoke, month_file, run_measuring_peak
from tests.parsers.test_limits import RSS_CAP_BYTES

HANG = "MINSHENG_FAULT_HANG_PARSE"
# Limits well above a warm parse of a month (0.05 s) and the imports a first parse may do.
DESK_LIMIT, WORKER_LIMIT = 3, 6


def stopped(seconds: int) -> str:
    return (
        f"parsing took longer than {seconds} s (the limit, --parse-timeout): stopped; "
        "a monthly report parses in seconds"
    )


def _inbox(folder: Path) -> tuple[Path, Path]:
    """A good August and a September whose parse hangs."""
    return month_file(folder, 8), month_file(folder, 9)


def _loaded_months(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(
            "SELECT source_name, status, rows_loaded FROM reports ORDER BY source_name"
        ).fetchall()


@pytest.mark.waits
def test_at_the_desk_the_parse_in_this_process_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.core.checking import check_document
    from pipelines.core.settings import PeriodOptions

    good, hung = _inbox(tmp_path / "in")
    check_document(good, PeriodOptions(region="乐清市"))  # the readers' imports done, as at a desk
    monkeypatch.setenv(HANG, hung.name)
    done = invoke(
        "ingest", "in", "--region", "乐清市", "--db", "w.duckdb", "--parallel", "threads",
        "--parse-timeout", str(DESK_LIMIT), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"rejected  {hung.name}  period unknown  {stopped(DESK_LIMIT)}" in done.stdout
    assert f"loaded    {good.name}  乐清市 2022-08  48 rows loaded, 0 quarantined" in done.stdout
    assert _loaded_months(tmp_path / "w.duckdb") == [
        (good.name, "loaded", 48),
        (hung.name, "rejected", 0),
    ]
    report = next((tmp_path / "data" / "reports").glob("*.json")).read_text("utf-8")
    assert stopped(DESK_LIMIT) in report and '"check": "within_limits"' in report


@pytest.mark.slow
def test_worker_processes_kill_the_hung_one_and_parse_the_rest(tmp_path: Path) -> None:
    good, hung = _inbox(tmp_path / "in")
    env = {**os.environ, HANG: hung.name, "PREFECT_HOME": str(tmp_path / ".prefect")}
    env.pop("PREFECT_API_URL", None)
    with (tmp_path / "out.txt").open("w") as out, (tmp_path / "err.txt").open("w") as err:
        code, peak = run_measuring_peak(
            [sys.executable, "-m", "pipelines", "ingest", "in", "--region", "乐清市",
             "--db", "w.duckdb", "--parallel", "processes", "--workers", "2",
             "--parse-timeout", str(WORKER_LIMIT), "--no-prefect"],
            tmp_path / "peak.txt", cwd=tmp_path, env=env, stdout=out, stderr=err, timeout=300,
        )  # fmt: skip
    stdout = (tmp_path / "out.txt").read_text("utf-8")
    # the run ends: a worker left sleeping would keep it waiting for ever
    assert code == 1, stdout + (tmp_path / "err.txt").read_text("utf-8")
    assert f"rejected  {hung.name}  period unknown  {stopped(WORKER_LIMIT)}" in stdout
    assert f"loaded    {good.name}  乐清市 2022-08  48 rows loaded" in stdout
    assert "2 documents, 48 rows loaded, 0 quarantined" in stdout
    assert peak < RSS_CAP_BYTES


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_a_flow_parses_in_a_worker_it_can_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, hung = _inbox(tmp_path / "in")
    monkeypatch.setenv(HANG, hung.name)
    state, report = ingest_in_flow(
        [good, hung], tmp_path, region="乐清市", parse_timeout=WORKER_LIMIT
    )
    assert state.is_failed()
    statuses = {d["source_name"]: (d["status"], d["rows_loaded"]) for d in report["documents"]}
    assert statuses == {good.name: ("loaded", 48), hung.name: ("rejected", 0)}
    [issue] = next(d for d in report["documents"] if d["source_name"] == hung.name)["issues"]
    assert issue["message"] == stopped(WORKER_LIMIT) and issue["check"] == "within_limits"
