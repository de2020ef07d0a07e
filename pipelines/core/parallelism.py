"""Where a run parses its documents: threads, local worker processes, or a Dask cluster.

Parsing a PDF is CPU-bound, so a backfill of many documents parses them in processes (or on
Dask workers, which may be other machines); loading stays in the flow's own process, one
writer. Every mode gives the same warehouse: results are gathered in document order.

In ``processes`` mode the parse tasks stay Prefect tasks in this process's threads (one per
document, as always) and hand their document to a pool of plain worker processes. Prefect's
own ``ProcessPoolTaskRunner`` was measured slower than threads on two CPUs: each of its
workers imports Prefect and runs the task engine (about 7 s to start the pool, 0.13 s more per
task), which ate the gain; plain workers import only the parsers (about 2 s) and cost a pickle
per document.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pipelines.core.settings import SettingsError

# Measured on two CPUs (python -m bench.backfill): a 7-page PDF takes about 0.4 s of CPU to
# parse and gains nothing from threads; text and Word files take milliseconds. Two worker
# processes start, import the parsers and parse their first Word file in about 0.7 s; sending
# a document's rows back costs milliseconds. Processes pay off when the CPU time they share
# out exceeds those costs.
PDF_SECONDS = 0.4
POOL_START_SECONDS = 1.0
PROCESS_TASK_SECONDS = 0.01
MODES = ("auto", "threads", "processes", "dask")
# Parsing holds the GIL, so more threads only add switching: 108 mixed documents took 1.08×
# the direct calls' time with 1 thread, 1.14× with 2, 1.25× with 4 and 1.31× with 16. Two
# still overlap one document's file reads and Prefect's bookkeeping with another's parse.
DEFAULT_THREADS = 2


@dataclass(frozen=True)
class Parallelism:
    """``mode``: threads | processes | dask; ``workers`` None for one per CPU."""

    mode: str = "threads"
    workers: int | None = None
    dask_address: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES[1:]:
            raise SettingsError(f"--parallel {self.mode}: choose one of {', '.join(MODES)}")
        if self.workers is not None and self.workers < 1:
            raise SettingsError(f"--workers {self.workers}: give 1 or more")
        if self.dask_address is not None and self.mode != "dask":
            raise SettingsError("--dask-address needs --parallel dask")

    def describe(self) -> str:
        if self.mode == "dask":
            where = self.dask_address or f"a local cluster of {self.worker_count()} processes"
            return f"parsing on Dask ({where})"
        if self.mode == "processes":
            return f"parsing in {self.worker_count()} processes"
        return "parsing in threads"

    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


def choose_parallelism(
    pdfs: int,
    mode: str = "auto",
    workers: int | None = None,
    dask_address: str | None = None,
) -> Parallelism:
    """The parallelism for a run with ``pdfs`` PDF documents.

    ``auto`` picks processes when they are expected to finish sooner than threads: from
    6 PDFs on two CPUs, 4 on four; text and Word files alone parse in threads.
    """
    if dask_address is not None and mode == "auto":
        mode = "dask"
    if mode == "auto":
        mode = "processes" if processes_pay_off(pdfs, workers or os.cpu_count() or 1) else "threads"
    return Parallelism(mode=mode, workers=workers, dask_address=dask_address)


def processes_pay_off(pdfs: int, workers: int) -> bool:
    """Whether ``workers`` processes would parse ``pdfs`` PDFs sooner than threads."""
    saved_per_pdf = PDF_SECONDS - PDF_SECONDS / workers - PROCESS_TASK_SECONDS
    return workers > 1 and pdfs * saved_per_pdf > POOL_START_SECONDS


T = TypeVar("T")

# The pool of the run now parsing in worker processes, if any (see ``worker_processes``).
_parse_pool: ProcessPoolExecutor | None = None


@contextmanager
def worker_processes(parallelism: Parallelism) -> Iterator[None]:
    """In ``processes`` mode, worker processes for the parse tasks of runs inside this block."""
    global _parse_pool
    if parallelism.mode != "processes":
        yield
        return
    # "spawn", not "fork": forking would copy Prefect's running threads (and their locks).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=parallelism.worker_count(), mp_context=context) as pool:
        _parse_pool = pool
        try:
            yield
        finally:
            _parse_pool = None


def in_worker(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker process when a run has them, else right here."""
    pool = _parse_pool
    if pool is None:
        return function(*args)
    return pool.submit(function, *args).result()
