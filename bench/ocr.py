"""Scanned reports: rows read right and OCR time, against the August report's expected rows.

``python -m bench.ocr`` runs the full acceptance check on the committed scans (the clean
200-dpi scan, the photocopy, the fax and the 7-page scan that opens with a cover letter,
every page; the phone photo of page 1, the pages
fed sideways or upside down, the letter-size scan img2pdf placed at 96 dpi; and the PDFs whose
text layer lies, read by OCR: the PostScript round trip and tesseract's OCR-layer PDF) and prints,
for each, how many of its expected rows loaded exact, whether every item is accounted for
and whether every loaded row that differs from the expected one carries an issue at its
page and row; then seconds per page on one core and for the whole scan on 2 processes,
and the same pages read by tesseract (when installed) for comparison. ``python -m bench``
prints the same figures.

A row is *exact* when item, sub-item, department, leader and completion cell (whitespace
ignored) equal the expected row's and its project text is at least 0.9 similar (difflib
ratio, whitespace removed). A *speck* is a loaded value a speck was read as: a department
or leader that starts with a digit or punctuation the expected one does not start with, or
a plan or actual-progress cell loaded as one or two characters where the report's is empty.
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
GEOMETRY = FIXTURES / "geometry"
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


_SPECK_START = re.compile(r"^[0-9A-Za-z.,:;'`|_\-]")


def speck_values(row: dict[str, Any], expected: dict[str, str] | None) -> list[str]:
    """The loaded values of a row that are specks read as text (see the module's docstring)."""
    if expected is None:
        return []
    found = []
    for column in ("department", "leader"):
        value, truth = _bare(row[column]), _bare(expected[column])
        if _SPECK_START.match(value) and not _SPECK_START.match(truth):
            found.append(f"{column} {value!r}")
    for column in ("plan_text", "actual_text"):
        value = _bare(row.get(column))
        if value and len(value) <= 2 and not _bare(expected.get(column)):
            found.append(f"{column} {value!r}")
    return found


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
    wrong_values: list[str] = field(default_factory=list)  # specks loaded as text
    warnings: int = 0
    corrections: int = 0
    seconds: float = 0.0


def check_scan(
    path: Path, region: str = "乐清市", ocr: Any = None, items: range | None = None
) -> Acceptance:
    """Parse and validate a scan as ``ingest`` does, and compare with the expected rows (of
    ``items`` only, for a scan of some pages)."""
    from parsers.formats.ocr import SERIAL
    from pipelines.core.checking import check_document
    from pipelines.core.settings import PeriodOptions

    started = time.perf_counter()
    checked = check_document(path, PeriodOptions(region=region), ocr=ocr or SERIAL)
    result = Acceptance(path.name, seconds=time.perf_counter() - started)
    issues = checked.issues
    flagged = {(i.location.page, i.location.row) for i in issues}
    result.warnings = sum(1 for i in issues if i.severity == "warning")
    result.corrections = sum(1 for i in issues if i.check == "ocr_corrected")
    expected = {
        key: row for key, row in expected_rows().items() if items is None or key[0] in items
    }
    result.expected = len(expected)
    quarantined = checked.quarantined
    result.quarantined = len(quarantined)
    rows = checked.rows.to_dict("records")
    result.loaded = len(rows)
    seen_items = {int(r["item_no"]) for r in rows} | {
        r.item_no for r in quarantined if r.item_no is not None
    }
    result.items_missing = sorted({k[0] for k in expected} - seen_items)
    for row in rows:
        key = (int(row["item_no"]), int(row["sub_no"]))
        result.wrong_values += [f"({key[0]}) {v}" for v in speck_values(row, expected.get(key))]
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
    ok = (
        result.exact >= needed
        and not result.items_missing
        and not result.silent
        and not result.wrong_values
    )
    print(
        f"{result.name}: {result.exact}/{result.expected} rows exact (need {needed}), "
        f"{result.loaded} loaded, {result.quarantined} quarantined, "
        f"items missing: {result.items_missing or 'none'}, "
        f"differing rows without an issue: {len(result.silent)}, "
        f"specks loaded: {len(result.wrong_values)}, "
        f"{result.warnings} warnings, {result.corrections} corrections, "
        f"{result.seconds:.1f} s  {'OK' if ok else 'FAILED'}"
    )
    for line in result.wrong:
        print(f"    differs: {line}{'  (SILENT)' if line in result.silent else ''}")
    for line in result.wrong_values:
        print(f"    speck loaded: {line}")
    return ok


def _process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def _clean_scan_pages(numbers: list[int]) -> list[Any]:
    from parsers.formats.ocr.reader import scan_pdf_pages

    path = SCANS / "yueqing-2022-08-scan.pdf"
    return scan_pdf_pages(path.read_bytes(), numbers, 200, path.name)


def page_seconds() -> tuple[float, float]:
    """(CPU, wall) seconds to OCR page 1 of the clean scan at 200 dpi in this process, on one
    core (models loaded before the clock starts)."""
    from parsers.formats.ocr.engine import engine
    from parsers.formats.ocr.page import read_page

    engine()
    [page] = _clean_scan_pages([1])
    started, cpu = time.perf_counter(), time.process_time()
    read_page(page.pixels, page.dpi, page.page)
    return time.process_time() - cpu, time.perf_counter() - started


def document_seconds(workers: int) -> tuple[float, int]:
    """Wall seconds to read the whole clean scan with ``workers`` new worker processes
    (their start and model loading included), and its page count."""
    from parsers import parse_document
    from parsers.formats.ocr import OcrRunner

    started = time.perf_counter()
    with _process_pool(workers) as pool:
        # cache=None: every page is read, whatever $MINSHENG_OCR_CACHE says (this times reading)
        runner = OcrRunner(map=pool.map, cache=None)
        doc = parse_document(SCANS / "yueqing-2022-08-scan.pdf", ocr=runner)
    pages = int(doc.rows["source_page"].max())
    return time.perf_counter() - started, pages


def tesseract_pieces(clean: Any, cells: list[Any], table: Any, scale: float) -> list[Any]:
    """The page's words read by tesseract (chi_sim), placed in the same cells as RapidOCR's.

    A ``parsers.formats.ocr.page.Recognizer``: the comparison shares everything but recognition.
    """
    import subprocess
    import tempfile

    import cv2

    from parsers.formats.ocr.page import Piece

    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "page.png"
        cv2.imwrite(str(image), clean)
        done = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "chi_sim", "--psm", "11", "tsv"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    pieces = []
    for line in done.stdout.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (float(v) for v in fields[6:10])
        box = (left, top, left + width, top + height)
        x, y = left + width / 2, top + height / 2
        index = next(
            (i for i, c in enumerate(cells) if c[0] <= x < c[2] and c[1] <= y < c[3]),
            -1 if box[3] <= table[1] else -2,
        )
        if index >= -1:
            pieces.append((Piece(box, fields[11].strip(), max(float(fields[10]), 0) / 100), index))
    return pieces


def _tesseract_page(page: Any) -> Any:  # top level so that process pools can pickle it
    from parsers.formats.ocr.page import read_page

    return read_page(page.pixels, page.dpi, page.page, recognizer=tesseract_pieces)


def _tesseract_map(function: Any, pages: Any) -> Any:
    return map(_tesseract_page, pages)


def compare_tesseract() -> None:
    """The clean scan read with tesseract in RapidOCR's place: time a page, rows right."""
    import shutil
    import subprocess

    from parsers.formats.ocr import OcrRunner

    if shutil.which("tesseract") is None:
        print("tesseract: not installed, skipped (apt-get install tesseract-ocr-chi-sim)")
        return
    languages = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    if "chi_sim" not in languages.stdout:
        print("tesseract: no chi_sim model, skipped (apt-get install tesseract-ocr-chi-sim)")
        return
    [page] = _clean_scan_pages([1])
    started = time.perf_counter()
    _tesseract_page(page)  # tesseract runs in its own process: wall time is its cost
    seconds = time.perf_counter() - started
    # cache=None: tesseract's pages must never be kept as RapidOCR's (the key names RapidOCR)
    runner = OcrRunner(map=_tesseract_map, cache=None)
    result = check_scan(SCANS / "yueqing-2022-08-scan.pdf", ocr=runner)
    print(
        f"tesseract 5 chi_sim on the same cells: {seconds:.1f} s for page 1 (wall, its own "
        f"process), {result.exact}/{result.expected} rows exact on the clean scan, "
        f"{len(result.items_missing)} items missing"
    )


def print_speed(workers: int = 2) -> None:
    cpu, wall = page_seconds()
    print(f"RapidOCR, one page at 200 dpi on one core: {cpu:.1f} s CPU ({wall:.1f} s wall)")
    seconds, pages = document_seconds(workers)
    print(
        f"RapidOCR, the whole clean scan ({pages} pages) on {workers} processes: "
        f"{seconds:.1f} s wall, worker start included"
    )


#: The scans checked, by short name: file, rows that must be exact, items it holds.
CASES: dict[str, tuple[str, int, range | None]] = {
    "clean": ("yueqing-2022-08-scan.pdf", 46, None),
    "photocopy": ("yueqing-2022-08-photocopy.pdf", 40, None),
    "fax": ("yueqing-2022-08-fax.tif", 46, None),
    "cover": ("yueqing-2022-08-with-cover.pdf", 46, None),  # a cover letter on page 1
    "phone": ("yueqing-2022-08-p1-phone.jpg", 5, range(1, 6)),  # page 1
    "letter": ("yueqing-2022-08-letter-96ppi.pdf", 13, range(1, 14)),  # pages 1-2
    "sideways": ("yueqing-2022-08-sideways.pdf", 19, range(14, 32)),  # pages 3-4
    # Page 6 alone: (42) and (43) have their department on page 5 (empty here: quarantined).
    "upside-down": ("yueqing-2022-08-p6-upside-down.png", 4, range(42, 48)),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__)
    parser.add_argument("--only", choices=[*CASES, "scans", "layers", "speed", "tesseract"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from parsers.formats.ocr import OcrRunner

    if args.only in CASES:
        cases = {args.only: CASES[args.only]}
    elif args.only in (None, "scans"):
        cases = CASES
    else:
        cases = {}
    with _process_pool(args.workers) as pool:
        runner = OcrRunner(map=pool.map)
        for name, needed, items in cases.values():
            print_acceptance(check_scan(SCANS / name, ocr=runner, items=items), needed)
        if args.only in (None, "layers"):  # text layers that lie: read by OCR from the images
            for name in ("yueqing-2022-08-ps-roundtrip.pdf", "yueqing-2022-08-ocr-layer.pdf"):
                print_acceptance(check_scan(GEOMETRY / name, ocr=runner), 46)
    if args.only in (None, "speed"):
        print_speed(args.workers)
    if args.only in (None, "tesseract"):
        compare_tesseract()


if __name__ == "__main__":
    main()
