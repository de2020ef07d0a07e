"""A process's start-up settings (``pipelines.execution.startup``), in a fresh interpreter:
the collector's threshold and frozen objects are the whole process's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = """
import gc, sys
from pipelines.execution.startup import PYTHON_THRESHOLD, START_THRESHOLD, lean_start, settle
settle()
assert gc.get_freeze_count() == 0, "settle without lean_start changed nothing"
lean_start()
assert gc.get_threshold() == START_THRESHOLD
import pandera.pandas  # pandera runs without hypothesis, as installed
assert sys.modules["hypothesis"] is None
settle()
assert gc.get_threshold() == PYTHON_THRESHOLD and PYTHON_THRESHOLD[0] < START_THRESHOLD[0]
print("FROZEN", gc.get_freeze_count())
"""


def _in_a_fresh_interpreter(script: str) -> str:
    """What ``script`` prints, run by a new interpreter with the project importable."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_start_up_then_settle_freezes_what_start_up_made() -> None:
    stdout = _in_a_fresh_interpreter(_PROBE)
    frozen = int(stdout.split()[-1])
    assert frozen > 50_000  # pandas and pandera's objects, out of the collector's walks


_MEANWHILE = """
import sys, threading
from pipelines.execution.preload import import_meanwhile
assert "duckdb" not in sys.modules
import_meanwhile(["no_such_module_here", "duckdb"])
for helper in threading.enumerate():  # (none if it is done already)
    if helper.name == "import-meanwhile":
        assert helper.daemon  # it never holds the command's exit
        helper.join(60)
print("DUCKDB", "duckdb" in sys.modules, "no_such_module_here" in sys.modules)
"""


def test_the_load_s_modules_import_in_a_thread_and_one_that_fails_is_left() -> None:
    # a run parsing in worker processes imports DuckDB meanwhile; the failing import is the
    # command's to report where the module is used
    stdout = _in_a_fresh_interpreter(_MEANWHILE)
    assert stdout.split() == ["DUCKDB", "True", "False"]
