"""Ctrl-C and SIGTERM: stop the run at once, roll back, and say whether anything was loaded.

Inside ``stop_on_signals`` both signals raise ``Interrupted`` in the main thread, wherever it
is: the load's open transaction rolls back on the way out (``warehouse.load``). A run that
does not unwind within ``grace_seconds`` (a library thread that does not let go), or gets a
second signal, is ended anyway, after its children are stopped: an uncommitted transaction
never reaches the file.
Once the load has committed (``record_commit``) the last line says how many rows were
loaded, and the exit status is the run's own, not 130/143.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.machinery import ExtensionFileLoader
from types import FrameType

from i18n import N_, _

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
#: How long a run may take to unwind after a signal before it is ended anyway. A run in this
#: process only rolls back (milliseconds); a flow run also tells its API that it ended, a
#: request a busy server answers in a second or more (measured up to 1.1 s beside a CPU-bound
#: process), and ended before that answer it would stay Running for ever.
GRACE_SECONDS = 1.0
FLOW_RUN_GRACE_SECONDS = 30.0
NOTHING_LOADED = N_("interrupted: nothing was loaded")


class _Committed:
    """What this process's load commits, and whether it has (``expect_commit``): an interrupt
    after the commit says so, with the run's own exit status, instead of "nothing"."""

    done: threading.Event | None = None
    rows: int = 0
    exit_code: int = 0
    reports_dir: str = ""


_committed = _Committed()
# The interrupt being raised, kept here too: a library that turns it into its own error
# (DuckDB's "Query interrupted" while a statement runs) must not hide it.
_pending: list[Interrupted] = []


def expect_commit(
    done: threading.Event, rows: int, *, rejected_any: bool, reports_dir: str
) -> None:
    """The load about to run commits ``rows`` rows; ``done`` is set the moment it has (the
    warehouse sets it, also when an interrupt comes right after the COMMIT)."""
    _committed.done = done
    _committed.rows = rows
    _committed.exit_code = 1 if rejected_any else 0
    _committed.reports_dir = reports_dir


def forget_commit() -> None:
    """A new run in this process (tests, a served deployment) starts with nothing committed."""
    _committed.done = None
    _pending.clear()
    _announced.clear()


def committed_rows() -> int | None:
    """Rows this process's load committed, or None if it has not committed."""
    done = _committed.done
    return _committed.rows if done is not None and done.is_set() else None


def pending_interrupt() -> Interrupted | None:
    """The interrupt this process received, if any (see ``_pending``)."""
    return _pending[0] if _pending else None


def interrupt_message() -> str:
    """The one line an interrupt ends with, saying whether the load had committed."""
    rows = committed_rows()
    if rows is None:
        return _(NOTHING_LOADED)
    return _(
        "interrupted after the load was committed: {rows} rows were loaded; the validation "
        "report is in {folder}"
    ).format(rows=rows, folder=_committed.reports_dir)


def interrupt_exit_code(signum: int) -> int:
    """130/143 when nothing was loaded; the run's own status (0, or 1 if it rejected
    something) when its load had committed."""
    if committed_rows() is not None:
        return _committed.exit_code
    return EXIT_CODES.get(signal.Signals(signum), 128 + signum)


class Interrupted(BaseException):
    """The user or the system asked the run to stop (a BaseException: nothing catches it).

    Its message and exit code say whether the load had committed (``record_commit``).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return interrupt_exit_code(self.signum)

    @property
    def committed(self) -> bool:
        return committed_rows() is not None

    def message(self) -> str:
        return interrupt_message()


_announced = threading.Event()


def announce(text: str) -> None:
    """Print the interrupt's one line on stderr, once."""
    if not _announced.is_set():
        _announced.set()
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        # Straight to the file descriptor: this may run while the process is going down.
        os.write(2, (text + "\n").encode())
        # It is the run's last word: what libraries still print while the process goes down
        # (Prefect's crash report from the unwinding flow, a closing worker) must not follow.
        logging.disable(logging.CRITICAL)
        try:
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 2)
            os.close(quiet)
        except OSError:
            pass


