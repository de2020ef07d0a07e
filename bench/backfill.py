"""Backfill timings: the same folder of reports ingested in threads, processes and on Dask.

    python -m bench.backfill [DOCUMENTS] [MODE ...]
    python -m bench.backfill pdf [COPIES]

Prints seconds per mode and checks that every mode leaves the same warehouse. Text reports
are made from the August sample (see tests/corpus.py). ``pdf`` times pdfplumber's table
extraction of the sample PDF, many times, in two threads and in two processes: the CPU-bound
part that the process and Dask modes exist for.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="minsheng-bench-prefect-"))


def main(argv: list[str]) -> None:
    from tests.corpus import write_reports

    count = int(argv[0]) if argv else 120
    modes = argv[1:] or ["threads", "processes", "dask"]
    work = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    documents = write_reports(work / "in", count)
    print(f"{len(documents)} documents, {os.cpu_count()} CPUs")
    from pipelines.flows.environment import configure_prefect_environment
    from pipelines.flows.temporary_server import prefect_api

    configure_prefect_environment(quiet=True)
    with prefect_api():  # one temporary server for every mode
        _compare_modes(documents, work, modes)


def _compare_modes(documents: list[Path], work: Path, modes: list[str]) -> None:
    from pipelines.core.settings import RunSettings
    from pipelines.execution.parallelism import choose_parallelism
    from pipelines.flows.run_flow import run_ingest_flow
    from tests.warehouse_snapshot import warehouse_snapshot

    # A first tiny run warms the server up, so no mode pays for that alone.
    run_ingest_flow(
        documents[:1],
        RunSettings.build(db=work / "warm.duckdb", reports_dir=work / "r", raw_dir=work / "raw"),
        load=False,
    )
    snapshots = {}
    for mode in modes:
        db = work / f"{mode}.duckdb"
        settings = RunSettings.build(db=db, reports_dir=work / "r", raw_dir=work / "raw")
        started = time.perf_counter()
        report = run_ingest_flow(
            [work / "in"], settings, load=True, parallelism=choose_parallelism(0, mode)
        )
        seconds = time.perf_counter() - started
        totals = report.totals
        print(
            f"{mode:<10} {seconds:6.1f} s  {seconds / len(documents) * 1000:6.0f} ms/document"
            f"  ({totals.rows_loaded} rows loaded, {totals.rows_quarantined} quarantined,"
            f" {totals.rejected} rejected)"
        )
        snapshots[mode] = warehouse_snapshot(db)
    first = next(iter(snapshots.values()))
    same = all(all(a.equals(b) for a, b in zip(first, s, strict=True)) for s in snapshots.values())
    print("same warehouse in every mode:", same)


def _extract(path: str) -> int:  # top level so that a process pool can pickle it
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(t) for page in pdf.pages for t in page.extract_tables())


def pdf_scaling(copies: int) -> None:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from tests.conftest import FIXTURES

    paths = [str(FIXTURES / "yueqing-2022-08.pdf")] * copies
    for name, pool in (
        ("1 thread", ThreadPoolExecutor(1)),
        ("2 threads", ThreadPoolExecutor(2)),
        ("2 processes", ProcessPoolExecutor(2)),
    ):
        started = time.perf_counter()
        with pool:
            rows = sum(pool.map(_extract, paths))
        seconds = time.perf_counter() - started
        print(f"{name:<12} {seconds:6.1f} s for {copies} PDFs ({rows // copies} table rows each)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pdf"]:
        pdf_scaling(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    else:
        main(sys.argv[1:])
