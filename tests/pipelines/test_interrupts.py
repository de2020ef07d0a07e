"""Ctrl-C, SIGTERM and kill -9 of real ``minsheng ingest`` processes, in the load's open
transaction: the warehouse stays as it was, one line says so, nothing the run started is left.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pipelines.flows.api_server import ApiServer
from tests.helpers import (
    FIXTURES,
    PAUSE_LINE,
    load,
    month_file,
    start_minsheng,
    table_rows,
    wait_for_line,
)


def processes_of_run(cwd: Path) -> list[int]:
    """Processes started by a run in ``cwd``: they inherit its PREFECT_HOME (``cwd/.prefect``)."""
    marker = f"PREFECT_HOME={cwd / '.prefect'}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _interrupt_during_the_load(tmp_path: Path, sig: int, *options: str) -> None:
    db = tmp_path / "w.duckdb"
    load([month_file(tmp_path / "before", 7)], db)
    before = table_rows(db)
    process = start_minsheng(
        "ingest", str(month_file(tmp_path / "inbox", 8)), "--region", "乐清市", "--db", str(db),
        *options, cwd=tmp_path, pause=300,
    )  # fmt: skip
    try:
        wait_for_line(process, PAUSE_LINE, timeout=300)
        os.killpg(process.pid, sig)  # as the terminal does for Ctrl-C: the whole group
        _, stderr = process.communicate(timeout=120)  # a loaded machine is slow to unwind
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], stderr
    assert stderr.strip().splitlines()[-1] == "interrupted: nothing was loaded"
    assert "Traceback" not in stderr
    assert table_rows(db) == before
    _wait_until_gone(tmp_path)


def _wait_until_gone(cwd: Path, seconds: float = 60) -> None:
    """The run's own processes (a temporary Prefect server) end on the same signal; on a loaded
    machine that takes a moment after the run's exit, so their end is waited for, not assumed."""
    deadline = time.monotonic() + seconds
    while processes_of_run(cwd) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of_run(cwd) == []


@pytest.mark.process
def test_ctrl_c_in_the_open_transaction_rolls_back_and_exits_130(tmp_path: Path) -> None:
    _interrupt_during_the_load(tmp_path, signal.SIGINT)


@pytest.mark.process
def test_sigterm_in_the_open_transaction_rolls_back_and_exits_143(tmp_path: Path) -> None:
    _interrupt_during_the_load(tmp_path, signal.SIGTERM)


@pytest.mark.slow
@pytest.mark.usefixtures("migrated_prefect_home")
def test_ctrl_c_in_a_flow_run_stops_the_temporary_server_too(tmp_path: Path) -> None:
    _interrupt_during_the_load(tmp_path, signal.SIGINT, "--prefect")


@pytest.mark.slow
@pytest.mark.usefixtures("migrated_prefect_home")
def test_kill_9_of_the_ingest_alone_leaves_no_prefect_server(tmp_path: Path) -> None:
    process = start_minsheng(
        "ingest", str(month_file(tmp_path / "inbox", 8)), "--region", "乐清市",
        "--db", str(tmp_path / "w.duckdb"), "--prefect", cwd=tmp_path, pause=300,
    )  # fmt: skip
    try:
        wait_for_line(process, PAUSE_LINE, timeout=300)
        assert len(processes_of_run(tmp_path)) >= 2  # the ingest and its temporary server
        os.kill(process.pid, signal.SIGKILL)  # the process only, not its group
        process.wait(timeout=30)
        _wait_until_gone(tmp_path)  # the watchdog polls; a busy machine delays it
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class _SlowRelay:
    """A TCP relay in front of the session's Prefect server that, once ``slow`` is set, holds
    every request ``delay`` seconds: the server as a busy machine makes it."""

    def __init__(self, api_url: str, delay: float) -> None:
        target = urlparse(api_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._path = target.path
        self.delay = delay
        self.slow = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}{self._path}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(self._target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, request: bool) -> None:
        try:
            while data := source.recv(65536):
                if request and self.slow.is_set():
                    time.sleep(self.delay)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._listener.close()


def _assert_recorded(lines: list[str]) -> None:
    """The run took the flow's way (its API answered its health check), as the test needs."""
    assert any("recording a Prefect flow run" in line for line in lines), lines


