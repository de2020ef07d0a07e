"""Where a run parses its documents: in this process, local worker processes, or Dask.

Parsing a PDF is CPU-bound, so a backfill of many documents parses them in processes (or on
Dask workers, which may be other machines); loading stays in the run's own process, one
writer. Every mode gives the same warehouse: results are gathered in document order. Worker
processes are plain ones that import only the parsers; why, and the figures behind the
``auto`` choice, are in the README ("Running on a server and scaling out").
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from i18n import _
from pipelines.core.settings import SettingsError
from pipelines.core.watchdog import exit_with_parent, terminate

# The costs ``auto`` weighs (seconds on two CPUs, from ``python -m bench.backfill``): the
# CPU time of one PDF, starting a pool of two workers, and sending one document to a worker.
PDF_SECONDS = 0.4
POOL_START_SECONDS = 1.0
# OCR of a scanned page at 200 dpi (python -m bench.ocr): seconds of one core; each worker
# process loads the models once first.
OCR_PAGE_SECONDS = 5.0
OCR_START_SECONDS = 1.0
PROCESS_TASK_SECONDS = 0.01
MODES = ("auto", "threads", "processes", "dask")
# Parsing holds the GIL: a flow's parse tasks gain nothing from more than two threads.
DEFAULT_THREADS = 2


@dataclass(frozen=True)
class Parallelism:
    """``mode``: threads | processes | dask; ``workers`` None for one per CPU."""

    mode: str = "threads"
    workers: int | None = None
    dask_address: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES[1:]:
            raise SettingsError(
                _("--parallel {mode}: choose one of {modes}").format(
                    mode=self.mode, modes=", ".join(MODES)
                )
            )
        if self.workers is not None and self.workers < 1:
            raise SettingsError(
                _("--workers {workers}: give 1 or more").format(workers=self.workers)
            )
        if self.dask_address is not None and self.mode != "dask":
            raise SettingsError(_("--dask-address needs --parallel dask"))

    def describe(self) -> str:
        if self.mode == "dask":
            where = self.dask_address or _("a local cluster of {n} processes").format(
                n=self.worker_count()
            )
            return _("parsing on Dask ({where})").format(where=where)
        if self.mode == "processes":
            return _("parsing in {n} processes").format(n=self.worker_count())
        return _("parsing in threads")

    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


def choose_parallelism(
    pdfs: int,
    mode: str = "auto",
    workers: int | None = None,
    dask_address: str | None = None,
    ocr_pages: int = 0,
) -> Parallelism:
    """The parallelism for a run with ``pdfs`` PDF documents and ``ocr_pages`` scanned pages.

    ``auto`` picks processes when they are expected to finish sooner than threads: from
    6 PDFs on two CPUs, 4 on four, or 2 scanned pages; text and Word files alone parse in
    threads.
    """
    if dask_address is not None and mode == "auto":
        mode = "dask"
    if mode == "auto":
        count = workers or os.cpu_count() or 1
        pay = processes_pay_off(pdfs, count, ocr_pages)
        mode = "processes" if pay else "threads"
    return Parallelism(mode=mode, workers=workers, dask_address=dask_address)


def processes_pay_off(pdfs: int, workers: int, ocr_pages: int = 0) -> bool:
    """Whether ``workers`` processes would parse ``pdfs`` PDFs and OCR ``ocr_pages`` scanned
    pages sooner than threads."""
    saved_per_pdf = PDF_SECONDS - PDF_SECONDS / workers - PROCESS_TASK_SECONDS
    # Pages are read in rounds of ``workers``; one page gains nothing.
    saved_on_pages = (ocr_pages - math.ceil(ocr_pages / workers)) * OCR_PAGE_SECONDS
    saved = pdfs * saved_per_pdf + saved_on_pages
    return workers > 1 and saved > POOL_START_SECONDS + OCR_START_SECONDS * (ocr_pages > 0)


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
    pool = ProcessPoolExecutor(
        max_workers=parallelism.worker_count(), mp_context=context, initializer=exit_with_parent
    )
    _parse_pool = pool
    try:
        yield
    except BaseException:
        # Interrupted or failed: do not wait for documents nobody will use.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        terminate([w.pid for w in workers if w.pid is not None], grace_seconds=1.0)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _parse_pool = None


def in_worker(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker process when a run has them, else right here."""
    pool = _parse_pool
    if pool is None:
        return function(*args)
    return pool.submit(function, *args).result()


def has_workers() -> bool:
    """Whether a run in this process now has worker processes."""
    return _parse_pool is not None


def map_in_workers(function: Callable[..., T], items: Iterable[Any]) -> Iterator[T]:
    """``map(function, items)`` spread over the run's worker processes (here if it has none).

    Results come in order, each as soon as it and those before it are done.
    """
    pool = _parse_pool
    if pool is None:
        return map(function, items)
    return pool.map(function, items)


def map_in_order(
    function: Callable[..., T], arguments: list[tuple[Any, ...]], on_done: Callable[[int], None]
) -> list[T]:
    """``function(*args)`` for each of ``arguments``: all at once on the worker processes when
    a run has them, else one after the other here. Results in the order of ``arguments``;
    ``on_done(i)`` as each finishes."""
    pool = _parse_pool
    if pool is None:
        results = []
        for i, args in enumerate(arguments):
            results.append(function(*args))
            on_done(i)
        return results
    futures = [pool.submit(function, *args) for args in arguments]
    index = {future: i for i, future in enumerate(futures)}
    for future in as_completed(futures):
        on_done(index[future])
    return [future.result() for future in futures]
