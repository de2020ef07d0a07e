"""How a command leaves once it is done: its exit handlers run, the interpreter is not torn
down object by object, and a thread still at work is waited for. Real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]

# An exit handler that leaves a word in a file; optionally a thread that is still writing
# when the command is done. The interpreter runs with -v, which prints "# clear sys.path"
# and the like as it tears itself down.
_PROBE = """
import atexit, sys, threading, time
out = open(sys.argv[1], "a")

@atexit.register
def handler():
    out.write("exit handlers ran\\n"); out.flush()

if sys.argv[2] == "thread":
    def late():  # at work until the main thread is done, however slow the machine
        while threading.main_thread().is_alive():
            time.sleep(0.05)
        out.write("thread finished\\n"); out.flush()
    threading.Thread(target=late).start()
sys.argv = ["minsheng", *sys.argv[3:]]
from pipelines.cli import main
main()
"""
TEARDOWN = "# clear sys.path"


def _run(tmp_path: Path, thread: str, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    said = tmp_path / "said.txt"
    said.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-v", "-c", _PROBE, str(said), thread, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "MINSHENG_LANG": "en", "PYTHONPATH": str(ROOT)},
    )
    return done, said.read_text() if said.exists() else ""


def test_a_command_that_is_done_runs_its_exit_handlers_and_skips_the_teardown(
    tmp_path: Path,
) -> None:
    docx = FIXTURES / "yueqing-2022-08.docx"
    done, said = _run(tmp_path, "none", "validate", str(docx), "--db", "none.duckdb")
    assert done.returncode == 0, done.stdout + done.stderr
    # everything printed and written
    assert "1 documents, 48 rows would load" in done.stdout
    [report] = (tmp_path / "data" / "reports").glob("*.json")
    assert json.loads(report.read_text("utf-8"))["documents"][0]["rows_loaded"] == 48
    assert said.splitlines() == ["exit handlers ran"]
    assert TEARDOWN not in done.stderr


def test_the_exit_status_is_the_command_s(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not a report\n", encoding="utf-8")
    done, said = _run(tmp_path, "none", "validate", str(bad), "--db", "none.duckdb")
    assert done.returncode == 1, done.stdout + done.stderr
    assert said.splitlines() == ["exit handlers ran"]
    done, said = _run(tmp_path, "none", "validate", "--no-such-option")
    assert done.returncode == 2


def test_a_thread_still_at_work_is_waited_for_as_python_does(tmp_path: Path) -> None:
    done, said = _run(tmp_path, "thread", "--help")
    assert done.returncode == 0, done.stdout + done.stderr
    assert said.splitlines() == ["thread finished", "exit handlers ran"]
    assert TEARDOWN in done.stderr  # the usual exit, teardown included
