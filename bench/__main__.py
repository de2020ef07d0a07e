"""``python -m bench``: measure each step of a run on a generated corpus and print ratios.

Usage: ``python -m bench [--documents 108] [--corpus DIR] [--repeat 3] [--only PART]``

``--only desk`` times the start-up at the desk alone (``bench.desk``), ``--only backfill``
the backfill curve alone (``bench.curve``: ``minsheng ingest`` of 30, 60 and 120 mixed
reports in threads and in processes, CPU a document and peak memory).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.alternatives import camelot_lattice, pdf_extract_tables
from bench.corpus import Document, build_corpus
from bench.docx_compare import with_row_cells, zip_lxml_floor
from bench.formats_compare import compare as compare_with_pandas
from bench.timing import median_seconds

console = Console(highlight=False)


def _check(path: str):  # top level so that process pools can pickle it
    from pipelines.core.checking import check_document
    from pipelines.core.settings import PeriodOptions

    return check_document(path, PeriodOptions())


def _check_all(paths: list[str], workers: int) -> list:
    if workers == 1:
        return [_check(p) for p in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_check, paths, chunksize=4))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--documents", type=int, default=108)
    parser.add_argument("--corpus", type=Path, default=Path("data/bench-corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("desk", "backfill"), default=None)
    args = parser.parse_args(argv)

    from bench.desk import FLOOR, TARGETS, print_desk_ratios

    if args.only == "backfill":
        _print_targets(_backfill_curve(args.corpus), "targets")
        return
    console.print("[bold]At the desk[/] (fresh processes, no Prefect API):")
    desk = print_desk_ratios(lambda line: console.print("  " + line))
    if args.only == "desk":
        _print_targets(
            [
                (
                    f"minsheng {name} vs `{FLOOR}`",
                    desk[name][1],
                    f"≤ {goal}×",
                    desk[name][1] <= goal,
                )
                for name, goal in TARGETS.items()
            ],
            "targets",
        )
        return

    from parsers import parse_document
    from parsers.formats.docx.reader import read_docx
    from schemas import validate_rows

    started = time.perf_counter()
    from parsers import SUPPORTED_SUFFIXES

    readable = {suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES}
    docs = [d for d in build_corpus(args.corpus, args.documents) if d.fmt in readable]
    console.print(
        f"corpus: {len(docs)} documents in {args.corpus} "
        f"({time.perf_counter() - started:.1f} s to build or reuse)"
    )
    by_format: dict[str, list[Document]] = {}
    for doc in docs:
        by_format.setdefault(doc.fmt, []).append(doc)
    if "pdf" not in by_format:
        # Without LibreOffice no PDFs are generated: time the committed PDF fixtures instead.
        fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
        by_format["pdf"] = [
            Document(path, "pdf", "乐清市", 2022, 8)
            for path in [
                fixtures / "yueqing-2022-08.pdf",
                *sorted((fixtures / "pdf").glob("*.pdf")),
            ]
        ]

    # Browser prints of the city's web page (another producer, its own ruling) are always in
    # the PDF sample: the committed Chromium fixtures.
    browser = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdf" / "browser"
    prints = [
        Document(path, "pdf", "乐清市", 2022, 8)
        for path in sorted(browser.glob("yueqing-2022-08-*.pdf"))
        if "outside" not in path.name
    ]
    by_format["pdf"] = prints + by_format["pdf"][: max(12 - len(prints), 4)]

    figures: list[tuple[str, str, str]] = []
    targets: list[tuple[str, float, str, bool | None]] = []

    # Parsing, per format, against the naive alternative.
    parsed = {}
    for fmt, group in sorted(by_format.items()):
        sample = group[: min(len(group), 12)]
        ours = median_seconds(
            lambda sample=sample: [parse_document(d.path) for d in sample], args.repeat
        )
        rows = sum(len(parse_document(d.path).rows) for d in sample)
        per_doc = ours / len(sample)
        figures.append(
            (f"parse .{fmt}", f"{per_doc * 1000:.0f} ms/doc", f"{rows / ours:,.0f} rows/s")
        )
        if fmt == "docx":
            # Both sides from the file's bytes to the six-cell grid, merges resolved alike.
            blobs = [d.path.read_bytes() for d in sample]
            ours_grid = median_seconds(
                lambda blobs=blobs: [read_docx(b, "bench.docx") for b in blobs], args.repeat
            )
            naive = median_seconds(
                lambda blobs=blobs: [with_row_cells(b) for b in blobs], args.repeat
            )
            ratio = naive / ours_grid
            figures.append(
                ("  our Word table walk", f"{ours_grid / len(sample) * 1000:.0f} ms/doc", "")
            )
            figures.append(
                (
                    "  python-docx row.cells",
                    f"{naive / len(sample) * 1000:.0f} ms/doc",
                    f"ours {ratio:.2f}× faster",
                )
            )
            targets.append((".docx parse vs row.cells", ratio, "≥ 3× faster", ratio >= 3))
            floor = median_seconds(
                lambda blobs=blobs: [zip_lxml_floor(b) for b in blobs], args.repeat
            )
            figures.append(
                (
                    "  zip+lxml floor",
                    f"{floor / len(sample) * 1000:.1f} ms/doc",
                    f"ours {ours_grid / floor:.1f}× its time",
                )
            )
            targets.append(
                (
                    ".docx table walk vs zip+lxml floor",
                    ours_grid / floor,
                    "no goal: the floor",
                    None,
                )
            )
        if fmt == "pdf":
            bare = median_seconds(
                lambda sample=sample: [pdf_extract_tables(d.path) for d in sample], args.repeat
            )
            ratio = ours / bare
            figures.append(
                (
                    "  bare extract_tables",
                    f"{bare / len(sample) * 1000:.0f} ms/doc",
                    f"ours {ratio:.2f}× its time",
                )
            )
            targets.append(("PDF parse vs bare extract_tables", ratio, "≤ 1.10×", ratio <= 1.10))
            one = sample[:3]
            if camelot_lattice(one[0].path) is not None:
                ours_one = median_seconds(lambda one=one: [parse_document(d.path) for d in one], 1)
                cam = median_seconds(lambda one=one: [camelot_lattice(d.path) for d in one], 1)
                figures.append(
                    (
                        "  camelot lattice",
                        f"{cam / len(one) * 1000:.0f} ms/doc",
                        f"ours {cam / ours_one:.1f}× faster",
                    )
                )
                targets.append(
                    ("PDF parse vs camelot", cam / ours_one, "≥ 3× faster", cam / ours_one >= 3)
                )
            else:
                figures.append(("  camelot lattice", "not installed", "pip install camelot-py"))
        parsed[fmt] = [parse_document(d.path) for d in group if d in docs]

    # Web pages and spreadsheets: the August fixtures against pandas' readers.
    for name, table, whole, naive, wrong in compare_with_pandas(args.repeat * 3):
        library = "pandas.read_excel" if name == "xlsx" else "pandas.read_html"
        figures.append((f"parse .{name}", f"{whole * 1000:.0f} ms/doc", "to progress rows"))
        figures.append(
            (
                f"  our {name} reader",
                f"{table * 1000:.0f} ms/doc",
                f"{table / naive:.2f}× {library}",
            )
        )
        figures.append((f"  {library}", f"{naive * 1000:.0f} ms/doc", wrong))

    # Validation.
    all_docs = [p for group in parsed.values() for p in group]
    total_rows = sum(len(p.rows) for p in all_docs)
    validation = median_seconds(
        lambda: [
            validate_rows(
                p.rows,
                region=str(p.region),
                year=int(p.year or 0),
                month=int(p.month or 0),
                source_name=p.source_name,
            )
            for p in all_docs
        ],
        1,
    )
    figures.append(
        (
            "validate",
            f"{validation / len(all_docs) * 1000:.0f} ms/doc",
            f"{total_rows / validation:,.0f} rows/s",
        )
    )

    # Loading: one bulk insert per document against executemany.
    bulk, rowwise, load_rows = _measure_load(all_docs)
    figures.append(("load (one bulk insert a table)", f"{load_rows / bulk:,.0f} rows/s", ""))
    figures.append(
        (
            "  executemany",
            f"{load_rows / rowwise:,.0f} rows/s",
            f"bulk {rowwise / bulk:.1f}× faster",
        )
    )
    targets.append(
        ("bulk load vs executemany", rowwise / bulk, "≥ 20× faster", rowwise / bulk >= 20)
    )

    # Prefect overhead: the flow against the same functions called directly.
    paths = [str(d.path) for d in docs]
    direct, flow, flow_processes = _measure_prefect(paths)
    figures.append(
        ("backfill, functions called directly", f"{direct:.1f} s", f"{len(paths)} documents")
    )
    figures.append(("backfill, Prefect flow", f"{flow:.1f} s", f"{flow / direct:.2f}× direct"))
    targets.append(
        ("Prefect overhead on the backfill", flow / direct, "≤ 1.3×", flow / direct <= 1.3)
    )

    # Parallel parsing on 2 processes against 1: the parse stage alone in a process pool, and
    # the whole flow with its parse tasks in 2 worker processes against its default threads.
    one = median_seconds(lambda: _check_all(paths, 1), 1)
    two = median_seconds(lambda: _check_all(paths, 2), 1)
    figures.append(("parse+validate, 1 process", f"{one:.1f} s", ""))
    figures.append(("parse+validate, 2 processes", f"{two:.1f} s", f"{one / two:.2f}× faster"))
    figures.append(
        (
            "backfill flow, 2 worker processes",
            f"{flow_processes:.1f} s",
            f"{flow / flow_processes:.2f}× faster than threads",
        )
    )
    targets.append(
        ("parse stage on 2 processes vs 1", one / two, "≥ 1.7× faster", one / two >= 1.7)
    )
    targets.append(
        (
            "backfill flow on 2 processes vs threads",
            flow / flow_processes,
            "≥ 1.7× faster",
            flow / flow_processes >= 1.7,
        )
    )

    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures.append(
        ("peak memory", f"{peak_self:.0f} MiB", f"largest child {peak_children:.0f} MiB")
    )

    # Start-up at the desk (measured first, above) against the import floor.
    for name, goal in TARGETS.items():
        seconds, ratio = desk[name]
        targets.append((f"minsheng {name} vs `{FLOOR}`", ratio, f"≤ {goal}×", ratio <= goal))

    # The backfill curve: minsheng ingest of 30, 60 and 120 reports, threads and processes.
    targets.extend(_backfill_curve(args.corpus))

    # minsheng sql against a bare duckdb process, on a small warehouse of the documented views.
    for query, count, bare, ours_sql in _measure_sql(args.repeat):
        for fmt, seconds in ours_sql.items():
            figures.append(
                (
                    f"sql --format {fmt}: {query.split(' FROM ')[1]}",
                    f"{seconds:.2f} s",
                    f"{count:,} rows, {seconds / bare:.2f}× bare duckdb ({bare:.2f} s)",
                )
            )
        worst = max(ours_sql.values()) / bare
        targets.append(
            (f"sql vs bare duckdb: {query.split(' FROM ')[1]}", worst, "≤ 1.5×", worst <= 1.5)
        )

    table = Table(
        title=f"minsheng-etl benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores"
    )
    for column in ("step", "figure", "compared"):
        table.add_column(column)
    for row in figures:
        table.add_row(*row)
    console.print(table)
    _print_targets(targets, "targets")

    # Scanned reports: the acceptance check against the expected rows, OCR time per page and
    # per document, and tesseract on the same cells (see bench/ocr.py).
    from parsers.formats.ocr import ocr_available

    if ocr_available():
        from bench.ocr import main as ocr_main

        console.print("\n[bold]Scanned reports (OCR)[/]")
        ocr_main([])
    else:
        console.print("OCR: skipped, the extra is not installed (pip install -e '.[ocr]')")


def _print_targets(targets: list[tuple[str, float, str, bool | None]], title: str) -> None:
    verdicts = Table(title=title)
    for column in ("ratio", "measured", "target", "met"):
        verdicts.add_column(column)
    for name, value, goal, met in targets:
        verdicts.add_row(
            name, f"{value:.2f}", goal, "—" if met is None else "yes" if met else "[red]no[/]"
        )
    console.print(verdicts)


def _backfill_curve(corpus: Path) -> list[tuple[str, float, str, bool | None]]:
    """``bench.curve`` on the corpus (built to 120 reports if smaller), printed as it goes."""
    from bench.curve import backfill_curve, curve_targets

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    console.print(f"[bold]Backfill curve[/] (minsheng ingest, 2 workers; load {load}):")
    found = backfill_curve(corpus, say=lambda line: console.print("  " + line))
    return list(curve_targets(found))


def _measure_sql(repeat: int, regions: int = 4) -> list[tuple[str, int, float, dict[str, float]]]:
    """``bench.sql``'s figures on a warehouse of ``regions`` × 12 months (4: 2,304 rows), built
    here: the start-up and the printing of a few thousand rows, as an analyst meets them."""
    from bench.sql import build, sql_ratios

    with tempfile.TemporaryDirectory(prefix="minsheng-bench-sql-") as tmp:
        db = Path(tmp) / "w.duckdb"
        build(db, regions)
        return sql_ratios(db, repeat)


def _measure_load(parsed: list) -> tuple[float, float, int]:
    import pandas as pd

    from warehouse import DocumentLoad, connect, load_documents
    from warehouse.load import PROGRESS_COLUMNS, make_report_id

    loads = []
    for p in parsed:
        rows = p.rows.assign(region=p.region, year=p.year, month=p.month)
        loads.append(
            DocumentLoad(
                report_id=make_report_id(p.source_sha256, p.region, p.year, p.month),
                source=p.source,
                status="loaded",
                progress=rows,
            )
        )
    rows_total = sum(len(load.progress) for load in loads)
    with tempfile.TemporaryDirectory() as tmp:
        bulk_times = []
        for attempt in range(3):  # a fraction of a second: take the median of three
            conn = connect(Path(tmp) / f"bulk{attempt}.duckdb")
            start = time.perf_counter()
            load_documents(conn, loads, "bench")
            bulk_times.append(time.perf_counter() - start)
            conn.close()
        bulk = statistics.median(bulk_times)

        conn = connect(Path(tmp) / "rowwise.duckdb")
        columns = list(PROGRESS_COLUMNS)
        statement = (
            f"INSERT INTO progress ({', '.join(columns)}) VALUES "
            f"({', '.join('?' for _ in columns)})"
        )
        start = time.perf_counter()
        for load in loads:
            frame = load.progress.assign(report_id=load.report_id)[columns]
            records = [
                [None if pd.isna(v) else v for v in row]
                for row in frame.astype(object).itertuples(index=False)
            ]
            conn.execute("BEGIN TRANSACTION")
            conn.executemany(statement, records)
            conn.execute("COMMIT")
        rowwise = time.perf_counter() - start
        conn.close()
    return bulk, rowwise, rows_total


def _measure_prefect(paths: list[str]) -> tuple[float, float, float]:
    from pipelines.core.checking import reject_repeated_periods
    from pipelines.core.load_run import load_results
    from pipelines.core.run_report import RunReport, new_run_id
    from pipelines.core.settings import RunSettings
    from pipelines.flows.environment import configure_prefect_environment
    from pipelines.render.validation import write_report

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        os.environ["PREFECT_HOME"] = str(Path(tmp) / "prefect")
        configure_prefect_environment(quiet=True)
        from pipelines.flows.ingest import ingest_flow
        from pipelines.flows.temporary_server import prefect_api

        stack.enter_context(prefect_api())  # one temporary server for all the runs below

        settings = RunSettings.build(
            db=Path(tmp) / "direct.duckdb",
            reports_dir=Path(tmp) / "reports",
            raw_dir=Path(tmp) / "raw",
        )
        start = time.perf_counter()
        results = reject_repeated_periods([_check(p) for p in paths])
        started_at = datetime.now()
        run_id = new_run_id(started_at)
        outcomes = load_results(results, settings, run_id, started_at)
        report = RunReport.of(run_id, started_at, "ingest", outcomes, committed=True)
        write_report(report.as_json(as_written=True), settings.reports_dir)
        direct = time.perf_counter() - start

        # A first small run starts the temporary Prefect server; it is not part of the figure.
        ingest_flow(
            paths=paths[:1],
            db=str(Path(tmp) / "warmup.duckdb"),
            reports_dir=str(Path(tmp) / "reports"),
            raw_dir=str(Path(tmp) / "raw"),
            return_state=True,  # a run that rejects a document ends Failed: not an error here
        )
        start = time.perf_counter()
        ingest_flow(
            paths=paths,
            db=str(Path(tmp) / "flow.duckdb"),
            reports_dir=str(Path(tmp) / "reports"),
            raw_dir=str(Path(tmp) / "raw"),
            return_state=True,
        )
        flow = time.perf_counter() - start

        # The same backfill with the parse tasks in 2 worker processes (the pool's start-up,
        # each worker importing Prefect, pandas and pandera, is part of the figure).
        from pipelines.execution.parallelism import Parallelism
        from pipelines.flows.run_flow import run_ingest_flow

        start = time.perf_counter()
        run_ingest_flow(
            [Path(p) for p in paths],
            RunSettings.build(
                db=Path(tmp) / "processes.duckdb",
                reports_dir=Path(tmp) / "reports",
                raw_dir=Path(tmp) / "raw",
            ),
            load=True,
            parallelism=Parallelism(mode="processes", workers=2),
        )
        processes = time.perf_counter() - start
    return direct, flow, processes


if __name__ == "__main__":
    main()
