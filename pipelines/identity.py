"""Item identity across months in the load step, where the warehouse connection is."""

from __future__ import annotations

import duckdb

from parsers import Issue
from pipelines.steps import DocumentResult
from schemas.identity import assign_item_keys, identity_issues
from warehouse.history import previous_period_rows, replace_item_keys, year_item_rows


def renumbering_issues(conn: duckdb.DuckDBPyConnection, result: DocumentResult) -> list[Issue]:
    """Warnings where an item's project differs from the region's previous reported month."""
    if result.status == "rejected" or None in result.period or result.rows.empty:
        return []
    previous = previous_period_rows(
        conn, str(result.region), int(result.year or 0), int(result.month or 0)
    )
    if previous.empty:
        return []
    return identity_issues(
        previous,
        result.rows,
        source_name=result.source_name,
        previous_month=int(previous["month"].iloc[0]),
    )


def refresh_item_keys(conn: duckdb.DuckDBPyConnection, region: str, year: int) -> None:
    """Recompute the year's item keys from every loaded month (months may arrive in any order)."""
    rows = year_item_rows(conn, region, year)
    replace_item_keys(conn, region, year, assign_item_keys(rows))
