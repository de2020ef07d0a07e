"""Exporting the warehouse as Parquet partitioned by region/year/month for other engines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

from warehouse.catalog import loaded_periods
from warehouse.db import connect

# Hive-style folders (region=%E4%B9%90…/year=2022/month=8/…, the region percent-encoded as
# DuckDB writes it): Spark, Trino and DuckDB read the partition columns back from the names.


#: Beside the warehouse: the folders ``export_periods`` wrote, the only files besides the
#: warehouse that the analysts' sandbox (``minsheng sql``) may read.
EXPORTS_FILE = "exports.json"


def exported_folders(db: str | Path) -> list[Path]:
    """The folders Parquet was exported to from the warehouse ``db`` that are still there."""
    record = Path(db).parent / EXPORTS_FILE
    try:
        folders = json.loads(record.read_text("utf-8")).get("folders", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [Path(f) for f in folders if isinstance(f, str) and Path(f).is_dir()]


def _record_export(db: str | Path, out_dir: Path) -> None:
    folders = {str(f) for f in exported_folders(db)} | {str(out_dir.resolve())}
    record = Path(db).parent / EXPORTS_FILE
    try:
        record.write_text(json.dumps({"folders": sorted(folders)}, indent=2, ensure_ascii=False))
    except OSError:
        pass  # the warehouse's folder is read-only: the export stands, minsheng sql cannot read it


def period_folder(out_dir: str | Path, region: str, year: int, month: int) -> Path:
    """The folder that holds one period's Parquet files."""
    return Path(out_dir) / f"region={quote(region, safe='')}" / f"year={year}" / f"month={month}"


def export_periods(
    db: str | Path,
    out_dir: str | Path,
    periods: list[tuple[str, int, int]] | None = None,
) -> list[Path]:
    """Write ``progress`` rows of each period (all loaded periods if None) as Parquet.

    A period's folder is emptied first, so exporting again after a period was replaced leaves
    only its current rows. ``out_dir`` is recorded beside the warehouse (``EXPORTS_FILE``) so
    that ``minsheng sql`` may read it back. Returns the folders written.
    """
    out_dir = Path(out_dir)
    wanted = loaded_periods(db) if periods is None else sorted(set(periods))
    written: list[Path] = []
    if not wanted:
        return written
    out_dir.mkdir(parents=True, exist_ok=True)
    conn = connect(db, read_only=True)
    try:
        for region, year, month in wanted:
            folder = period_folder(out_dir, region, year, month)
            if folder.exists():
                shutil.rmtree(folder)
            count = conn.execute(
                "SELECT count(*) FROM progress WHERE region = ? AND year = ? AND month = ?",
                [region, year, month],
            ).fetchone()
            if not count or not count[0]:
                continue  # nothing loaded for this period (e.g. every row quarantined)
            # COPY takes no parameters for its target; the folder is ours and quoted.
            target = str(out_dir).replace("'", "''")
            conn.execute(
                "COPY (SELECT * FROM progress WHERE region = $region AND year = $year "
                "AND month = $month ORDER BY item_no, sub_no) "
                f"TO '{target}' (FORMAT parquet, PARTITION_BY (region, year, month), APPEND)",
                {"region": region, "year": year, "month": month},
            )
            written.append(folder)
    finally:
        conn.close()
    _record_export(db, out_dir)
    return written
