"""One column list: the parsers' rows, the loader, the schema SQL and the tests agree."""

from __future__ import annotations

from pathlib import Path

from parsers.model import ROW_COLUMNS, ROW_DTYPES, STORED_ROW_COLUMNS, VALUE_COLUMNS, empty_rows
from schemas.checks import STORED_STATUSES, Severity
from tests.helpers import COMPARED, EXPECTED
from warehouse.db import connect
from warehouse.load import PROGRESS_COLUMNS, REPORT_IDENTITY_COLUMNS

# How a pandas dtype of a row column is stored in DuckDB.
_STORED_AS = {"Int64": {"INTEGER"}, "float64": {"DOUBLE"}, "bool": {"BOOLEAN"}}
_STORED_AS["object"] = {"VARCHAR", "JSON"}


def _columns(db: Path, table: str) -> list[tuple[str, str]]:
    with connect(db) as conn:
        described = conn.execute(f"DESCRIBE {table}").fetchall()
    return [(name, kind) for name, kind, *_ in described]


def test_progress_in_a_new_warehouse_has_the_row_columns_in_order(tmp_path: Path) -> None:
    columns = _columns(tmp_path / "w.duckdb", "progress")
    assert tuple(name for name, _ in columns) == PROGRESS_COLUMNS
    types = dict(columns)
    assert [types[c] for c in REPORT_IDENTITY_COLUMNS] == [
        "VARCHAR",
        "VARCHAR",
        "INTEGER",
        "INTEGER",
    ]
    for column in STORED_ROW_COLUMNS:
        assert types[column] in _STORED_AS[ROW_DTYPES[column]], (column, types[column])


def test_replaced_rows_repeats_the_progress_columns(tmp_path: Path) -> None:
    """``replaced_rows`` keeps a row that left ``progress`` whole, then says who took it out."""
    progress = _columns(tmp_path / "w.duckdb", "progress")
    replaced = _columns(tmp_path / "w.duckdb", "replaced_rows")
    assert replaced[: len(progress)] == progress
    assert [name for name, _ in replaced[len(progress) :]] == [
        "replaced_by",
        "replaced_in_run",
        "replaced_at",
        "reason",
    ]


def test_the_parsers_rows_and_the_tests_use_the_one_list() -> None:
    assert tuple(empty_rows().columns) == ROW_COLUMNS
    assert {str(dtype) for dtype in empty_rows().dtypes} <= set(_STORED_AS)
    assert STORED_ROW_COLUMNS == tuple(c for c in ROW_COLUMNS if c != "raw")
    assert COMPARED == list(VALUE_COLUMNS)
    truth = EXPECTED.read_text("utf-8").splitlines()[0].split(",")
    assert set(truth) - {"source_line"} == set(COMPARED)


def test_the_schema_allows_exactly_the_stored_statuses_and_severities(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        checks = dict(
            conn.execute(
                "SELECT table_name, expression FROM duckdb_constraints() "
                "WHERE constraint_type = 'CHECK' AND table_name IN ('reports', "
                "'validation_issues')"
            ).fetchall()
        )
    for table, allowed in (("reports", STORED_STATUSES), ("validation_issues", Severity)):
        quoted = {part for part in checks[table].split("'")[1::2]}
        assert quoted == {str(value) for value in allowed}, (table, checks[table])
