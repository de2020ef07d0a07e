"""The month a document is compared with: its region's latest earlier month of the year."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipelines.steps import DocumentResult
from warehouse.history import previous_period_rows

Period = tuple[str, int, int]


class PreviousMonths:
    """Finds, for each document of a run, the month before it and that month's rows.

    The month is the latest earlier one of the same region and year, in the warehouse
    (``conn``; None when there is none) or in this same run; a month the run brings replaces
    the warehouse's copy of it, so it wins a tie. Each warehouse month is read once a run,
    however many checks ask for it.
    """

    def __init__(
        self, conn: duckdb.DuckDBPyConnection | None, results: list[DocumentResult]
    ) -> None:
        self._conn = conn
        self._in_run: dict[Period, pd.DataFrame] = {
            (str(r.region), int(r.year or 0), int(r.month or 0)): r.rows
            for r in results
            if r.status != "rejected" and None not in r.period and not r.rows.empty
        }
        self._stored: dict[Period, tuple[int, pd.DataFrame] | None] = {}

    def of(self, result: DocumentResult) -> tuple[int, pd.DataFrame] | None:
        """``(month, rows)`` of the month before ``result``'s, or None if there is none."""
        if result.status == "rejected" or None in result.period:
            return None
        region, year, month = str(result.region), int(result.year or 0), int(result.month or 0)
        key = (region, year, month)
        if key not in self._stored:
            found = None
            if self._conn is not None:
                rows = previous_period_rows(self._conn, region, year, month)
                found = (int(rows["month"].iloc[0]), rows) if len(rows) else None
            self._stored[key] = found
        best = self._stored[key]
        for (other_region, other_year, other_month), rows in self._in_run.items():
            if (other_region, other_year) == (region, year) and other_month < month:
                if best is None or other_month >= best[0]:
                    best = (other_month, rows)
        return best
