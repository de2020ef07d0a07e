"""``minsheng sql``'s query and printing in a bounded process: a function building a huge
value fails at once under the memory bound, and slow printing stops at the timeout."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from limits import QueryLimits
from tests.helpers import run_measuring_peak
from warehouse import QueryTimeout, connect, run_analysis_query
from warehouse.bounded import QueryTooLarge, run_bounded

HUGE = "SELECT length(repeat('x', 2000000000)) AS n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    return path


def test_a_huge_repeat_fails_at_once_under_the_memory_bound(db: Path) -> None:
    limits = QueryLimits(timeout_seconds=5)
    started = time.monotonic()
    with pytest.raises(QueryTooLarge) as failed:
        run_bounded(lambda: run_analysis_query(db, HUGE, limits), limits)
    # QueryTooLarge, not the 5 s timeout; the margin is for a busy machine
    assert time.monotonic() - started < 20
    assert str(failed.value) == (
        "query stopped: it needed more than 2048 MB of memory (the limit, "
        "QueryLimits.process_memory_bytes); build smaller values (repeat, lpad, range, …) or "
        "select fewer rows"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT length(lpad('x', 2000000000, 'y'))",
        "SELECT len(list_resize([1], 500000000))",
        "SELECT length(repeat('ab', 700000000) || repeat('cd', 700000000))",
    ],
)
@pytest.mark.heavy
def test_other_value_builders_are_bounded_too(db: Path, sql: str) -> None:
    limits = QueryLimits(timeout_seconds=5, process_memory_bytes=512 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises((QueryTooLarge, QueryTimeout)):
        run_bounded(lambda: run_analysis_query(db, sql, limits), limits)
    assert time.monotonic() - started < 20  # bounded; the margin is for a busy machine


def test_a_small_query_comes_back(db: Path) -> None:
    limits = QueryLimits(timeout_seconds=5)
    result = run_bounded(lambda: run_analysis_query(db, "SELECT 41 + 1 AS n", limits), limits)
    assert result.frame.to_dict("records") == [{"n": 42}]


@pytest.mark.waits
def test_printing_counts_toward_the_timeout() -> None:
    def slow_printing() -> str:
        time.sleep(60)
        return "never"

    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run_bounded(slow_printing, QueryLimits(timeout_seconds=1))
    assert time.monotonic() - started < 15  # not the minute it would print for


def test_the_command_stays_under_its_memory_limit(db: Path, tmp_path: Path) -> None:
    code, peak = run_measuring_peak(
        [sys.executable, "-m", "pipelines", "sql", HUGE, "--db", str(db), "--timeout", "5"],
        tmp_path / "peak",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert code == 1
    assert peak < 2 * 1024**3
