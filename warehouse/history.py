"""Earlier months of a region's year, as checks across months need them, and item keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from warehouse.db import transaction
from warehouse.load import PROGRESS_COLUMNS

if TYPE_CHECKING:
    import duckdb

KEY_COLUMNS: tuple[str, ...] = (
    "region",
    "year",
    "month",
    "item_no",
    "item_key",
    "match",
    "previous_item_no",
    "similarity",
)


def previous_period_rows(
    conn: duckdb.DuckDBPyConnection, region: str, year: int, month: int
) -> pd.DataFrame:
    """``progress`` rows of the region's latest reported month of ``year`` before ``month``.

    Empty (with the progress columns) when no earlier month of that year is loaded.
    """
    columns = ", ".join(PROGRESS_COLUMNS)
    return conn.execute(
        f"SELECT {columns} FROM progress WHERE region = $region AND year = $year AND month = ("
        "SELECT max(month) FROM progress WHERE region = $region AND year = $year "
        "AND month < $month) ORDER BY item_no, sub_no",
        {"region": region, "year": year, "month": month},
    ).df()


def year_item_rows(conn: duckdb.DuckDBPyConnection, region: str, year: int) -> pd.DataFrame:
    """``month, item_no, sub_no, content`` of every loaded month of a region's year."""
    return conn.execute(
        "SELECT month, item_no, sub_no, content FROM progress "
        "WHERE region = ? AND year = ? ORDER BY month, item_no, sub_no",
        [region, year],
    ).df()


def replace_item_keys(
    conn: duckdb.DuckDBPyConnection, region: str, year: int, keys: pd.DataFrame
) -> None:
    """Replace a region's year of ``item_keys`` with ``keys`` in one transaction."""
    frame = keys.assign(region=region, year=year).loc[:, list(KEY_COLUMNS)]
    with transaction(conn):
        conn.execute("DELETE FROM item_keys WHERE region = ? AND year = ?", [region, year])
        if len(frame):
            conn.register("incoming_keys", frame)
            conn.execute("INSERT INTO item_keys BY NAME SELECT * FROM incoming_keys")
            conn.unregister("incoming_keys")


def following_period(
    conn: duckdb.DuckDBPyConnection, region: str, year: int, month: int
) -> tuple[str, str, int] | None:
    """``(report_id, source_name, month)`` of the region's first loaded month of ``year``
    after ``month``: the month whose comparison changes when ``month`` is loaded or replaced."""
    found = conn.execute(
        "SELECT p.report_id, r.source_name, p.month FROM progress p "
        "JOIN reports r USING (report_id) "
        "WHERE p.region = ? AND p.year = ? AND p.month > ? ORDER BY p.month LIMIT 1",
        [region, year, month],
    ).fetchone()
    return (str(found[0]), str(found[1]), int(found[2])) if found else None


def report_rows(conn: duckdb.DuckDBPyConnection, report_id: str) -> pd.DataFrame:
    """The ``progress`` rows of one report."""
    columns = ", ".join(PROGRESS_COLUMNS)
    return conn.execute(
        f"SELECT {columns} FROM progress WHERE report_id = ? ORDER BY item_no, sub_no",
        [report_id],
    ).df()


def quarantined_items(conn: duckdb.DuckDBPyConnection, report_id: str) -> frozenset[int]:
    """Item numbers of a report's quarantined rows (where the row's number could be read)."""
    rows = conn.execute(
        "SELECT DISTINCT item_no FROM quarantine WHERE report_id = ? AND item_no IS NOT NULL",
        [report_id],
    ).fetchall()
    return frozenset(int(n) for (n,) in rows)


def replace_report_issues(
    conn: duckdb.DuckDBPyConnection, report_id: str, checks: tuple[str, ...], issues: pd.DataFrame
) -> None:
    """Replace a report's issues of ``checks`` with ``issues`` (``ISSUE_COLUMNS``) at once."""
    from warehouse.load import record_issues

    with transaction(conn):
        conn.execute(
            "DELETE FROM validation_issues WHERE report_id = ? AND list_contains(?, check_name)",
            [report_id, list(checks)],
        )
        record_issues(conn, issues)
