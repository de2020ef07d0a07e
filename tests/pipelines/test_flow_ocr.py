"""A scan through the pipeline (as ``minsheng ingest`` runs it) into a real DuckDB file, and
its validation report.

The two-page TIFF of the August report (pages 3 and 4) is the only scan OCR'd here, its pages
on two worker processes; a warning threshold of 0.99 makes OCR flag cells, so the report's
cell images can be checked.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import duckdb
import pdfplumber
import pytest

from bench.ocr import differences, expected_rows
from pipelines.execution.parallelism import processes_pay_off
from schemas.checks import CHECKS
from tests.helpers import FIXTURES

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is installed by make install")
pytestmark = pytest.mark.slow  # OCR takes seconds a page

TIFF = FIXTURES / "scan" / "yueqing-2022-08-p3-4.tif"


def ingest_telling_pages(folder: Path) -> dict:
    """The TIFF through ``run_pipeline`` on 2 worker processes; the report and the pages told."""
    from parsers.formats.ocr import PageDone
    from pipelines.core.run import run_pipeline
    from pipelines.core.settings import RunSettings
    from pipelines.execution.parallelism import Parallelism
    from pipelines.execution.progress import Progress

    settings = RunSettings.build(
        db=folder / "w.duckdb",
        region="乐清市",
        reports_dir=folder / "reports",
        raw_dir=folder / "raw",
        ocr_min_confidence=0.99,
    )
    pages: list[PageDone] = []
    report = run_pipeline(
        [TIFF],
        settings,
        load=True,
        parallelism=Parallelism("processes", workers=2),
        progress=Progress(page_done=pages.append),
    ).as_json()
    return {"report": report, "db": folder / "w.duckdb", "pages": pages}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict:
    # In a process of its own, as `minsheng ingest` is: OpenCV and the page images stay out
    # of the test process, whose size later tests' subprocesses inherit in their peak RSS.
    folder = tmp_path_factory.mktemp("ocr")
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(ingest_telling_pages, folder).result()


def test_a_scan_loads_with_its_format_pages_and_rows(ingested) -> None:
    with duckdb.connect(str(ingested["db"]), read_only=True) as conn:
        [report] = conn.execute(
            "SELECT source_format, status, year, month, rows_loaded, rows_quarantined FROM reports"
        ).fetchall()
        rows = conn.execute("SELECT * FROM progress ORDER BY source_page, source_row").df()
        [quarantined] = conn.execute(
            "SELECT source_page, source_row, reasons FROM quarantine"
        ).fetchall()
    # The first row of the TIFF's first page is the end of item (13), cut by the page break
    # before it: nothing above it in this file to join, so it is quarantined, not guessed.
    assert report == ("image-ocr", "partial", 2022, 8, 19, 1)
    assert quarantined[:2] == (1, 2) and "item number" in quarantined[2]
    assert rows["source_page"].notna().all() and rows["source_row"].notna().all()
    assert list(rows["item_no"]) == [*range(14, 23), 22, *range(23, 32)]
    expected = expected_rows()
    records = rows.to_dict("records")
    for row in records:
        # (14) and (21) start their page here, so their merged cells are their own.
        key = (int(row["item_no"]), int(row["sub_no"]))
        assert differences(row, expected[key]) == [], key


def test_each_page_is_told_as_it_is_read(ingested) -> None:
    done = ingested["pages"]
    assert sorted((d.source_name, d.page, d.pages) for d in done) == [
        (TIFF.name, 1, 2),
        (TIFF.name, 2, 2),
    ]
    assert all(d.seconds > 0 for d in done)


def test_unsure_cells_are_warnings_with_the_cell_cut_from_the_scan(ingested) -> None:
    report = ingested["report"]
    [document] = report["documents"]
    flagged = [i for i in document["issues"] if i["check"] == "ocr_low_confidence"]
    assert flagged, "a threshold of 0.99 flags some cells of this scan"
    for issue in flagged:
        assert issue["severity"] == "warning" and issue["action"] == "row loaded"
        assert issue["source_page"] in (1, 2) and issue["source_row"] >= 2
        assert issue["column"] in ("content", "completion_raw", "department", "leader")
        assert "with confidence 0." in issue["message"]
        assert issue["image"].startswith("data:image/jpeg;base64,")
    assert {i["check"] for i in document["issues"]} <= set(CHECKS)
    html = Path(report["report_files"]["html"]).read_text("utf-8")
    assert html.count('<img class="scan" src="data:image/jpeg;base64,') == len(flagged)
    saved = json.loads(Path(report["report_files"]["json"]).read_text("utf-8"))
    assert saved["documents"][0]["issues"] == document["issues"]
    with duckdb.connect(str(ingested["db"]), read_only=True) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM validation_issues WHERE check_name = 'ocr_low_confidence'"
        ).fetchone()
    assert stored == (len(flagged),)


def test_the_report_shows_the_cell_images_in_a_browser(ingested) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: apt-get install chromium")
    html = Path(ingested["report"]["report_files"]["html"])
    flagged = [
        i
        for i in ingested["report"]["documents"][0]["issues"]
        if i["check"] == "ocr_low_confidence"
    ]
    with tempfile.TemporaryDirectory() as profile:
        printed = Path(profile) / "report.pdf"
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                f"--print-to-pdf={printed}", html.as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with pdfplumber.open(printed) as pdf:
            images = [image for page in pdf.pages for image in page.images]
    # Each decoded image is drawn as wide as the cell cut out (at most 360 px).
    assert len(images) == len(flagged)
    assert all(image["srcsize"][0] > 20 and image["srcsize"][1] > 10 for image in images)


def test_processes_pay_off_from_two_scanned_pages() -> None:
    assert not processes_pay_off(0, 2, ocr_pages=1)
    assert processes_pay_off(0, 2, ocr_pages=2)
    assert not processes_pay_off(0, 1, ocr_pages=7)


def test_validate_then_ingest_reads_each_page_once(tmp_path: Path) -> None:
    """The page ``validate`` read is kept beside the warehouse, and ``ingest`` takes it from
    there: the entry is read (its time touched), not read by OCR and written again (a new
    file would replace it)."""
    from tests.helpers import minsheng

    scan = FIXTURES / "scan" / "yueqing-2022-08-p1.png"
    options = ("--db", "data/w.duckdb", "--lang", "en")
    # "": no folder named for the whole run; the cache is the warehouse's own.
    checked = minsheng("validate", str(scan), *options, cwd=tmp_path, MINSHENG_OCR_CACHE="")
    assert checked.returncode == 0, checked.stderr
    folder = tmp_path / "data" / "w.duckdb.ocr-cache"
    [entry] = list(folder.glob("*/*.page"))
    before = entry.stat()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    loaded = minsheng("ingest", str(scan), *options, cwd=tmp_path, MINSHENG_OCR_CACHE="")
    assert loaded.returncode == 0, loaded.stderr
    assert "5 rows loaded" in loaded.stdout
    after = entry.stat()
    assert after.st_ino == before.st_ino and after.st_mtime_ns > before.st_mtime_ns
    assert list(folder.glob("*/*.page")) == [entry]
    # --no-ocr-cache: the page is neither taken from a cache nor kept, even with a folder named
    # for every run.
    shared = tmp_path / "shared"
    again = minsheng(
        "validate", str(scan), *options, "--no-ocr-cache", cwd=tmp_path,
        MINSHENG_OCR_CACHE=str(shared),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "5 rows" in again.stdout
    assert not shared.exists() and entry.stat().st_mtime_ns == after.st_mtime_ns
