"""The previous reported month of a region, for month-over-month checks."""

from __future__ import annotations

import duckdb
import pandas as pd

HISTORY_COLUMNS: tuple[str, ...] = (
    "item_no",
    "sub_no",
    "completion_pct",
    "completion_raw",
    "department",
    "leader",
)


def previous_month_rows(
    conn: duckdb.DuckDBPyConnection, region: str, year: int, month: int
) -> tuple[int | None, pd.DataFrame]:
    """The latest month before ``month`` of the same region and year, and its progress rows.

    ``(None, empty frame)`` when nothing earlier of that year is loaded.
    """
    found = conn.execute(
        "SELECT max(month) FROM progress WHERE region = ? AND year = ? AND month < ?",
        [region, year, month],
    ).fetchone()
    previous = found[0] if found else None
    if previous is None:
        return None, pd.DataFrame(columns=list(HISTORY_COLUMNS))
    frame = conn.execute(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM progress "
        "WHERE region = ? AND year = ? AND month = ? ORDER BY item_no, sub_no",
        [region, year, previous],
    ).df()
    return int(previous), frame
