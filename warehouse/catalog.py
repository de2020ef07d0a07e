"""What the warehouse already holds: documents seen, periods loaded."""

from __future__ import annotations

from pathlib import Path

from warehouse.db import connect


def seen_sha256s(path: str | Path) -> set[str]:
    """The sha256 of every document already read into the warehouse and not rejected.

    A rejected document is not counted as seen, so that an inbox run tries it again: it may
    have been renamed to give its period, which does not change its bytes.
    """
    path = Path(path)
    if not path.exists():
        return set()
    conn = connect(path, read_only=True)
    try:
        rows = conn.execute(
            "SELECT DISTINCT source_sha256 FROM reports WHERE status <> 'rejected'"
        ).fetchall()
    finally:
        conn.close()
    return {sha for (sha,) in rows}


def loaded_periods(path: str | Path) -> list[tuple[str, int, int]]:
    """Every ``(region, year, month)`` with rows in ``progress``, in order."""
    conn = connect(path, read_only=True)
    try:
        rows = conn.execute(
            "SELECT DISTINCT region, year, month FROM progress ORDER BY region, year, month"
        ).fetchall()
    finally:
        conn.close()
    return [(str(r), int(y), int(m)) for r, y, m in rows]
