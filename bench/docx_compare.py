"""How long reading the August .docx takes: our XML walk against python-docx ``row.cells``
and docx2python. Prints medians and ratios; it is a measurement, not a test.

    python bench/docx_compare.py [--runs 30] [FILE.docx]

Every contender starts from the file's bytes and ends with the table as rows of cells, so
opening the file is in each figure. The ``row.cells`` contender does the same job as ours
(six cells a row, ``None`` where a vertical merge continues), found the way python-docx
offers: a merged cell is the same ``_tc`` as the one above it. docx2python is optional
(``pip install -e '.[bench]'``); without it that line says so.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402

from parsers import parse_bytes  # noqa: E402
from parsers.formats.docx.reader import read_docx  # noqa: E402

AUGUST = ROOT / "tests" / "fixtures" / "yueqing-2022-08.docx"


def ours(data: bytes) -> list[tuple[str | None, ...]]:
    """Our reader: open with python-docx, walk ``w:tr``/``w:tc`` once."""
    return [row.cells for row in read_docx(data, "august.docx").grid]


def with_row_cells(data: bytes) -> list[tuple[str | None, ...]]:
    """The same grid through ``table.rows`` / ``row.cells`` / ``cell.text``."""
    document = docx.Document(io.BytesIO(data))
    grid: list[tuple[str | None, ...]] = []
    for table in document.tables:
        above: list = []
        for index, row in enumerate(table.rows):
            cells = row.cells
            tcs = [cell._tc for cell in cells]
            if index == 0:  # the header row
                above = tcs
                continue
            values: list[str | None] = []
            for j, cell in enumerate(cells):
                if j < len(above) and tcs[j] is above[j]:
                    values.append(None)  # the merge from above goes on
                elif j > 0 and tcs[j] is tcs[j - 1]:
                    values.append("")  # spanned by the cell to the left
                else:
                    values.append(cell.text.strip())
            above = tcs
            grid.append(tuple(values))
    return grid


def with_docx2python(data: bytes) -> list[list[str]]:
    """docx2python's table text (merged cells repeated, its default)."""
    from docx2python import docx2python

    with docx2python(io.BytesIO(data)) as result:
        body = result.body
    return [["\n".join(paragraphs) for paragraphs in row] for table in body for row in table]


def whole_parse(data: bytes) -> int:
    """For scale: ours through to progress rows (merges resolved, completion parsed)."""
    return len(parse_bytes(data, "august.docx").rows)


def medians_ms(
    contenders: dict[str, Callable[[bytes], object]], data: bytes, runs: int
) -> dict[str, float]:
    """Median time of each contender; runs take turns so that load on the machine hits all."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():
        run(data)  # warm imports and caches
    for _ in range(runs):
        for name, run in contenders.items():
            start = time.perf_counter()
            run(data)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=AUGUST)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    data = args.file.read_bytes()

    # Same work: both readers must give the same grid before their times mean anything.
    same = [tuple(c if c is None else c.strip() for c in row) for row in ours(data)]
    if same != with_row_cells(data):
        sys.exit("row.cells and our reader disagree on this file; fix that before timing")

    contenders: dict[str, Callable[[bytes], object]] = {
        "ours (XML walk)": ours,
        "python-docx row.cells": with_row_cells,
    }
    try:
        import docx2python  # noqa: F401
    except ImportError:
        have_docx2python = False
    else:
        have_docx2python = True
        contenders["docx2python"] = with_docx2python
    contenders["(opening with python-docx)"] = lambda d: docx.Document(io.BytesIO(d))
    contenders["(ours to progress rows)"] = whole_parse
    medians = medians_ms(contenders, data, args.runs)

    base = medians["ours (XML walk)"]
    print(f"{args.file.name}: {len(same)} data rows, median of {args.runs} runs each")
    for name, ms in medians.items():
        ratio = f"{ms / base:5.2f}x ours" if not name.startswith("(") else ""
        print(f"  {name:28s} {ms:8.1f} ms   {ratio}")
    if not have_docx2python:
        print(f"  {'docx2python':28s} not installed (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
