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
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from typing import Any, TypeVar, cast

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


class WorkerTimeout(Exception):
    """A call in a worker process ran past its time; the worker was killed."""


class WorkerDied(Exception):
    """A worker process ended during a call (killed for memory, or crashed)."""


def _serve(connection: Connection) -> None:
    """A worker's loop: run each ``(function, args)`` received and send back the outcome."""
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            outcome = (True, function(*args))
        except BaseException as exc:  # sent back and raised in the caller
            outcome = (False, exc)
        connection.send(outcome)


class _Worker:
    def __init__(self, context: SpawnContext) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=10)
        self.connection.close()


class WorkerPool:
    """Worker processes that each run one call at a time; a call past its time is killed.

    ``ProcessPoolExecutor`` cannot stop one running call: killing its worker breaks the
    whole pool and every other document with it. Here each call has a worker of its own
    until it returns; a worker that runs out of time is killed and replaced, and the others
    go on.
    """

    def __init__(self, workers: int) -> None:
        # "spawn", not "fork": forking would copy Prefect's running threads (and their locks).
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(workers):
            self._idle.put(None)  # started on first use
        self._all: list[_Worker] = []
        self._lock = threading.Lock()

    def call(self, function: Callable[..., T], *args: Any, timeout: float) -> T:
        """``function(*args)`` in a worker; WorkerTimeout after ``timeout`` seconds."""
        started = self._idle.get() or self._start()
        worker: _Worker | None = started  # None once retired: the next call starts another
        try:
            started.connection.send((function, args))
            if not started.connection.poll(timeout):
                self._retire(started, kill=True)
                worker = None
                raise WorkerTimeout(f"stopped after {timeout:g} s")
            ok, value = started.connection.recv()
        except (EOFError, OSError):
            if worker is not None:
                self._retire(started, kill=True)
                worker = None
            raise WorkerDied("the worker process ended (out of memory or crashed)") from None
        finally:
            self._idle.put(worker)
        if not ok:
            raise value
        return cast(T, value)

    def _start(self) -> _Worker:
        worker = _Worker(self._context)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.stop(kill=kill)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop(kill=False)


# The pool of the run now parsing in worker processes, if any (see ``worker_processes``).
_parse_pool: WorkerPool | None = None


@contextmanager
def worker_processes(parallelism: Parallelism) -> Iterator[None]:
    """In ``processes`` mode, worker processes for the parse tasks of runs inside this block."""
    global _parse_pool
    if parallelism.mode != "processes":
        yield
        return
    pool = WorkerPool(parallelism.worker_count())
    _parse_pool = pool
    try:
        yield
    finally:
        _parse_pool = None
        pool.close()


def in_worker(function: Callable[..., T], *args: Any, timeout: float) -> T:
    """``function(*args)`` in a worker process when a run has them, else right here.

    In a worker it is stopped after ``timeout`` seconds (WorkerTimeout); in this process it
    cannot be, as a thread cannot be killed.
    """
    pool = _parse_pool
    if pool is None:
        return function(*args)
    return pool.call(function, *args, timeout=timeout)
