"""Word reports through the pipeline into a real DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import duckdb

from tests.helpers import COMPARED, FIXTURES, as_text, expected_rows, ingest, without_space

SEPTEMBER_HEADER = ["项目内容", "9月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"]


def september_with_a_bad_row(path: Path) -> Path:
    """A small September report whose second data row has no percentage."""
    document = docx.Document()
    document.add_paragraph("2022年乐清市民生实事项目9月份进展情况")
    rows = [
        SEPTEMBER_HEADER,
        ["(1)甲", "计划", "实际", "80%", "市教育局", "王旭良"],
        ["(2)乙", "计划", "实际", "待核实", "市教育局", "王小强"],
    ]
    table = document.add_table(rows=len(rows), cols=6)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    document.save(str(path))
    return path


def test_word_reports_load_with_their_table_rows_and_bad_ones_are_rejected(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(FIXTURES / "yueqing-2022-08.docx", inbox / "august.docx")
    shutil.copyfile(FIXTURES / "bad" / "password.docx", inbox / "locked.docx")
    september_with_a_bad_row(inbox / "september.docx")

    report = ingest(
        paths=[str(inbox)],
        db=str(tmp_path / "w.duckdb"),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
    )

    by_name = {d["source_name"]: d for d in report["documents"]}
    assert (by_name["august.docx"]["status"], by_name["august.docx"]["rows_loaded"]) == (
        "loaded",
        48,
    )
    assert by_name["locked.docx"]["status"] == "rejected"
    [locked_issue] = by_name["locked.docx"]["issues"]
    assert "password-protected" in locked_issue["message"]
    assert by_name["september.docx"]["status"] == "partial"

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        august = conn.execute(
            "SELECT * FROM progress WHERE month = 8 ORDER BY item_no, sub_no"
        ).df()
        reports = conn.execute(
            "SELECT source_name, source_format, status, region, year, month FROM reports "
            "ORDER BY source_name"
        ).fetchall()
        quarantine = conn.execute(
            "SELECT source_row, source_line, reasons FROM quarantine"
        ).fetchall()
        locked_issues = conn.execute(
            "SELECT check_name, severity, message FROM validation_issues "
            "WHERE source_name = 'locked.docx'"
        ).fetchall()

    assert set(august["region"]) == {"乐清市"}
    assert august["source_row"].tolist() == list(range(2, 50))
    assert august["source_line"].isna().all() and august["source_page"].isna().all()
    got = without_space(as_text(august, COMPARED))
    assert got.equals(without_space(expected_rows().loc[:, COMPARED]))

    assert reports == [
        ("august.docx", "docx", "loaded", "乐清市", 2022, 8),
        ("locked.docx", "docx", "rejected", None, None, None),
        ("september.docx", "docx", "partial", "乐清市", 2022, 9),
    ]
    [(row, line, reasons)] = quarantine
    assert (row, line) == (3, None)
    assert "'待核实' is not a percentage" in reasons
    [(check, severity, message)] = locked_issues
    assert (check, severity) == ("readable", "error")
    assert "save it without a password" in message
