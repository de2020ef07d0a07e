"""Start-up: what ``minsheng --help`` imports (a real process: a fresh interpreter is the point)."""

from __future__ import annotations

import subprocess
import sys

#: Libraries a help page has no use for; together they are most of a run's start-up.
HEAVY = ("pandas", "numpy", "pandera", "duckdb", "prefect")

_PROBE = """
import sys
sys.argv = ["minsheng", "--help"]
from pipelines.cli import main
try:
    main()
except SystemExit:
    pass
print("MODULES", " ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_help_imports_none_of_the_data_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "validate" in done.stdout  # the help page was printed
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES "))
    imported = set(line.split()[1:])
    assert "typer" in imported  # the probe saw the command's own imports
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
