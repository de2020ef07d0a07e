"""A backfill parsed in threads, in processes or on a Dask cluster loads the same warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.settings import RunSettings
from pipelines.execution.parallelism import (
    Parallelism,
    ParallelismError,
    choose_parallelism,
    processes_pay_off,
)
from pipelines.execution.progress import Progress
from pipelines.flows.run_flow import run_ingest_flow
from tests.corpus import write_reports
from tests.warehouse_snapshot import warehouse_snapshot

REPORTS = 6  # every fifth has a quarantined row; one more file is a copy of the first


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backfill") / "in"
    write_reports(folder, REPORTS)
    return folder


def flow_backfill(corpus: Path, tmp_path: Path, parallelism: Parallelism) -> Path:
    """The corpus through the ingest flow; the warehouse it leaves."""
    db = tmp_path / f"flow-{parallelism.mode}.duckdb"
    settings = RunSettings.build(db=db, reports_dir=tmp_path / "reports", raw_dir=tmp_path / "raw")
    seen: list[tuple[int, int]] = []
    report = run_ingest_flow(
        [corpus],
        settings,
        load=True,
        parallelism=parallelism,
        progress=Progress(document_done=lambda done, total, name: seen.append((done, total))),
    )
    assert seen == [
        (i, REPORTS + 1) for i in range(1, REPORTS + 2)
    ]  # the progress bar hears of every document
    totals = report.totals
    assert (totals.documents, totals.rows_loaded, totals.rows_quarantined) == (
        REPORTS + 1,
        REPORTS * 48 - REPORTS // 5,
        REPORTS // 5,
    )
    return db


def core_backfill(corpus: Path, tmp_path: Path, parallelism: Parallelism) -> Path:
    """The corpus through the pipeline core, as ``minsheng ingest`` without Prefect runs it."""
    from pipelines.core.discovery import discover_documents
    from pipelines.core.run import run_pipeline

    db = tmp_path / f"core-{parallelism.mode}.duckdb"
    settings = RunSettings.build(db=db, reports_dir=tmp_path / "r", raw_dir=tmp_path / "raw")
    seen: list[tuple[int, int]] = []
    report = run_pipeline(
        discover_documents([corpus]),
        settings,
        load=True,
        parallelism=parallelism,
        progress=Progress(document_done=lambda done, total, name: seen.append((done, total))),
    )
    assert seen == [(i, REPORTS + 1) for i in range(1, REPORTS + 2)]
    assert report.totals.rows_loaded == REPORTS * 48 - REPORTS // 5
    return db


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_processes_and_dask_in_the_core_or_a_flow_give_the_warehouse_of_a_serial_run(
    corpus: Path, tmp_path: Path
) -> None:
    serial = warehouse_snapshot(core_backfill(corpus, tmp_path, Parallelism("threads", workers=1)))
    reports, progress, quarantine, issues = serial
    assert len(reports) == REPORTS and len(progress) == REPORTS * 48 - REPORTS // 5
    assert len(quarantine) == REPORTS // 5
    assert progress.groupby(["region", "year", "month"]).ngroups == REPORTS
    others = [
        core_backfill(corpus, tmp_path, Parallelism("processes", 2)),
        flow_backfill(corpus, tmp_path, Parallelism("processes", 2)),
        # One Dask worker is enough to send every document through the cluster and back.
        flow_backfill(corpus, tmp_path, Parallelism("dask", 1)),
    ]
    for other in map(warehouse_snapshot, others):
        for mine, theirs in zip(serial, other, strict=True):
            assert mine.equals(theirs)


def test_auto_parses_many_pdfs_in_processes() -> None:
    assert choose_parallelism(0, "auto", workers=2).mode == "threads"
    assert choose_parallelism(5, "auto", workers=2).mode == "threads"
    assert choose_parallelism(6, "auto", workers=2).mode == "processes"
    assert choose_parallelism(3, "auto", workers=4).mode == "threads"
    assert choose_parallelism(4, "auto", workers=4).mode == "processes"
    assert not processes_pay_off(10_000, workers=1)
    assert choose_parallelism(1, "auto", dask_address="tcp://10.0.0.5:8786").mode == "dask"


def test_bad_parallel_options_name_the_option() -> None:
    with pytest.raises(ParallelismError, match="--parallel gpu"):
        choose_parallelism(5, "gpu")
    with pytest.raises(ParallelismError, match="--workers 0"):
        choose_parallelism(5, "processes", workers=0)
    with pytest.raises(ParallelismError, match="--dask-address needs --parallel dask"):
        choose_parallelism(5, "processes", dask_address="tcp://x:1")