def _recorded_ingest_of_august(tmp_path: Path, db: Path, relay: _SlowRelay) -> subprocess.Popen:
    """``minsheng ingest`` of August recorded through ``relay``, its load held open before
    the COMMIT (it prints ``PAUSE_LINE`` there)."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / ".prefect"),
        "PREFECT_API_URL": relay.api_url,
        "MINSHENG_FAULT_PAUSE_BEFORE_COMMIT": "300",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "ingest", str(month_file(tmp_path / "inbox", 8)),
         "--region", "乐清市", "--db", str(db)],
        cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip


@pytest.mark.slow
def test_ctrl_c_of_a_recorded_flow_run_leaves_it_crashed_and_says_the_last_word(
    tmp_path: Path, prefect_server: ApiServer
) -> None:
    """The server answers slowly from the Ctrl-C on (each request held 2 s, more than an
    in-process run's second to unwind): the run still records its end before it leaves."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    db = tmp_path / "w.duckdb"
    load([month_file(tmp_path / "before", 7)], db)
    before = table_rows(db)
    relay = _SlowRelay(prefect_server.api_url, delay=2.0)
    process = _recorded_ingest_of_august(tmp_path, db, relay)
    try:
        _assert_recorded(wait_for_line(process, PAUSE_LINE, timeout=300))
        relay.slow.set()
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)  # it records its end first
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        relay.close()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted: nothing was loaded"
    assert "Traceback" not in stderr
    assert table_rows(db) == before
    with (
        temporary_settings({PREFECT_API_URL: prefect_server.api_url}),
        get_client(sync_client=True) as client,
    ):
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["minsheng-ingest"])), limit=200
        )
    [run] = [r for r in runs if str(tmp_path) in json.dumps(r.parameters, ensure_ascii=False)]
    # Its end was recorded before the process left: no run stays Running for ever.
    assert run.state.is_final() and (run.state.is_crashed() or run.state.is_cancelled())


def _august_rows(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as conn:
        found = conn.execute("SELECT count(*) FROM progress WHERE month = 8").fetchone()
    return int(found[0]) if found else 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupt_just_after_the_commit_says_the_rows_were_loaded(
    tmp_path: Path, sig: int
) -> None:
    db = tmp_path / "w.duckdb"
    load([month_file(tmp_path / "before", 7)], db)
    env_pause = {"MINSHENG_FAULT_PAUSE_AFTER_COMMIT": "300"}
    process = start_minsheng(
        "ingest", str(month_file(tmp_path / "inbox", 8)), "--region", "乐清市", "--db", str(db),
        "--reports-dir", "run-reports", cwd=tmp_path, env=env_pause,
    )  # fmt: skip
    try:
        wait_for_line(process, "fault injection: pausing 300 s after commit", timeout=300)
        os.killpg(process.pid, sig)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        "interrupted after the load was committed: 48 rows were loaded; the validation report "
        "is in run-reports"
    )
    assert process.returncode == 0  # the run's own status: nothing was rejected
    assert _august_rows(db) == 48
    [report] = (tmp_path / "run-reports").glob("*.json")  # written before the commit
    assert json.loads(report.read_text("utf-8"))["documents"][0]["status"] == "loaded"


