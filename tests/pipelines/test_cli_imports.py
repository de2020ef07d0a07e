"""Start-up: what a command imports that it has no use for (a real process: a fresh
interpreter is the point)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, SAMPLE

#: Libraries a help page has no use for; together they are most of a run's start-up.
HEAVY = ("pandas", "numpy", "pandera", "duckdb", "prefect")

# The modules are listed by an exit handler: a command that is done leaves without the
# interpreter's teardown, after the exit handlers.
_PROBE = """
import atexit, sys
sys.argv = ["minsheng", *sys.argv[1:]]

@atexit.register
def modules():
    names = [name for name, module in sys.modules.items() if module is not None]
    loaded = {name.split(".")[0] for name in names} | set(names)
    print("MODULES", " ".join(sorted(loaded)), flush=True)

from pipelines.cli import main
main()
"""


def _run_probe(*args: str, cwd: Path | None = None) -> tuple[int, str, set[str]]:
    """The command's exit status, what it printed, and the modules it imported (each by
    its full name and by its package's)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "MINSHENG_LANG": "en", "PYTHONPATH": str(Path.cwd())},
    )
    lines = done.stdout.splitlines()
    code = done.returncode
    imported = set(next(line for line in lines if line.startswith("MODULES ")).split()[1:])
    assert "typer" in imported  # the probe saw the command's own imports
    return code, done.stdout + done.stderr, imported


def test_help_imports_none_of_the_data_libraries() -> None:
    code, printed, imported = _run_probe("--help")
    assert code == 0, printed
    assert "validate" in printed  # the help page was printed
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("validate", "missing.txt"), "missing.txt: no such file or folder"),
        (("validate", "--no-such-option", "report.txt"), "No such option: --no-such-option"),
        (("validate", str(SAMPLE), "--month", "13"), "--month 13 is not a month"),
    ],
    ids=["missing-file", "bad-option", "bad-month"],
)
def test_an_error_before_parsing_imports_none_of_the_data_libraries(
    args: tuple[str, ...], said: str, tmp_path: Path
) -> None:
    code, printed, imported = _run_probe(*args, cwd=tmp_path)
    assert code == 2, printed
    assert said in printed
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_validate_of_a_text_without_a_warehouse_imports_no_duckdb(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    code, printed, imported = _run_probe(
        "validate",
        str(SAMPLE),
        "--region",
        "乐清市",
        "--db",
        str(db),
        "--reports-dir",
        str(tmp_path / "reports"),
    )
    assert code == 0, printed
    assert "48 rows would load" in printed  # the document was read and checked
    assert list((tmp_path / "reports").glob("*.json"))
    assert {"pandas", "pandera"} <= imported  # it parsed and checked the rows
    assert "duckdb" not in imported and "prefect" not in imported
    assert not db.exists()


#: What a run that prints no help page has no use for: pandera's data-synthesis library
#: (a development dependency), the parts of rich that typer's help pages use, and the HTTP
#: client that asks a Prefect server whether it is up (a run without Prefect never asks).
NOT_FOR_A_RUN = (
    "hypothesis",
    "markdown_it",
    "pygments",
    "duckdb",
    "prefect",
    "urllib.request",
    "http.client",
)


def test_validate_of_a_docx_imports_neither_test_nor_help_libraries(tmp_path: Path) -> None:
    code, printed, imported = _run_probe(
        "validate",
        str(SAMPLE.with_suffix(".docx")),
        "--db",
        str(tmp_path / "none.duckdb"),
        "--reports-dir",
        str(tmp_path / "reports"),
    )
    assert code == 0, printed
    assert "48 rows would load" in printed
    assert {"pandas", "pandera", "lxml"} <= imported
    assert not imported & set(NOT_FOR_A_RUN), sorted(imported & set(NOT_FOR_A_RUN))


@pytest.mark.slow  # worker processes
def test_a_backfill_in_worker_processes_leaves_pandera_and_the_readers_to_them(
    tmp_path: Path,
) -> None:
    # The rows are read and validated in the workers: pandera alone was 16 MB of the run's
    # own process, at the peak of a backfill's memory
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("yueqing-2022-06.pdf", "yueqing-2022-07.docx", "yueqing-2022-08.txt"):
        shutil.copy(FIXTURES / "months" / "mixed" / name, inbox / name)
    code, printed, imported = _run_probe(
        "ingest", str(inbox), "--region", "乐清市", "--parallel", "processes",
        "--db", str(tmp_path / "w.duckdb"), "--reports-dir", str(tmp_path / "reports"),
    )  # fmt: skip
    assert code in (0, 1), printed  # (a month's warnings or quarantined rows are the data's)
    assert "3 documents" in printed and "rows loaded" in printed
    assert {"pandas", "duckdb"} <= imported  # it loaded the rows
    readers = {"pandera", "pdfplumber", "lxml", "parsers.formats.pdf", "parsers.formats.docx"}
    assert not imported & readers, sorted(imported & readers)


def test_a_usage_error_is_still_framed_in_the_chosen_language(tmp_path: Path) -> None:
    """typer's panel titles are set when an error is printed, not at import."""
    code, printed, _imported = _run_probe(
        "validate", "--lang", "zh", "--no-such-option", "report.txt", cwd=tmp_path
    )
    assert code == 2, printed
    assert "错误" in printed and "Error" not in printed
