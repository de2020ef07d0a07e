"""The analysts' sandbox on a real warehouse file: what it refuses, the timeout and the caps."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import (
    QueryLimits,
    QueryRefused,
    QueryTimeout,
    WarehouseError,
    connect,
    connect_for_analysis,
    run_analysis_query,
)

#: About five minutes of work on a 2-core machine (1e9 rows take 1.4 s).
FIVE_MINUTE_QUERY = "SELECT count(*) AS n FROM range(200000000000)"


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    conn = connect(db)
    conn.execute(
        "INSERT INTO reports (report_id, region, year, month, source_name, source_sha256, "
        "source_format, status, rows_loaded, rows_quarantined, ingested_at) "
        "VALUES ('r1', '乐清市', 2022, 8, 'a.txt', 'aa', 'txt', 'loaded', 0, 0, now())"
    )
    conn.close()
    return db


def _reports(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        found = conn.execute("SELECT count(*) FROM reports").fetchone()
    assert found is not None
    return int(found[0])


def test_a_query_reads_the_warehouse(warehouse_file: Path) -> None:
    result = run_analysis_query(warehouse_file, "SELECT region, 'a;b' AS s FROM reports")
    assert result.frame.to_dict("records") == [{"region": "乐清市", "s": "a;b"}]
    assert result.cut is None


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("COPY (SELECT * FROM reports) TO '{tmp}/out.csv'", "COPY statements are refused"),
        ("EXPORT DATABASE '{tmp}/dump'", "EXPORT statements are refused"),
        ("INSTALL httpfs", "INSTALL and LOAD statements are refused"),
        ("LOAD httpfs", "INSTALL and LOAD statements are refused"),
        ("SET enable_external_access = true", "SET statements are refused"),
        ("SELECT 1; SELECT 2", "2 statements given; minsheng sql runs exactly one per call"),
        ("DROP TABLE reports", "DROP statements are refused"),
        ("ATTACH '{tmp}/other.duckdb' AS w (READ_WRITE)", "ATTACH statements are refused"),
        ("", "no SQL statement given"),
    ],
)
def test_statements_that_are_not_one_query_are_refused(
    warehouse_file: Path, tmp_path: Path, statement: str, says: str
) -> None:
    with pytest.raises(QueryRefused, match=says):
        run_analysis_query(warehouse_file, statement.format(tmp=tmp_path))
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()
    assert _reports(warehouse_file) == 1


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM '{other}'",
    ],
)
def test_no_file_but_the_warehouse_can_be_read(
    warehouse_file: Path, tmp_path: Path, statement: str
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("secret\n1\n")
    with pytest.raises(WarehouseError, match="disabled by configuration") as caught:
        run_analysis_query(warehouse_file, statement.format(other=other))
    assert "reads the warehouse and the Parquet that minsheng export wrote" in str(caught.value)


def test_the_notebook_connection_is_sandboxed_without_the_statement_check(
    warehouse_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.duckdb"
    writable = connect(other)
    writable.execute(
        "INSERT INTO reports (report_id, region, year, month, source_name, source_sha256, "
        "source_format, status, rows_loaded, rows_quarantined, ingested_at) "
        "VALUES ('r9', '永嘉县', 2022, 8, 'b.txt', 'bb', 'txt', 'loaded', 0, 0, now())"
    )
    writable.close()
    conn = connect_for_analysis(warehouse_file)
    try:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
        for statement, says in [
            (f"ATTACH '{other}' AS w (READ_WRITE)", "disabled by configuration"),
            (f"COPY reports TO '{tmp_path}/out.csv'", "disabled by configuration"),
            ("SET enable_external_access = true", "configuration has been locked"),
            ("SET lock_configuration = false", "configuration has been locked"),
            ("SET memory_limit = '100GB'", "configuration has been locked"),
            ("INSTALL httpfs", "disabled by configuration"),
            ("CREATE TABLE t AS SELECT 1", "read-only"),
        ]:
            with pytest.raises(duckdb.Error, match=says):
                conn.execute(statement)
    finally:
        conn.close()
    assert not (tmp_path / "out.csv").exists()
    assert _reports(other) == 1


@pytest.mark.waits
def test_a_long_query_stops_at_the_timeout(warehouse_file: Path) -> None:
    with pytest.raises(QueryTimeout, match=r"query stopped after 1 s \(the timeout\)"):
        run_analysis_query(warehouse_file, FIVE_MINUTE_QUERY, QueryLimits(timeout_seconds=1))


def test_the_row_cap_stops_fetching(warehouse_file: Path) -> None:
    result = run_analysis_query(
        warehouse_file, "SELECT range AS n FROM range(100000000000)", QueryLimits(max_rows=5000)
    )
    assert result.frame["n"].tolist() == list(range(5000))
    assert result.cut is not None and "output stopped at 5,000 rows" in result.cut


def test_the_byte_cap_stops_few_huge_rows(warehouse_file: Path) -> None:
    result = run_analysis_query(
        warehouse_file,
        "SELECT range AS n, repeat('x', 100000) AS big FROM range(1000)",
        QueryLimits(max_bytes=550_000),
    )
    assert result.frame["n"].tolist() == [0, 1, 2, 3, 4]
    assert result.cut is not None and "output stopped at 5 rows, 550,000 bytes" in result.cut


def test_a_query_that_fits_is_not_cut(warehouse_file: Path) -> None:
    result = run_analysis_query(
        warehouse_file, "SELECT range AS n FROM range(5000)", QueryLimits(max_rows=5000)
    )
    assert len(result.frame) == 5000 and result.cut is None


def test_a_file_put_in_the_warehouse_temp_folder_cannot_be_read(
    warehouse_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB lets a locked-down connection read its temp folder (``<db>.tmp`` by default):
    the sandbox spills into an empty folder of its own, and leaves none behind."""
    import tempfile

    # A temp root of this test's own: other test processes open sandboxes at the same time.
    own_temp = tmp_path / "temp"
    own_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_temp))
    planted = warehouse_file.with_name(warehouse_file.name + ".tmp")
    planted.mkdir()
    (planted / "x.csv").write_text("secret,1\n")
    before = set(Path(tempfile.gettempdir()).glob("minsheng-sql-*"))
    for path in (planted / "x.csv", Path("..") / planted.name / "x.csv"):
        with pytest.raises(WarehouseError, match="file system operations are disabled"):
            run_analysis_query(warehouse_file, f"SELECT * FROM read_csv('{path}')")
    assert set(Path(tempfile.gettempdir()).glob("minsheng-sql-*")) == before


def test_the_spill_folder_of_a_killed_sandbox_is_removed_by_the_next(
    warehouse_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``minsheng sql`` killed outright cannot remove its folder; the next one does."""
    import subprocess
    import sys
    import tempfile

    own_temp = tmp_path / "temp"
    own_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_temp))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    left = own_temp / f"minsheng-sql-{dead}-abcd1234"
    left.mkdir()
    (own_temp / "minsheng-sql-notapid").mkdir()  # not one of ours by its name: kept
    run_analysis_query(warehouse_file, "SELECT 1 AS n")
    assert sorted(p.name for p in own_temp.iterdir()) == ["minsheng-sql-notapid"]