@pytest.mark.slow
def test_interrupts_at_random_moments_around_the_commit_say_what_the_warehouse_holds(
    tmp_path: Path,
) -> None:
    """SIGTERM or SIGINT at random moments from the end of parsing to past the commit: the
    last line and the exit status match whether August is in the warehouse, every time."""
    runs = int(os.environ.get("MINSHENG_INTERRUPT_RUNS", "16"))
    before = tmp_path / "before.duckdb"
    load([month_file(tmp_path / "july", 7)], before)
    august = month_file(tmp_path / "inbox", 8)

    def start(db: Path) -> subprocess.Popen[str]:
        shutil.copyfile(before, db)
        return start_minsheng(
            "ingest", str(august), "--region", "乐清市", "--db", str(db), "--no-prefect",
            "--reports-dir", str(tmp_path / "reports"), cwd=tmp_path,
        )  # fmt: skip

    # how long a whole run takes here, from its start (a run in this process prints nothing
    # before its result)
    started = time.monotonic()
    process = start(tmp_path / "timing.duckdb")
    process.communicate(timeout=300)
    whole = time.monotonic() - started
    generator = random.Random(26)
    seen: dict[str, int] = {}
    for run in range(runs):
        db = tmp_path / f"w{run}.duckdb"
        sig = generator.choice([signal.SIGTERM, signal.SIGINT])
        process = start(db)
        try:
            time.sleep(generator.uniform(0.5, 1.2) * whole)
            if process.poll() is None:
                os.killpg(process.pid, sig)
            stdout, stderr = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert "Traceback" not in stderr and "unexpected failure" not in stderr, stderr
        rows = _august_rows(db)
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        if last == "interrupted: nothing was loaded":
            outcome = "nothing"
            assert rows == 0 and process.returncode == EXIT[sig], (run, stderr)
        elif last.startswith("interrupted after the load was committed: 48 rows were loaded"):
            outcome = "committed"
            assert rows == 48 and process.returncode == 0, (run, stderr)
        else:
            # The run said everything (its lines and the report's path) and then ended; a
            # signal in Python's own last moments, after it resets the handlers, ends the
            # process with the signal's status: the output already said what was loaded.
            outcome = "finished"
            assert "validation report:" in stdout, (run, stdout, stderr)
            assert stdout.rstrip().splitlines()[-1].startswith("validation report:"), stdout
            assert rows == 48, (run, rows, stderr)
            assert process.returncode in (0, -sig), (run, process.returncode, stderr)
            assert stderr == "", (run, stderr)
        seen[outcome] = seen.get(outcome, 0) + 1
    print(f"outcomes of {runs} interrupted runs: {seen}")  # shown with pytest -s
    assert seen.get("nothing", 0) + seen.get("committed", 0) > 0, seen


EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


@pytest.mark.slow
def test_a_second_ctrl_c_ends_a_flow_run_that_waits_on_a_slow_server_at_once(
    tmp_path: Path, prefect_server: ApiServer
) -> None:
    """The server holds each request a minute from the first Ctrl-C on: the run would wait
    its 30 s grace to record its end; a second Ctrl-C ends it now, with the same last line."""
    db = tmp_path / "w.duckdb"
    load([month_file(tmp_path / "before", 7)], db)
    before = table_rows(db)
    relay = _SlowRelay(prefect_server.api_url, delay=60.0)
    process = _recorded_ingest_of_august(tmp_path, db, relay)
    try:
        _assert_recorded(wait_for_line(process, PAUSE_LINE, timeout=300))
        relay.slow.set()
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(1.0)
        assert process.poll() is None  # still waiting on the server
        second = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        ended_after = time.monotonic() - second
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        relay.close()
    assert ended_after < 20, ended_after  # not the 30 s grace, nor the minute's wait
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted: nothing was loaded"
    assert "Traceback" not in stderr
    assert table_rows(db) == before


def _script(cwd: Path, script: str, *args: str) -> subprocess.Popen[str]:
    """``script`` run by a new interpreter with the project importable, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


_SWALLOWING_CALLBACK = """
import sys, time, weakref
from pipelines.execution.interrupts import (
    Interrupted, redeliver_swallowed_interrupts, stop_on_signals,
)
if sys.argv[1] == "hook":
    redeliver_swallowed_interrupts()

class Held:
    pass

def callback(ref):  # Python ignores what a weakref callback raises, as the import system's do
    print("in the callback", file=sys.stderr, flush=True)
    started = time.monotonic()
    while time.monotonic() - started < 3:
        pass

held = Held()
ref = weakref.ref(held, callback)
try:
    with stop_on_signals(grace_seconds=30):
        del held  # the callback runs now, and the signal lands in it
        time.sleep(5)
        print("the interrupt was lost", flush=True)
except Interrupted as exc:
    print("interrupted by", exc, flush=True)
"""


@pytest.mark.process
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_that_lands_in_a_weakref_callback_still_interrupts(
    sig: signal.Signals, tmp_path: Path
) -> None:
    """Python prints an exception raised in a weakref callback as "Exception ignored" and goes
    on: the interrupt would be lost, with a traceback on the screen (seen once in 16 random
    interrupts of an ingest, in an import-lock callback). It is raised again once the
    callback has returned."""
    outcomes = {}
    for mode in ("hook", "no hook"):
        process = _script(tmp_path, _SWALLOWING_CALLBACK, mode)
        try:
            wait_for_line(process, "in the callback", timeout=120)
            process.send_signal(sig)
            outcomes[mode] = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    stdout, stderr = outcomes["hook"]
    assert stdout == f"interrupted by {sig.name}\n", stdout + stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    # Without it, the same moment prints a traceback and the run carries on.
    stdout, stderr = outcomes["no hook"]
    assert "Exception ignored" in stderr and "the interrupt was lost" in stdout, stdout + stderr


def _parse_server_importing(pid: int) -> bool:
    """Whether the fork server that process ``pid`` started is importing the readers: it
    has loaded numpy (pandas, pandera and the readers come after)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and b"forkserver" in (entry / "cmdline").read_bytes():
                return b"_multiarray_umath" in (entry / "maps").read_bytes()
        except (OSError, ValueError):
            continue
    return False


