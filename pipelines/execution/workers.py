"""Worker processes that can be stopped one at a time: a document that parses too long loses
its worker, the others go on.

``concurrent.futures.ProcessPoolExecutor`` cannot do that: killing one of its workers breaks
the pool and fails every document still in it. Here each worker runs one task at a time over
its own pipe, a manager thread hands out tasks and watches each task's deadline, and a worker
past its deadline is killed (SIGKILL: a parser stuck in C code ignores anything milder) and
replaced when there is more to do. A worker that dies on its own (a crash, the OOM killer)
fails only its task. Workers start on first use, so a pool nobody needs costs nothing.

A run's pool takes its workers from ``warm_server()``: forks of one server process that has
imported the readers (``pipelines.execution.parse_server``), so a worker costs milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import context as mp_context
from multiprocessing.connection import Connection, wait
from typing import Any

import i18n
from i18n import _
from pipelines.execution.watchdog import exit_with_parent


class TimedOut(Exception):
    """A task ran past its deadline; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(_("still running after {seconds:g} s: stopped").format(seconds=seconds))
        self.seconds = seconds


class WorkerDied(Exception):
    """A worker process ended in the middle of a task (a crash, or killed from outside)."""


# The parse server as this process knows it: the readers it was asked to preload, and how
# many pools now take workers from it (it is stopped or restarted only when none does).
_server_lock = threading.Lock()
_serving: frozenset[str] = frozenset()
_pools = 0


@contextmanager
def warm_server(
    readers: Sequence[str] = (), *, stop_after: bool = False
) -> Iterator[mp_context.ForkServerContext]:
    """The context whose processes are forks of the warm parse server (see the module's
    docstring), with ``readers`` imported (``pipelines.execution.preload``), for a pool's
    life. The server starts now, or again when the one running lacks one of them and no
    pool uses it (else a worker imports what it lacks itself); it ends with this process,
    ``kill -9`` included, or with the last pool, when ``stop_after``: it holds the readers
    (about 80 MB) that a backfill's load and report do not use, when the load needs memory
    most. A later pool starts it again (a second of CPU, beside that run's parse)."""
    global _serving, _pools
    from multiprocessing import forkserver, resource_tracker

    with _server_lock:
        if _pools == 0 and not set(readers) <= _serving:
            _stop_server()
            _serving |= frozenset(readers)
        context = multiprocessing.get_context("forkserver")
        # (a server that died is started again with the same readers)
        context.set_forkserver_preload(["pipelines.execution.parse_server", *sorted(_serving)])
        # Ctrl-C is the run's to handle, not the server's: it starts with SIGINT blocked (as
        # multiprocessing's resource tracker does) until it ignores it, so that a Ctrl-C
        # while it imports the readers prints no traceback of its own. (The tracker first:
        # starting it unblocks SIGINT in this thread again.)
        resource_tracker.ensure_running()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        _pools += 1
    try:
        yield context
    finally:
        with _server_lock:
            _pools -= 1
            if stop_after and _pools == 0:
                _stop_server()
                _serving = frozenset()


def _stop_server() -> None:
    """End the fork server, if it runs (its workers must be gone: each holds the pipe whose
    closing tells it to exit)."""
    from multiprocessing import forkserver

    # ``_stop`` is how CPython's own tests end the server: close this process's end of that
    # pipe, and wait for it.
    stop = getattr(forkserver._forkserver, "_stop", None)  # type: ignore[attr-defined]
    if stop is None:
        return
    try:
        stop()
    except OSError:  # reaped already, or gone: nothing is left to stop
        pass


