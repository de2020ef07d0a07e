"""Item identity across months in the load step, where the warehouse connection is."""

from __future__ import annotations

import duckdb

from parsers import Issue
from pipelines.previous import PreviousMonths
from pipelines.steps import DocumentResult
from schemas.identity import assign_item_keys, identity_issues
from warehouse import DocumentLoad
from warehouse.history import replace_item_keys, year_item_rows


def _usable(result: DocumentResult) -> bool:
    return result.status != "rejected" and None not in result.period and not result.rows.empty


def renumbering_issues(
    conn: duckdb.DuckDBPyConnection | None,
    results: list[DocumentResult],
    previous: PreviousMonths | None = None,
) -> list[list[Issue]]:
    """For each document, warnings where an item's project differs from the previous month's.

    The previous month is the region's latest before the document's, whether it is in the
    warehouse already (``conn``; None when there is no warehouse) or comes in the same run.
    """
    previous = previous or PreviousMonths(conn, results)
    found: list[list[Issue]] = []
    for result in results:
        earlier = previous.of(result) if _usable(result) else None
        if earlier is None:
            found.append([])
            continue
        month, rows = earlier
        found.append(
            identity_issues(rows, result.rows, source_name=result.source_name, previous_month=month)
        )
    return found


def refresh_item_keys(conn: duckdb.DuckDBPyConnection, loads: list[DocumentLoad]) -> None:
    """Recompute item keys of every year a run loaded, from all its months (any order)."""
    years = {
        (str(load.region), int(load.year))
        for load in loads
        if load.status != "rejected" and load.region is not None and load.year is not None
    }
    for region, year in sorted(years):
        replace_item_keys(conn, region, year, assign_item_keys(year_item_rows(conn, region, year)))