@pytest.mark.process
def test_ctrl_c_while_the_parse_server_imports_the_readers_prints_the_one_line(
    tmp_path: Path,
) -> None:
    # The server starts before the run's own modules are imported and takes a second to
    # import pandas, pandera and the readers; the terminal's Ctrl-C reaches it too, and it
    # printed a KeyboardInterrupt traceback of its own under the product's line.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("yueqing-2022-06.pdf", "yueqing-2022-07.docx"):
        shutil.copy(FIXTURES / "months" / "mixed" / name, inbox / name)
    db = tmp_path / "w.duckdb"
    process = start_minsheng(
        "ingest", str(inbox), "--region", "乐清市", "--db", str(db), "--parallel", "processes",
        cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _parse_server_importing(process.pid) and process.poll() is None:
            assert time.monotonic() < deadline, "no parse server started"
            time.sleep(0.005)
        ended_first = process.poll() is not None
        os.killpg(process.pid, signal.SIGINT)  # as the terminal does: the whole group
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert not ended_first, "the run ended before its parse server was seen importing"
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted: nothing was loaded"
    assert not db.exists()  # nothing was loaded: the warehouse is not even made


_IN_A_COMPILED_MODULE_S_INIT = """
import time
from importlib.machinery import ExtensionFileLoader
from pipelines.execution.interrupts import Interrupted, stop_on_signals

class CallsPythonWhileItInitialises(ExtensionFileLoader):
    # as DuckDB's module does (nanobind makes its enums with enum.Enum)
    def exec_module(self, module):
        print("initialising", flush=True)
        for _ in range(40):
            time.sleep(0.05)
        print("initialised", flush=True)

try:
    with stop_on_signals(grace_seconds=60):
        CallsPythonWhileItInitialises("compiled", "compiled.so").exec_module(None)
        time.sleep(10)
        print("the interrupt was lost", flush=True)
except Interrupted as exc:
    print("interrupted by", exc, flush=True)
"""


@pytest.mark.process
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_during_a_compiled_module_s_initialisation_waits_for_its_end(
    sig: signal.Signals, tmp_path: Path
) -> None:
    """Raised inside it, the interrupt failed DuckDB's import fatally ("Critical nanobind
    error" and a traceback) when it landed while the load imported DuckDB."""
    process = _script(tmp_path, _IN_A_COMPILED_MODULE_S_INIT)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "initialising\n"
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert stdout == f"initialised\ninterrupted by {sig.name}\n", stdout + stderr
    assert "Traceback" not in stderr, stderr


_IN_TWO_COMPILED_MODULES_IN_A_ROW = _IN_A_COMPILED_MODULE_S_INIT.replace(
    'CallsPythonWhileItInitialises("compiled", "compiled.so").exec_module(None)',
    'CallsPythonWhileItInitialises("compiled", "compiled.so").exec_module(None)\n'
    '        CallsPythonWhileItInitialises("next", "next.so").exec_module(None)',
)


@pytest.mark.process
def test_an_interrupt_held_over_one_compiled_module_is_not_lost_in_the_next(
    tmp_path: Path,
) -> None:
    """An import initialises several compiled modules in a row (numpy's, pandas'): the held
    interrupt, sent again once the first is done, landed in the next one and was dropped,
    and the run went on to load everything with exit 0."""
    script = _IN_TWO_COMPILED_MODULES_IN_A_ROW
    assert script.count("exec_module(None)") == 2
    process = _script(tmp_path, script)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "initialising\n"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert stdout == "initialised\ninitialising\ninitialised\ninterrupted by SIGINT\n", (
        stdout + stderr
    )
    assert "Traceback" not in stderr, stderr
