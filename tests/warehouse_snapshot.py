"""A warehouse's content without what differs from run to run (ids of runs, times)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

_QUERIES = {
    "reports": "SELECT * EXCLUDE (ingested_at, run_id) FROM reports ORDER BY report_id",
    "progress": "SELECT * FROM progress ORDER BY region, year, month, item_no, sub_no",
    "quarantine": "SELECT * FROM quarantine ORDER BY report_id, source_line, source_row",
    "validation_issues": "SELECT * EXCLUDE (run_id) FROM validation_issues ORDER BY ALL",
}


def warehouse_snapshot(db: Path) -> list[pd.DataFrame]:
    """Every table's rows in a fixed order, for comparing two warehouses."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return [conn.execute(sql).df() for sql in _QUERIES.values()]
