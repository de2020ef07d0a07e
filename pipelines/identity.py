"""Item identity across months in the load step, where the warehouse connection is."""

from __future__ import annotations

import duckdb
import pandas as pd

from parsers import Issue
from pipelines.steps import DocumentResult
from schemas.identity import assign_item_keys, identity_issues
from warehouse import DocumentLoad
from warehouse.history import previous_period_rows, replace_item_keys, year_item_rows


def _usable(result: DocumentResult) -> bool:
    return result.status != "rejected" and None not in result.period and not result.rows.empty


def _previous_rows(
    conn: duckdb.DuckDBPyConnection | None, result: DocumentResult, run: list[DocumentResult]
) -> tuple[int, pd.DataFrame] | None:
    """The region's latest month before this one: from this run if it brings one, else loaded."""
    region, year, month = str(result.region), int(result.year or 0), int(result.month or 0)
    best: tuple[int, pd.DataFrame] | None = None
    if conn is not None:
        loaded = previous_period_rows(conn, region, year, month)
        best = (int(loaded["month"].iloc[0]), loaded) if len(loaded) else None
    for other in run:
        if other is result or not _usable(other) or other.period[:2] != result.period[:2]:
            continue
        other_month = int(other.month or 0)
        # a month in this run replaces the same month in the warehouse
        if other_month < month and (best is None or other_month >= best[0]):
            best = (other_month, other.rows)
    return best


def renumbering_issues(
    conn: duckdb.DuckDBPyConnection | None, results: list[DocumentResult]
) -> list[list[Issue]]:
    """For each document, warnings where an item's project differs from the previous month's.

    The previous month is the region's latest before the document's, whether it is in the
    warehouse already (``conn``; None when there is no warehouse) or comes in the same run.
    """
    found: list[list[Issue]] = []
    for result in results:
        previous = _previous_rows(conn, result, results) if _usable(result) else None
        if previous is None:
            found.append([])
            continue
        month, rows = previous
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
