"""``python -m bench.desk``: how fast the command is at the desk, against importing its libraries.

Times, in fresh processes, ``minsheng validate`` of the August .docx and ``minsheng ingest``
of the August .txt into a new warehouse, each against the import floor
``python -c "import duckdb, pandas"`` (median of 5 each, one script), with no Prefect API
configured: the runs go through the pipeline core in-process.

The processes run with bytecode caches, as an installed product does (pip compiles at
install; a first run writes them otherwise): one untimed run of each comes first, and
``PYTHONDONTWRITEBYTECODE`` is not passed on. Without the caches every process compiles the
source of pandas and the rest again, and the figure measures the compiler.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
TARGETS = {"validate": 1.5, "ingest": 3.0}
#: The anchor: what any run that reads and loads a report must import.
FLOOR = "import duckdb, pandas"


def _seconds(args: list[str], cwd: Path) -> float:
    env = {**os.environ}
    env.pop("PREFECT_API_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    return elapsed


def desk_ratios(repeat: int = 5) -> dict[str, tuple[float, float]]:
    """``{name: (median seconds, ratio to the import)}`` for import, validate and ingest."""
    python = sys.executable
    times: dict[str, list[float]] = {"import": [], "validate": [], "ingest": []}
    with tempfile.TemporaryDirectory(prefix="minsheng-desk-") as folder:
        work = Path(folder)
        for i in range(-1, repeat):  # -1: the untimed run that writes the bytecode caches
            times["import"].append(_seconds([python, "-c", FLOOR], work))
            times["validate"].append(
                _seconds(
                    [
                        python,
                        "-m",
                        "pipelines",
                        "validate",
                        str(FIXTURES / "yueqing-2022-08.docx"),
                        "--db",
                        "none.duckdb",
                        "--reports-dir",
                        "reports",
                    ],
                    work,
                )  # fmt: skip
            )
            times["ingest"].append(
                _seconds(
                    [
                        python,
                        "-m",
                        "pipelines",
                        "ingest",
                        str(FIXTURES / "yueqing-2022-08.txt"),
                        "--region",
                        "乐清市",
                        "--db",
                        f"w{i}.duckdb",
                        "--reports-dir",
                        "reports",
                    ],
                    work,
                )  # fmt: skip
            )
    times = {name: t[1:] for name, t in times.items()}
    base = statistics.median(times["import"])
    return {name: (statistics.median(t), statistics.median(t) / base) for name, t in times.items()}


def print_desk_ratios(say=print) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    """Print the desk figures; return them (``desk_ratios``) for the targets' table."""
    found = desk_ratios()
    base = found["import"][0]
    say(f"python -c '{FLOOR}': {base:.2f} s (median of 5)")
    for name, label in (
        ("validate", "minsheng validate of the August .docx"),
        ("ingest", "minsheng ingest of the August .txt into a new warehouse"),
    ):
        seconds, ratio = found[name]
        say(f"{label}: {seconds:.2f} s, {ratio:.2f}× the import (target ≤ {TARGETS[name]}×)")
    return found


if __name__ == "__main__":
    print_desk_ratios()