def redeliver_swallowed_interrupts() -> None:
    """Make an interrupt that lands where Python ignores exceptions count all the same.

    A signal handler raises in whatever the main thread is running. When that is a weakref
    callback or a ``__del__`` (the import system's module-lock callbacks run all the time),
    Python prints the exception as "Exception ignored in …" with a traceback and carries on:
    the interrupt is lost and the user sees a traceback. Installed as ``sys.unraisablehook``,
    this raises it again in the main thread as soon as that code has returned; any other
    unraisable exception is printed as before.
    """
    default = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        exc = unraisable.exc_value
        if not isinstance(exc, Interrupted | KeyboardInterrupt):
            default(unraisable)
            return
        if threading.current_thread() is not threading.main_thread():
            _end_now(getattr(exc, "signum", signal.SIGINT))
            return
        # What the handler left for a second signal stays in force after the raise.
        after = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

        def again(signum: int, frame: FrameType | None) -> None:
            for sig, handler in after.items():
                signal.signal(sig, handler)
            raise_when_safe(exc, frame)

        signal.signal(signal.SIGINT, again)
        # Raised in this hook or in the callback, it would be ignored again: it is sent from
        # another thread once the main thread has left both.
        frames = [sys._getframe()]
        tb = unraisable.exc_traceback
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        threading.Thread(target=_signal_once_left, args=(frames,), daemon=True).start()

    sys.unraisablehook = hook


def extension_being_initialised(frame: FrameType | None) -> list[FrameType]:
    """The frames, in the main thread's stack from ``frame`` up, of a compiled module being
    initialised. Its initialisation may call Python code (DuckDB's, built with nanobind, makes
    its enums with ``enum.Enum``); an exception raised there fails it fatally, with a
    "Critical nanobind error" and a traceback, instead of stopping the run."""
    found = []
    while frame is not None:
        if frame.f_code.co_name in ("create_module", "exec_module") and isinstance(
            frame.f_locals.get("self"), ExtensionFileLoader
        ):
            found.append(frame)
        frame = frame.f_back
    return found


def raise_when_safe(interrupted: BaseException, frame: FrameType | None) -> None:
    """Raise ``interrupted`` from a signal handler now, or, when the signal landed inside a
    compiled module's initialisation, in the main thread as soon as that is done."""
    held = extension_being_initialised(frame)
    if not held:
        raise interrupted
    after = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    waiting = threading.Event()  # a thread will send the held interrupt

    def wait_for(frames: list[FrameType]) -> None:
        waiting.set()
        threading.Thread(target=_signal_once_left, args=(frames, waiting), daemon=True).start()

    def again(signum: int, frame: FrameType | None) -> None:
        held = extension_being_initialised(frame)
        if held:
            # A second Ctrl-C while the thread still waits: it sends its own. Its own signal,
            # landed in the next compiled module's initialisation (an import runs several in a
            # row): held again, never dropped.
            if not waiting.is_set():
                wait_for(held)
            return
        for sig, handler in after.items():
            signal.signal(sig, handler)
        raise interrupted

    signal.signal(signal.SIGINT, again)
    wait_for(held)


def _signal_once_left(
    frames: list[FrameType], waiting: threading.Event | None = None, wait_seconds: float = 5.0
) -> None:
    """SIGINT to this process as soon as none of ``frames`` runs in the main thread (clearing
    ``waiting`` just before)."""
    main = threading.main_thread().ident
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(main) if main is not None else None
        running = []
        while frame is not None:
            running.append(frame)
            frame = frame.f_back
        if not any(f is g for f in running for g in frames):
            break
        time.sleep(0.001)
    if waiting is not None:
        waiting.clear()
    os.kill(os.getpid(), signal.SIGINT)


# What to stop before a forced exit: children this process started (see ``on_forced_exit``).
_cleanups: list[Callable[[], None]] = []


@contextmanager
def on_forced_exit(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` (stop a child process) also when an interrupt has to end the process."""
    _cleanups.append(cleanup)
    try:
        yield
    finally:
        _cleanups.remove(cleanup)


def _end_now(signum: int) -> None:
    """Stop this process's children, say the last line, and leave with its status."""
    for cleanup in reversed(list(_cleanups)):
        try:
            cleanup()
        except Exception:
            pass
    announce(interrupt_message())
    os._exit(interrupt_exit_code(signum))


def _force_exit(signum: int, delay: float) -> None:
    timer = threading.Timer(delay, _end_now, args=(signum,))
    timer.daemon = True
    timer.start()


@contextmanager
def stop_on_signals(grace_seconds: float = GRACE_SECONDS) -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` in the main thread inside this block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        # A second signal while unwinding must not start over: it ends the run at once, as
        # the grace's end would (a user who presses Ctrl-C again does not wait out the grace).
        signal.signal(signal.SIGINT, lambda again, _: _end_now(signum))
        signal.signal(signal.SIGTERM, lambda again, _: _end_now(signum))
        _force_exit(signum, grace_seconds)
        interrupted = Interrupted(signum)
        _pending.append(interrupted)
        raise_when_safe(interrupted, frame)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
