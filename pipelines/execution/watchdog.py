"""Stopping the processes a run started, even when the run itself is killed.

A run that starts a long-lived child (a temporary Prefect server) also starts a watchdog: a
small process in its own session that ends those children as soon as the run's process is
gone, however it went (``kill -9`` included), and then ends itself. Worker processes that
parse documents watch their parent from a thread instead (``exit_with_parent``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

POLL_SECONDS = 0.2


def start_watchdog(children: Sequence[int]) -> subprocess.Popen[bytes]:
    """A watchdog for this process that stops ``children`` (pids) when this process dies."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.execution.watchdog",
            str(os.getpid()),
            *map(str, children),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own session: Ctrl-C in the terminal is for the run, which stops its children itself.
        start_new_session=True,
    )


def stop_watchdog(watchdog: subprocess.Popen[bytes] | None) -> None:
    if watchdog is not None and watchdog.poll() is None:
        watchdog.kill()
        watchdog.wait()


def _alive(pid: int) -> bool:
    try:
        # A child of ours that exited stays a zombie (and "alive" to kill) until reaped.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def terminate(pids: Sequence[int], grace_seconds: float = 2.0) -> None:
    """SIGTERM each process (and the group it leads, if any), then SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + grace_seconds
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not any(_alive(pid) for pid in pids):
            return


def watch(parent: int, children: Sequence[int]) -> None:
    """Wait until ``parent`` is gone, then stop ``children``; return early if they end first."""
    while True:
        # A dead parent's children are handed to another process: our parent id changes.
        if os.getppid() != parent or not _alive(parent):
            terminate(children)
            return
        if not any(_alive(pid) for pid in children):
            return
        time.sleep(POLL_SECONDS)


def exit_with_parent() -> None:
    """For a worker process: exit as soon as the process that started it is gone.

    Also leaves Ctrl-C to the parent, which stops its workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def poll() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=poll, name="exit-with-parent", daemon=True).start()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]), [int(pid) for pid in sys.argv[2:]])
