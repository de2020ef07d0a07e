"""``python -m bench.sql``: ``minsheng sql`` against the same query in a bare duckdb process.

Builds (or reuses, with ``--db``) a warehouse of ``--regions`` regions × 12 months from the
four bundled months of 2022, as ``bench.views`` does (500 regions: 288,000 progress rows),
then times, in fresh processes, each documented view through ``minsheng sql`` (table, CSV and
JSON) against ``python -c`` that connects read-only, runs the query and fetches every row.

Usage: ``python -m bench.sql [--regions 500] [--repeat 5] [--db FILE]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

MONTHS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "months" / "text"

#: The documented views, whole: the most rows ``minsheng sql`` prints for them.
QUERIES = (
    "SELECT * FROM lagging_items",
    "SELECT * FROM department_summary",
    "SELECT * FROM latest_progress",
    "SELECT region, year, month, item_no, sub_no, completion_pct, change_pct FROM item_history",
)

BARE = (
    "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
    "c.execute(sys.argv[2]).fetchall()"
)


def build(db: Path, regions: int) -> int:
    """A warehouse of ``regions`` × 12 months at ``db``; its number of progress rows."""
    from pipelines.core.checking import check_document
    from pipelines.core.load_run import load_results
    from pipelines.core.settings import PeriodOptions, RunSettings

    four = [check_document(p, PeriodOptions()) for p in sorted(MONTHS.glob("*.txt"))]
    results = [
        replace(
            four[m % 4],
            region=f"区域{r:03d}县",
            month=m + 1,
            source_sha256=f"{r:04d}{m:02d}".ljust(64, "0"),
        )
        for r in range(regions)
        for m in range(12)
    ]
    settings = RunSettings.build(
        db=db, reports_dir=db.parent / "reports", raw_dir=db.parent / "raw"
    )
    load_results(results, settings, "bench", datetime.now())
    return sum(len(r.rows) for r in results)


def wall(command: list[str], repeat: int) -> float:
    """The median wall time of ``command`` run ``repeat`` times, its output thrown away."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sql_ratios(
    db: Path, repeat: int, formats: tuple[str, ...] = ("table", "csv", "json")
) -> list[tuple[str, int, float, dict[str, float]]]:
    """For each documented view: ``(query, rows, bare seconds, {format: seconds})``, each the
    median of ``repeat`` fresh processes."""
    import duckdb

    minsheng = str(Path(sys.executable).with_name("minsheng"))
    found = []
    for query in QUERIES:
        with duckdb.connect(str(db), read_only=True) as conn:
            (count,) = conn.execute(f"SELECT count(*) FROM ({query})").fetchone() or (0,)
        bare = wall([sys.executable, "-c", BARE, str(db), query], repeat)
        ours = {}
        for fmt in formats:
            command = [minsheng, "sql", query, "--db", str(db), "--format", fmt]
            ours[fmt] = wall([*command, "--max-rows", "1000000"], repeat)
        found.append((query, count, bare, ours))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sql", description=__doc__)
    parser.add_argument("--regions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path("data/bench-sql/w.duckdb"))
    args = parser.parse_args(argv)

    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        rows = build(args.db, args.regions)
        print(f"built {args.db}: {rows:,} progress rows in {time.perf_counter() - start:.0f} s")
    print("| query | rows | bare duckdb | table | csv | json |")
    print("| --- | --- | --- | --- | --- | --- |")
    for query, count, bare, ours in sql_ratios(args.db, args.repeat):
        cells = [f"`{query}`", f"{count:,}", f"{bare:.2f} s"]
        cells += [f"{seconds:.2f} s ({seconds / bare:.2f}×)" for seconds in ours.values()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