def _serve(conn: Connection, environ: dict[str, str]) -> None:
    """A worker's life: run each task it is sent, send back its result or its exception.

    ``environ`` is the parent's when it started the worker: a forked worker would otherwise
    have the server's, from the run's first pool (the language, a test's settings).
    """
    exit_with_parent()
    if environ != dict(os.environ):
        os.environ.clear()
        os.environ.update(environ)
        i18n.use_language(i18n.choose_language())
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        # Unpickling the task imported what it needs: its time starts now, not before.
        conn.send(("started", None))
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except BaseException as exc:  # the task's failure is the caller's to judge
            reply = ("error", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # a result or exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Task:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    timeout: float | None
    future: Future[Any] = field(default_factory=Future)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: _Task | None = None
    deadline: float = float("inf")  # of its task, from when the task started


class KillablePool:
    """``workers`` processes from ``context``; ``submit`` gives a Future per task."""

    def __init__(self, workers: int, context: Any) -> None:
        self._size = workers
        self._context = context
        self._pending: deque[_Task] = deque()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._wake_read, self._wake_write = context.Pipe(duplex=False)
        self._closing = False
        self._manager: threading.Thread | None = None

    # -- the caller's side -------------------------------------------------------------------

    def submit(
        self, function: Callable[..., Any], *args: Any, timeout: float | None = None
    ) -> Future[Any]:
        """Run ``function(*args)`` in a worker; past ``timeout`` seconds of running, the
        worker is killed and the Future raises ``TimedOut``."""
        task = _Task(function, args, timeout)
        with self._lock:
            if self._closing:
                raise RuntimeError("the pool is shut down")
            self._pending.append(task)
            if self._manager is None:
                self._manager = threading.Thread(
                    target=self._manage, name="worker-pool", daemon=True
                )
                self._manager.start()
        self._wake()
        return task.future

    def map(
        self, function: Callable[..., Any], items: Iterable[Any], timeout: float | None = None
    ) -> Iterator[Any]:
        """``function(item)`` for each item, in order; each item's result as soon as it and
        those before it are done."""
        futures = [self.submit(function, item, timeout=timeout) for item in items]
        return (future.result() for future in futures)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def kill_workers(self) -> None:
        """SIGKILL every worker now, taking no lock: for a process about to exit at once."""
        for worker in list(self._workers):
            self._kill(worker)

    def shutdown(self, *, kill: bool = False) -> None:
        """Stop the workers: at once with ``kill`` (tasks not done fail), else when the tasks
        submitted so far are done."""
        with self._lock:
            self._closing = True
            if kill:
                while self._pending:
                    self._pending.popleft().future.cancel()
        if kill:
            for worker in list(self._workers):
                self._kill(worker)
        self._wake()
        if self._manager is not None:
            self._manager.join()
        for worker in self._workers:
            self._retire(worker)
        self._workers.clear()
        self._wake_read.close()
        self._wake_write.close()

    # -- the manager thread ------------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_write.send_bytes(b"")
        except OSError:
            pass

    def _manage(self) -> None:
        while True:
            with self._lock:
                self._hand_out()
                busy = [w for w in self._workers if w.task is not None]
                if self._closing and not busy and not self._pending:
                    return
            now = time.monotonic()
            nearest = min((w.deadline for w in busy), default=float("inf"))
            ready = wait(
                [self._wake_read, *(w.conn for w in busy)],
                timeout=None if nearest == float("inf") else max(nearest - now, 0.0),
            )
            if self._wake_read in ready:
                while self._wake_read.poll():
                    self._wake_read.recv_bytes()
            for worker in busy:
                if worker.conn in ready:
                    self._collect(worker)
                elif worker.deadline <= time.monotonic():
                    self._time_out(worker)

    def _hand_out(self) -> None:
        """Give pending tasks to idle workers, starting workers up to the pool's size."""
        while self._pending:
            idle = next((w for w in self._workers if w.task is None), None)
            if idle is None and len(self._workers) < self._size:
                idle = self._start()
            if idle is None:
                return
            task = self._pending.popleft()
            if not task.future.set_running_or_notify_cancel():
                continue
            try:
                idle.conn.send((task.function, task.args))
            except Exception as exc:  # arguments that do not pickle, or a dead worker
                task.future.set_exception(exc)
                continue
            idle.task = task  # its deadline is set when the worker says it started

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(theirs, dict(os.environ)), name="minsheng-worker"
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _collect(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        try:
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            with self._lock:
                self._drop(worker)
            code = worker.process.exitcode
            task.future.set_exception(
                WorkerDied(_("the worker process ended (exit code {code})").format(code=code))
            )
            return
        if kind == "started":
            if task.timeout is not None:
                worker.deadline = time.monotonic() + task.timeout
            return
        worker.task, worker.deadline = None, float("inf")
        if kind == "ok":
            task.future.set_result(value)
        else:
            task.future.set_exception(value)

    def _time_out(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None and task.timeout is not None
        with self._lock:
            self._kill(worker)
            self._drop(worker)
        task.future.set_exception(TimedOut(task.timeout))

    def _kill(self, worker: _Worker) -> None:
        if worker.process.pid is not None:
            try:
                os.kill(worker.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _drop(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        worker.conn.close()
        worker.process.join()

    def _retire(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
        except OSError:
            pass
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            self._kill(worker)
            worker.process.join()
        worker.conn.close()
