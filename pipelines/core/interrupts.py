"""Ctrl-C and SIGTERM: stop the run at once, roll back, and say that nothing was loaded.

Inside ``stop_on_signals`` both signals raise ``Interrupted`` in the main thread, wherever it
is: the load's open transaction rolls back on the way out (``warehouse.load``). A run that
does not unwind within ``grace_seconds`` (a library thread that does not let go) is ended
anyway, after its children are stopped: an uncommitted transaction never reaches the file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from i18n import N_, _

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
NOTHING_LOADED = N_("interrupted: nothing was loaded")


class Interrupted(BaseException):
    """The user or the system asked the run to stop (a BaseException: nothing catches it).

    ``committed`` is set when the load had already committed before the signal came.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = EXIT_CODES.get(signal.Signals(signum), 128 + signum)
        self.committed = False

    def message(self) -> str:
        if self.committed:
            return _(
                "interrupted after the load was committed; the validation report was not written"
            )
        return _(NOTHING_LOADED)


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


def _force_exit(signum: int, delay: float) -> None:
    def later() -> None:
        for cleanup in reversed(list(_cleanups)):
            try:
                cleanup()
            except Exception:
                pass
        announce(_(NOTHING_LOADED))
        os._exit(EXIT_CODES.get(signal.Signals(signum), 128 + signum))

    timer = threading.Timer(delay, later)
    timer.daemon = True
    timer.start()


@contextmanager
def stop_on_signals(grace_seconds: float = 1.0) -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` in the main thread inside this block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        # A second signal while unwinding must not start over: ignore both from now on.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _force_exit(signum, grace_seconds)
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
