"""Shared fixtures (only fixtures: tests import helpers and paths from ``tests.helpers``).

Prefect keeps its state in a temporary folder for the whole session."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pipelines.flows.api_server import ApiServer

_PREFECT_HOME = tempfile.mkdtemp(prefix="minsheng-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
# What the pytest-xdist workers of one run share (they inherit the controller's environment).
_IS_WORKER = "PYTEST_XDIST_WORKER" in os.environ
if not _IS_WORKER:
    os.environ["MINSHENG_TEST_RUN_DIR"] = tempfile.mkdtemp(prefix="minsheng-tests-")
    os.environ["MINSHENG_TEST_CONTROLLER"] = str(os.getpid())
_RUN_DIR = Path(os.environ["MINSHENG_TEST_RUN_DIR"])
# One OCR page cache for the whole run, all workers: each scanned page is read once a run
# (the tests that assert on OCR output get the real output of the first read), and it goes
# with the run's folder. Tests of the cache, and of OCR as it runs, use a folder of their own.
# Whatever folder the shell names is not used: it could outlive the run. An empty one
# (MINSHENG_OCR_CACHE= pytest …) runs the suite without it, to measure what it saves.
if os.environ.get("MINSHENG_OCR_CACHE") != "":
    os.environ["MINSHENG_OCR_CACHE"] = str(_RUN_DIR / "ocr-cache")
_SERVER_URL = _RUN_DIR / "prefect-server.url"
_SERVER_PID = _RUN_DIR / "prefect-server.pid"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Messages and reports in English whatever the machine's locale; tests of Chinese ask for it.
os.environ["MINSHENG_LANG"] = "en"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English, and one that switched language does not leak it."""
    from i18n import use_language

    os.environ["MINSHENG_LANG"] = "en"
    use_language("en")
    yield
    os.environ["MINSHENG_LANG"] = "en"
    use_language("en")


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[ApiServer]:
    """One real ``prefect server start`` for the whole test run, started as ``minsheng serve``
    starts it; flow runs in this process record to it.

    pytest-xdist workers share it: the first to need it starts it, the others find it through
    the run's folder; the run's end stops it (``pytest_sessionfinish`` of the controller).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipelines.flows.api_server import ApiServer, is_healthy, start_server

    with open(_RUN_DIR / "prefect-server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker starts it while the others wait
        # a busy server answers slowly: a short probe would start a second one beside it
        if _SERVER_URL.exists() and is_healthy(_SERVER_URL.read_text(), timeout=30):
            server = ApiServer(_SERVER_URL.read_text())
        else:
            home = os.environ["PREFECT_HOME"]
            os.environ["PREFECT_HOME"] = str(_RUN_DIR / "prefect-server")  # outlives a worker
            try:
                server = start_server(log_path=_RUN_DIR / "prefect-server.log")
            finally:
                os.environ["PREFECT_HOME"] = home
            assert server.process is not None
            _SERVER_PID.write_text(str(server.process.pid))
            _supervise(server.process.pid)
            _SERVER_URL.write_text(server.api_url)
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield server


@pytest.fixture
def migrated_prefect_home(tmp_path: Path, prefect_server: ApiServer) -> Path:
    """``tmp_path/.prefect`` (the home a ``minsheng`` subprocess in ``tmp_path`` gets) holding a
    copy of the session server's database: its schema is already migrated, so a temporary
    server started there skips the migrations (about 7 s of a fresh start on this machine)."""
    home = tmp_path / ".prefect"
    home.mkdir()
    with (
        sqlite3.connect(_RUN_DIR / "prefect-server" / "prefect.db") as source,
        sqlite3.connect(home / "prefect.db") as copy,
    ):
        source.backup(copy)  # consistent while the server writes
    return home


# Waits for the test run's controller to end, however it ends (kill -9 included), then kills
# the server's process group and removes the run's folders. Its own session: a Ctrl-C of
# pytest does not reach it; it polls a pidfd, which is exact even when the pid is reused.
_SUPERVISOR = """
import os, select, shutil, signal, sys
controller, server, *folders = sys.argv[1:]
fd = os.pidfd_open(int(controller))
poller = select.poll()
poller.register(fd, select.POLLIN)
while not poller.poll(1000):
    try:
        os.kill(int(server), 0)
    except ProcessLookupError:  # stopped by the run itself: nothing left to watch
        sys.exit(0)
try:
    os.killpg(int(server), signal.SIGKILL)
except ProcessLookupError:
    pass
for folder in folders:
    shutil.rmtree(folder, ignore_errors=True)
"""


def _supervise(server_pid: int) -> None:
    """A process that stops the session's server and removes the run's folders once the
    test run is gone, even when pytest was killed and ran none of its own clean-up."""
    import subprocess
    import sys

    subprocess.Popen(
        [sys.executable, "-c", _SUPERVISOR, os.environ["MINSHENG_TEST_CONTROLLER"],
         str(server_pid), str(_RUN_DIR), _PREFECT_HOME],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _stop_shared_server() -> None:
    """Stop the session's Prefect server (started in its own process group) by its pid.

    Killed outright: a graceful stop takes seconds, and its database goes with the run's folder.
    """
    if not _SERVER_PID.exists():
        return
    pid = int(_SERVER_PID.read_text())
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):  # our own child: reap it
                return
        except ChildProcessError:  # a worker's child: dead once a zombie or gone
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    return
            except (FileNotFoundError, ProcessLookupError):
                return
        time.sleep(0.05)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The August sample under a name that carries its year and month."""
    from tests.helpers import SAMPLE, SAMPLE_NAME

    target = tmp_path / "in" / SAMPLE_NAME
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow test run first: spread over the workers while quick files fill the
    gaps, they do not leave one worker finishing a long file after the others are done
    (``--dist loadfile --no-loadscope-reorder`` hands files out in this order)."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
    if not _IS_WORKER:  # the controller (or a run without workers) ends last
        _stop_shared_server()
        shutil.rmtree(_RUN_DIR, ignore_errors=True)
