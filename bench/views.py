"""``python -m bench.views``: time item keys, the longitudinal views and the month's report.

Builds a warehouse of ``--regions`` regions × 12 months from the four bundled months of 2022
(June–September repeated, relabelled January–December), loading it the way ingest does, then
prints the median time of each step.

Usage: ``python -m bench.views [--regions 10] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.timing import median_seconds

MONTHS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "months" / "text"
console = Console(highlight=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__)
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from pipelines.core.checking import check_document
    from pipelines.core.load_run import load_results, refresh_item_keys
    from pipelines.core.settings import PeriodOptions, RunSettings
    from schemas.identity import assign_item_keys
    from warehouse import connect
    from warehouse.history import year_item_rows
    from warehouse.monthly import month_summary

    four = [check_document(p, PeriodOptions()) for p in sorted(MONTHS.glob("*.txt"))]
    results = [
        replace(
            four[m % 4],
            region=f"区域{r:02d}县",
            month=m + 1,
            source_sha256=f"{r:04d}{m:02d}".ljust(64, "0"),
        )
        for r in range(args.regions)
        for m in range(12)
    ]
    rows = sum(len(r.rows) for r in results)
    with tempfile.TemporaryDirectory() as tmp:
        settings = RunSettings.build(
            db=Path(tmp) / "w.duckdb", reports_dir=Path(tmp) / "r", raw_dir=Path(tmp) / "raw"
        )
        start = time.perf_counter()
        load_results(results, settings, "bench", datetime.now())
        load_all = time.perf_counter() - start

        conn = connect(settings.db)
        year = year_item_rows(conn, "区域00县", 2022)
        keys = median_seconds(lambda: assign_item_keys(year), args.repeat)
        refresh = median_seconds(
            lambda: refresh_item_keys(conn, [_load_of(results[0])]), args.repeat
        )
        timings = [
            ("load the run (includes identity checks and keys)", load_all),
            ("assign_item_keys, one region's 12 months", keys),
            ("refresh_item_keys, one region's year", refresh),
        ]
        for view in ("item_history", "latest_progress", "lagging_items", "department_summary"):
            timings.append(
                (
                    f"SELECT * FROM {view}",
                    median_seconds(
                        lambda v=view: conn.execute(f"SELECT * FROM {v}").df(), args.repeat
                    ),
                )
            )
        conn.close()
        timings.append(
            (
                "month_summary (minsheng report's queries)",
                median_seconds(
                    lambda: month_summary(settings.db, "区域00县", 2022, 12), args.repeat
                ),
            )
        )

    table = Table(title=f"{args.regions} regions × 12 months, {rows} progress rows")
    table.add_column("step")
    table.add_column("median", justify="right")
    for name, seconds in timings:
        table.add_row(name, f"{seconds * 1000:.0f} ms")
    console.print(table)


def _load_of(result):  # type: ignore[no-untyped-def]
    from pipelines.core.load_run import result_to_load

    return result_to_load(result, None)


if __name__ == "__main__":
    main()
