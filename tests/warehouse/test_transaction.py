"""One transaction helper for the warehouse's small writes, on a real DuckDB file."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from pipelines.execution.interrupts import Interrupted
from warehouse import connect
from warehouse.db import transaction


def _count(conn) -> int:
    return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def test_a_block_that_raises_writes_nothing(tmp_path: Path) -> None:
    conn = connect(tmp_path / "w.duckdb")
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(ValueError):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
            raise ValueError("stop")
    assert _count(conn) == 0
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
    assert _count(conn) == 1


def test_an_interrupt_after_the_commit_stays_the_interrupt(tmp_path: Path) -> None:
    """The transaction has already ended when the interrupt lands (as after a COMMIT that
    returned): the caller sees the interrupt, not DuckDB's "no transaction is active", and
    what was committed stays."""
    conn = connect(tmp_path / "w.duckdb")
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(Interrupted):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
            conn.execute("COMMIT")
            raise Interrupted(signal.SIGTERM)
    assert _count(conn) == 1
