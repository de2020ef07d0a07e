"""What the warehouse already holds: documents seen, periods loaded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.db import read_only_query

if TYPE_CHECKING:
    import pandas as pd


def seen_sha256s(path: str | Path) -> set[str]:
    """The sha256 of every document already read into the warehouse and not rejected.

    A rejected document is not counted as seen, so that an inbox run tries it again: it may
    have been renamed to give its period, which does not change its bytes.
    """
    path = Path(path)
    if not path.exists():
        return set()
    found = read_only_query(
        path, "SELECT DISTINCT source_sha256 FROM reports WHERE status <> 'rejected'"
    )
    return set(found["source_sha256"])


def loaded_periods(path: str | Path) -> list[tuple[str, int, int]]:
    """Every ``(region, year, month)`` with rows in ``progress``, in order."""
    found = read_only_query(
        path, "SELECT DISTINCT region, year, month FROM progress ORDER BY region, year, month"
    )
    return [(str(r), int(y), int(m)) for r, y, m in found.itertuples(index=False)]


def period_reports(path: str | Path, year: int, month: int) -> pd.DataFrame:
    """Each region's reports of one period that still count (not replaced by a later one),
    the latest first: what the intake page's month status shows."""
    return read_only_query(
        path,
        "SELECT region, source_name, status, rows_loaded, rows_quarantined, ingested_at, run_id "
        f"FROM reports WHERE year = {int(year)} AND month = {int(month)} "
        "AND region IS NOT NULL AND superseded_by IS NULL ORDER BY ingested_at DESC",
    )
