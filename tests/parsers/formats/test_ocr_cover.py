"""A stamped printout as offices send it: a cover letter (no table) on top of the table's pages."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.helpers import FIXTURES, LONG_SCANS, expected_rows, invoke

SCAN = FIXTURES / "scan" / "yueqing-2022-08-with-cover.pdf"


@pytest.mark.slow  # seven pages of OCR: about 40 s
@LONG_SCANS
def test_a_cover_letter_adds_no_row_and_the_report_names_its_page(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = invoke("ingest", str(SCAN), "--region", "乐清市", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM progress").fetchone()
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()
    assert rows == (len(expected_rows()),) == (48,)
    assert quarantined == (0,)
    (report,) = (tmp_path / "data" / "reports").glob("*.json")
    issues = json.loads(report.read_text())["documents"][0]["issues"]
    cover = [i for i in issues if i["check"] == "ocr_page_without_table"]
    shown = [(i["source_page"], i["severity"], i["action"]) for i in cover]
    assert shown == [(1, "info", "page not read")]
    assert cover[0]["message"].startswith("no ruled table found on this page")
