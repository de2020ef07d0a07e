"""PDF reports through the pipeline into a real DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.helpers import COMPARED, FIXTURES, as_text, expected_rows, ingest, without_space


def test_the_august_pdf_and_a_scanned_pdf_in_one_run(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(FIXTURES / "yueqing-2022-08.pdf", inbox / "yueqing-2022-08.pdf")
    shutil.copyfile(FIXTURES / "bad" / "scanned.pdf", inbox / "scanned.pdf")
    db = tmp_path / "w.duckdb"
    report = ingest(
        paths=[str(inbox)],
        db=str(db),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
    )

    documents = {d["source_name"]: d for d in report["documents"]}
    good, scanned = documents["yueqing-2022-08.pdf"], documents["scanned.pdf"]
    assert (good["status"], good["rows_loaded"], good["rows_quarantined"]) == ("loaded", 48, 0)
    assert scanned["status"] == "rejected"
    [issue] = scanned["issues"]
    assert "scanned at 60 dpi" in issue["message"]

    with duckdb.connect(str(db), read_only=True) as conn:
        loaded = conn.execute("SELECT * FROM progress ORDER BY item_no, sub_no").df()
        reports = conn.execute(
            "SELECT source_name, source_format, status, region, year, month FROM reports "
            "ORDER BY source_name"
        ).fetchall()
        messages = conn.execute(
            "SELECT i.message FROM validation_issues i JOIN reports r USING (report_id) "
            "WHERE r.status = 'rejected'"
        ).fetchall()
    assert reports == [
        ("scanned.pdf", "pdf", "rejected", None, None, None),
        ("yueqing-2022-08.pdf", "pdf", "loaded", "乐清市", 2022, 8),
    ]
    assert len(messages) == 1 and "scan it again at 200 dpi" in messages[0][0]
    assert loaded["source_page"].notna().all() and loaded["source_line"].isna().all()
    assert without_space(as_text(loaded, COMPARED)).equals(
        without_space(expected_rows().loc[:, COMPARED])
    )
