"""``python -m bench.desk``: how fast the command is at the desk, against importing its libraries.

Times, in fresh processes, ``minsheng validate`` of the August .docx and ``minsheng ingest``
of the August .txt into a new warehouse, each against
``python -c "import pandas, pandera.pandas, duckdb"`` (median of 5 each, one script), with no
Prefect API configured: the runs go through the pipeline core in-process.
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
TARGETS = {"validate": 2.5, "ingest": 3.0}


def _seconds(args: list[str], cwd: Path) -> float:
    env = {**os.environ}
    env.pop("PREFECT_API_URL", None)
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
        for i in range(repeat):
            times["import"].append(
                _seconds([python, "-c", "import pandas, pandera.pandas, duckdb"], work)
            )
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
    base = statistics.median(times["import"])
    return {name: (statistics.median(t), statistics.median(t) / base) for name, t in times.items()}


def print_desk_ratios(say=print) -> None:  # type: ignore[no-untyped-def]
    found = desk_ratios()
    base = found["import"][0]
    say(f"import pandas, pandera.pandas, duckdb: {base:.2f} s (median of 5)")
    for name, label in (
        ("validate", "minsheng validate of the August .docx"),
        ("ingest", "minsheng ingest of the August .txt into a new warehouse"),
    ):
        seconds, ratio = found[name]
        say(f"{label}: {seconds:.2f} s, {ratio:.2f}× the import (target ≤ {TARGETS[name]}×)")


if __name__ == "__main__":
    print_desk_ratios()
