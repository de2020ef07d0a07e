"""Loading into a real DuckDB file: replace a period in one transaction, same bytes no-op."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from parsers import Source, parse_document
from schemas import validate_rows
from tests.helpers import SAMPLE
from warehouse import DocumentLoad, WarehouseError, connect, load_document, read_only_query
from warehouse.load import make_report_id


def _load_for(sha: str, rows: pd.DataFrame, status: str = "loaded") -> DocumentLoad:
    return DocumentLoad(
        report_id=make_report_id(sha, "乐清市", 2022, 8),
        source=Source("2022年8月.txt", sha, "txt", "乐清市", 2022, 8),
        status=status,
        progress=rows.assign(region="乐清市", year=2022, month=8),
    )


@pytest.fixture
def rows() -> pd.DataFrame:
    doc = parse_document(SAMPLE, region="乐清市")
    return validate_rows(
        doc.rows, region="乐清市", year=2022, month=8, source_name=doc.source_name
    ).rows


def test_load_then_same_bytes_again_changes_nothing(tmp_path: Path, rows: pd.DataFrame) -> None:
    db = tmp_path / "w.duckdb"
    conn = connect(db)
    first = load_document(conn, _load_for("a" * 64, rows), "run1")
    second = load_document(conn, _load_for("a" * 64, rows), "run2")
    assert (first.status, first.rows_loaded) == ("loaded", 48)
    assert second.status == "unchanged"
    assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
    assert conn.execute("SELECT count(*), max(run_id) FROM reports").fetchone() == (1, "run1")
    conn.close()


def test_a_new_document_for_the_period_replaces_its_rows(
    tmp_path: Path, rows: pd.DataFrame
) -> None:
    conn = connect(tmp_path / "w.duckdb")
    load_document(conn, _load_for("a" * 64, rows), "run1")
    sent_again = rows.assign(completion_raw="99%", completion_pct=99.0)
    outcome = load_document(conn, _load_for("b" * 64, sent_again), "run2")
    assert outcome.replaced_report == make_report_id("a" * 64, "乐清市", 2022, 8)
    assert (outcome.kind, outcome.rows_replaced) == ("replace", 48)
    assert conn.execute("SELECT count(*), min(completion_pct) FROM progress").fetchone() == (
        48,
        99.0,
    )
    assert conn.execute("SELECT count(*) FROM reports WHERE superseded_by IS NULL").fetchone() == (
        1,
    )
    # the rows it took the place of are kept, with the report that replaced them
    assert conn.execute(
        "SELECT count(*), min(completion_pct), any_value(replaced_by), any_value(reason) "
        "FROM replaced_rows"
    ).fetchone() == (48, rows["completion_pct"].min(), outcome.report_id, "replaced")
    conn.close()


def test_a_failing_load_leaves_the_period_as_it_was(tmp_path: Path, rows: pd.DataFrame) -> None:
    conn = connect(tmp_path / "w.duckdb")
    load_document(conn, _load_for("a" * 64, rows), "run1")
    broken = rows.copy()
    broken.loc[:4, "content"] = None  # violates NOT NULL inside the transaction, after the delete
    with pytest.raises(duckdb.Error):
        load_document(conn, _load_for("b" * 64, broken), "run2")
    assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
    assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM replaced_rows").fetchone() == (0,)
    conn.close()


def test_queries_are_read_only(tmp_path: Path, rows: pd.DataFrame) -> None:
    db = tmp_path / "w.duckdb"
    conn = connect(db)
    load_document(conn, _load_for("a" * 64, rows), "run1")
    conn.close()
    assert read_only_query(db, "SELECT count(*) AS n FROM progress")["n"].tolist() == [48]
    with pytest.raises(WarehouseError, match="read-only"):
        read_only_query(db, "DROP TABLE progress")
    with pytest.raises(WarehouseError, match="no database"):
        read_only_query(tmp_path / "missing.duckdb", "SELECT 1")


def test_views_on_one_month(tmp_path: Path, rows: pd.DataFrame) -> None:
    db = tmp_path / "w.duckdb"
    conn = connect(db)
    load_document(conn, _load_for("a" * 64, rows), "run1")
    lagging = conn.execute(
        "SELECT item_no, consecutive_months FROM lagging_items ORDER BY item_no"
    ).fetchall()
    assert lagging == [(6, 1), (13, 1), (20, 1), (41, 1), (43, 1), (45, 1), (47, 1)]
    history = conn.execute("SELECT count(*), count(change_pct) FROM item_history").fetchone()
    assert history == (48, 0)
    education = conn.execute(
        "SELECT items, items_lagging, items_complete FROM department_summary "
        "WHERE department = '市教育局'"
    ).fetchone()
    assert education == (4, 0, 0)
    conn.close()


def test_the_same_bytes_twice_in_one_run_are_written_once(
    tmp_path: Path, rows: pd.DataFrame
) -> None:
    from warehouse import load_documents

    conn = connect(tmp_path / "w.duckdb")
    first, copy = _load_for("a" * 64, rows), _load_for("a" * 64, rows)
    copy.source = dataclasses.replace(copy.source, name="copy of 2022年8月.txt")
    outcomes = load_documents(conn, [first, copy], "run1")
    assert [(o.status, o.rows_loaded) for o in outcomes] == [("loaded", 48), ("unchanged", 48)]
    assert conn.execute("SELECT count(*), min(source_name) FROM reports").fetchone() == (
        1,
        "2022年8月.txt",
    )
    assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
    conn.close()


def test_a_rejected_document_sent_again_is_read_again(tmp_path: Path, rows: pd.DataFrame) -> None:
    conn = connect(tmp_path / "w.duckdb")
    first = load_document(conn, _load_for("c" * 64, rows, status="rejected"), "run1")
    again = load_document(conn, _load_for("c" * 64, rows), "run2")
    assert (first.status, again.status, again.rows_loaded) == ("rejected", "loaded", 48)
    assert conn.execute("SELECT status, run_id FROM reports").fetchall() == [("loaded", "run2")]
    conn.close()


def test_an_older_warehouse_gets_the_rule_column(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as old:
        old.execute(
            "CREATE TABLE validation_issues (run_id VARCHAR NOT NULL, report_id VARCHAR, "
            "source_name VARCHAR NOT NULL, source_page INTEGER, source_row INTEGER, "
            "source_line INTEGER, column_name VARCHAR, check_name VARCHAR NOT NULL, "
            "failure_value VARCHAR, severity VARCHAR NOT NULL, message VARCHAR NOT NULL, "
            "action VARCHAR)"
        )
        old.execute(
            "INSERT INTO validation_issues VALUES "
            "('r', NULL, 'a.txt', NULL, NULL, 3, NULL, 'x', NULL, 'error', 'm', NULL)"
        )
    conn = connect(db)
    columns = [row[0] for row in conn.execute("DESCRIBE validation_issues").fetchall()]
    assert columns[-1] == "rule"
    assert conn.execute("SELECT count(*) FROM validation_issues").fetchone() == (1,)
    conn.close()
