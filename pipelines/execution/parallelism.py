"""Where a run parses its documents: in this process, local worker processes, or Dask.

Parsing a PDF is CPU-bound, so a backfill of many documents parses them in processes (or on
Dask workers, which may be other machines); loading stays in the run's own process, one
writer. Every mode gives the same warehouse: results are gathered in document order. Worker
processes are forks of one server process per run that has imported the parsers (and no
Prefect); why, and the figures behind the
``auto`` choice, are in the README ("Running on a server and scaling out").
"""

from __future__ import annotations

import math
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from i18n import _
from pipelines.execution.interrupts import on_forced_exit
from pipelines.execution.preload import readers_to_preload
from pipelines.execution.startup import settle
from pipelines.execution.workers import KillablePool, TimedOut, warm_server

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


class ParallelismError(ValueError):
    """A ``--parallel``/``--workers``/``--dask-address`` value that cannot work; the message
    names the option. The command line reports it as it does any other bad option."""


@dataclass(frozen=True)
class Parallelism:
    """``mode``: threads | processes | dask; ``workers`` None for one per CPU."""

    mode: str = "threads"
    workers: int | None = None
    dask_address: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES[1:]:
            raise ParallelismError(
                _("--parallel {mode}: choose one of {modes}").format(
                    mode=self.mode, modes=", ".join(MODES)
                )
            )
        if self.workers is not None and self.workers < 1:
            raise ParallelismError(
                _("--workers {workers}: give 1 or more").format(workers=self.workers)
            )
        if self.dask_address is not None and self.mode != "dask":
            raise ParallelismError(_("--dask-address needs --parallel dask"))

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


def parse_weight(path: str | Path) -> tuple[bool, int]:
    """How heavy parsing ``path`` is, roughly, to start the heaviest first: a PDF (about
    ten times a text or Word file's CPU, ``PDF_SECONDS``), then the larger file."""
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        size = 0
    return str(path).lower().endswith(".pdf"), size


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
_parse_pool: KillablePool | None = None


@contextmanager
def _pool_of(
    workers: int, documents: Sequence[str | Path], *, end_server: bool = False
) -> Iterator[None]:
    global _parse_pool
    # Forks of the warm parse server, not of this process: forking this one would copy
    # Prefect's running threads (and their locks).
    with warm_server(readers_to_preload(documents), stop_after=end_server) as context:
        pool = KillablePool(workers, context)
        _parse_pool = pool
        try:
            # An interrupt that has to end the process before this block unwinds takes them.
            with on_forced_exit(pool.kill_workers):
                yield
        except BaseException:
            # Interrupted or failed: do not wait for documents nobody will use.
            pool.shutdown(kill=True)
            raise
        else:
            pool.shutdown()
        finally:
            _parse_pool = None


@contextmanager
def worker_processes(
    parallelism: Parallelism, documents: Sequence[str | Path] = ()
) -> Iterator[None]:
    """In ``processes`` mode, worker processes for the parse tasks of runs inside this block,
    with the readers of ``documents`` imported before they start.

    The parse server ends with the block: what comes next (a backfill's load, the report)
    does not use its memory. A flow's one worker (``bounded_parsing``) keeps it for the
    next flow run."""
    if parallelism.mode != "processes":
        yield
        return
    with _pool_of(parallelism.worker_count(), documents, end_server=True):
        yield


def start_parse_server(parallelism: Parallelism, documents: Sequence[str | Path]) -> None:
    """In ``processes`` mode, start the parse server now, before this process imports the
    rest of the run: the server imports the readers on the other core meanwhile, and the
    run's pool finds it ready (``warm_server`` keeps a server that has the readers)."""
    if parallelism.mode != "processes":
        return
    with warm_server(readers_to_preload(documents)):
        pass


@contextmanager
def bounded_parsing(documents: Sequence[str | Path] = ()) -> Iterator[None]:
    """Parse tasks that run in threads (a flow's) get one worker process, so that a document
    past its time limit can be stopped: a thread cannot be. Started on the first document;
    a run that already has worker processes keeps them."""
    if _parse_pool is not None:
        yield
        return
    with _pool_of(1, documents):
        yield


class _Alarm(BaseException):
    """Raised into a parse running here when its time is up (a BaseException: the readers'
    ``except Exception`` must not swallow it)."""


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Stop what runs inside after ``seconds`` with ``TimedOut``: the bound of a parse that
    runs in this process, without a worker to kill. Only the main thread receives signals;
    elsewhere the block runs unbounded."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum: int, frame: FrameType | None) -> None:
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Alarm:
        raise TimedOut(seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def in_worker(
    function: Callable[..., T],
    *args: Any,
    timeout: float | None = None,
    timed_out: Callable[[], T] | None = None,
) -> T:
    """``function(*args)`` in a worker process when a run has them, else right here.

    Past ``timeout`` seconds the worker is killed (here: the call is stopped, in the main
    thread) and ``timed_out()`` stands for the result; without ``timed_out``, ``TimedOut``.
    """
    settle()
    pool = _parse_pool
    try:
        if pool is None:
            with _deadline(timeout):
                return function(*args)
        return pool.submit(function, *args, timeout=timeout).result()
    except TimedOut:
        if timed_out is None:
            raise
        return timed_out()


def has_workers() -> bool:
    """Whether a run in this process now has worker processes."""
    return _parse_pool is not None


def map_in_workers(
    function: Callable[..., T], items: Iterable[Any], timeout: float | None = None
) -> Iterator[T]:
    """``map(function, items)`` spread over the run's worker processes (here if it has none).

    Results come in order, each as soon as it and those before it are done; an item past
    ``timeout`` seconds raises ``TimedOut`` (its worker killed).
    """
    settle()
    pool = _parse_pool
    if pool is None:
        return map(function, items)
    return pool.map(function, items, timeout=timeout)


def map_in_order(
    function: Callable[..., T],
    arguments: list[tuple[Any, ...]],
    on_done: Callable[[int], None],
    *,
    timeout: float | None = None,
    timed_out: Callable[[int], T] | None = None,
    weight: Callable[[int], Any] | None = None,
) -> list[T]:
    """``function(*args)`` for each of ``arguments``: all at once on the worker processes when
    a run has them, else one after the other here. Results in the order of ``arguments``;
    ``on_done(i)`` as each finishes. On the workers, the calls of the greatest ``weight(i)``
    start first: a backfill whose last task is a PDF ends with one worker idle while the
    other parses it.

    A call past ``timeout`` seconds is stopped (its worker killed) and ``timed_out(i)`` stands
    for its result; the others go on.
    """

    def stand_in(i: int) -> T:
        if timed_out is None:
            raise TimedOut(timeout or 0)
        return timed_out(i)

    settle()
    pool = _parse_pool
    if pool is None:
        results = []
        for i, args in enumerate(arguments):
            try:
                with _deadline(timeout):
                    results.append(function(*args))
            except TimedOut:
                results.append(stand_in(i))
            on_done(i)
        return results
    order = list(range(len(arguments)))
    if weight is not None:
        order.sort(key=weight, reverse=True)
    submitted = {i: pool.submit(function, *arguments[i], timeout=timeout) for i in order}
    index = {future: i for i, future in submitted.items()}
    for future in as_completed(index):
        on_done(index[future])
    out: list[T] = []
    for i in range(len(arguments)):
        future = submitted[i]
        try:
            out.append(future.result())
        except TimedOut:
            out.append(stand_in(i))
    return out
