"""How much the PDF parser costs beyond pdfplumber's own table finding, and against camelot.

Run from the repository root: ``python bench/pdf_compare.py [PDF] [--runs N]``. Prints the
median time of each way of reading the August sample and its ratio to bare
``page.extract_tables()`` on every page. camelot is optional (``pip install -e '.[bench]'``);
without it, or if it fails, that line says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.alternatives import camelot_lattice, pdf_extract_tables  # noqa: E402
from parsers import parse_document  # noqa: E402
from parsers.formats.pdf import read_pdf  # noqa: E402

DEFAULT_PDF = ROOT / "tests" / "fixtures" / "yueqing-2022-08.pdf"


def bare_extract_tables(path: Path) -> int:
    return sum(len(table) for table in pdf_extract_tables(path))


def our_table(path: Path) -> int:
    """Our reader: pages joined into one table of grid rows."""
    return len(read_pdf(path.read_bytes(), path.name).grid)


def our_rows(path: Path) -> int:
    """The whole parse: grid rows to progress rows, period from the title."""
    return len(parse_document(path).rows)


def camelot_rows(path: Path) -> int:
    tables = camelot_lattice(path)
    if tables is None:
        raise ImportError("camelot")
    return sum(table.df.shape[0] for table in tables)  # type: ignore[attr-defined]


def interleaved_medians(
    contenders: dict[str, Callable[[Path], int]], path: Path, runs: int
) -> dict[str, tuple[float, int]]:
    """Median seconds and row count of each contender, run in turn so load hits all alike."""
    counts = {name: fn(path) for name, fn in contenders.items()}  # warm-up: imports, caches
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn(path)
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), counts[name]) for name in contenders}


BARE = "pdfplumber extract_tables, every page"
CAMELOT = "camelot lattice, every page"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    contenders: dict[str, Callable[[Path], int]] = {
        BARE: bare_extract_tables,
        "ours: read_pdf (one table, breaks stitched)": our_table,
        "ours: parse_bytes (progress rows)": our_rows,
    }
    camelot_note = None
    try:
        camelot_rows(args.pdf)
        contenders[CAMELOT] = camelot_rows
    except ImportError:
        contenders.pop(CAMELOT, None)
        camelot_note = "skipped: camelot is not installed (pip install -e '.[bench]')"
    except Exception as exc:  # camelot's own failures (missing backend…) end only its line
        contenders.pop(CAMELOT, None)
        camelot_note = f"failed: {type(exc).__name__}: {exc}"

    results = interleaved_medians(contenders, args.pdf, args.runs)
    base = results[BARE][0]
    print(f"{args.pdf.name}: median of {args.runs} interleaved runs, ratio to bare extract_tables")
    for name, (seconds, count) in results.items():
        print(f"  {name:44} {seconds:7.3f} s  {seconds / base:5.2f}x  ({count} rows)")
    if camelot_note:
        print(f"  {CAMELOT:44} {camelot_note}")


if __name__ == "__main__":
    main()
