"""One loader at a time: a second one waits for the lock, then gives up with DatabaseBusy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checking import check_document
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings
from warehouse import DatabaseBusy
from warehouse.locking import lock_path, writer_lock


def hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that holds the writer lock for ``seconds``; returns once it has it."""
    code = textwrap.dedent(f"""
        import sys, time
        from warehouse.locking import writer_lock
        with writer_lock({str(db)!r}, wait_seconds=1):
            print("locked", flush=True)
            time.sleep({seconds})
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.process
def test_a_second_loader_waits_then_reports_the_database_busy(
    tmp_path: Path, sample_copy: Path
) -> None:
    db = tmp_path / "w.duckdb"
    settings = RunSettings(
        db=db, reports_dir=tmp_path / "r", raw_dir=tmp_path / "raw", lock_wait_seconds=1.0
    )
    result = check_document(sample_copy, PeriodOptions(region="乐清市"))
    holder = hold_lock(db, 30)
    told: list[str] = []
    try:
        with pytest.raises(DatabaseBusy, match="locked by another process for more than 1 s"):
            load_results([result], settings, "run1", datetime.now(), on_wait=told.append)
    finally:
        holder.kill()
        holder.wait()
    assert told == [f"{db} is in use by another process; waiting up to 1 s for it to finish"]
    assert not db.exists()  # nothing was written while the other loader held the lock

    [outcome] = load_results([result], settings, "run2", datetime.now())
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 48)
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)


def test_the_lock_is_free_again_after_a_load(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with writer_lock(db, wait_seconds=0):
        pass
    with writer_lock(db, wait_seconds=0):
        assert lock_path(db).name == "w.duckdb.lock"


def test_the_loader_task_retries_only_when_the_database_is_busy() -> None:
    from prefect.states import Failed

    from pipelines.flows.ingest import _retry_when_busy  # imports Prefect: here, not at collection

    assert _retry_when_busy(None, None, Failed(data=DatabaseBusy("locked")))
    assert not _retry_when_busy(None, None, Failed(data=ValueError("a bug")))
