"""A report of a month already loaded: a correction updates its items, a fragment is refused,
``--replace`` replaces on purpose, and a replaced month comes back from its original."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import FIXTURES, invoke, month_file

CORRECTIONS = FIXTURES / "corrections"
AUGUST = "乐清市民生实事2022年8月.txt"
CORRECTION = "乐清市民生实事2022年8月-更正2.txt"
FRAGMENT = "乐清市民生实事2022年8月-第5项.txt"
ROWS = "SELECT item_no, sub_no, completion_pct, report_id FROM progress ORDER BY item_no, sub_no"


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A folder with the correction fixtures and a warehouse holding August (48 rows)."""
    for path in CORRECTIONS.iterdir():
        shutil.copyfile(path, tmp_path / path.name)
    done = _ingest(tmp_path, AUGUST)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _rows(tmp_path)[0] == (48,)
    return tmp_path


def _ingest(folder: Path, *args: str):  # type: ignore[no-untyped-def]
    return invoke("ingest", *args, "--db", "w.duckdb", "--reports-dir", "reports", cwd=folder)


def _query(folder: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(folder / "w.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _rows(folder: Path) -> list[tuple]:
    return _query(folder, "SELECT count(*) FROM progress WHERE year = 2022 AND month = 8")


def _report(folder: Path, stdout: str) -> dict:
    json_name = stdout.rsplit("(json: ", 1)[1].split(")")[0]
    return json.loads((folder / json_name).read_text("utf-8"))


def test_a_correction_updates_only_the_items_it_holds(loaded: Path) -> None:
    before = _query(loaded, ROWS)
    done = _ingest(loaded, CORRECTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 rows loaded" in done.stdout
    assert (
        "a correction of 乐清市 2022-08: items (5) updated (1 rows before, kept in replaced_rows); "
        f"the other items stay as loaded from {AUGUST}"
    ) in done.stdout
    after = _query(loaded, ROWS)
    assert len(after) == 48
    correction_id = _query(
        loaded, f"SELECT report_id FROM reports WHERE source_name = '{CORRECTION}'"
    )
    (cid,) = correction_id[0]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [((5, 1, 100.0, before[4][3]), (5, 1, 98.0, cid))]
    # the old row is kept, saying which report took it out and why
    assert _query(
        loaded, "SELECT item_no, completion_pct, report_id, replaced_by, reason FROM replaced_rows"
    ) == [(5, 100.0, before[4][3], cid, "corrected")]
    assert _query(
        loaded, f"SELECT status, load_kind, rows_replaced FROM reports WHERE report_id = '{cid}'"
    ) == [("loaded", "correction", 1)]
    issue = _query(
        loaded, f"SELECT check_name, severity FROM validation_issues WHERE report_id = '{cid}'"
    )
    assert ("period_corrected", "info") in issue
    report = _report(loaded, done.stdout)
    (document,) = report["documents"]
    assert document["load_kind"] == "correction"
    assert [i["check"] for i in document["issues"]].count("period_corrected") == 1
    assert report["committed"] is True
    # the month's summary names the month's report, once, not its correction
    summary = invoke("report", "--db", "w.duckdb", cwd=loaded)
    assert summary.returncode == 0
    assert summary.stdout.splitlines()[0] == f"乐清市 August 2022 from {AUGUST}"


def test_a_fragment_that_does_not_say_correction_is_refused(loaded: Path) -> None:
    before = _query(loaded, ROWS)
    done = _ingest(loaded, FRAGMENT)
    assert done.returncode == 1
    assert (
        "乐清市 2022-08 is loaded from 乐清市民生实事2022年8月.txt with 47 items; this report "
        "holds 1 of them and would wipe the others: nothing loaded. Name the file as a correction "
        "(…-更正.txt) to update just its items, or pass --replace to replace the month with it"
    ) in done.stdout
    assert _query(loaded, ROWS) == before
    assert _query(loaded, "SELECT count(*) FROM replaced_rows") == [(0,)]
    # its row is kept in quarantine with the reason
    assert _query(
        loaded,
        "SELECT q.item_no, q.reasons LIKE '%--replace%' FROM quarantine q JOIN reports r "
        f"USING (report_id) WHERE r.source_name = '{FRAGMENT}'",
    ) == [(5, True)]
    (document,) = _report(loaded, done.stdout)["documents"]
    assert document["status"] == "rejected"
    assert document["issues"][0]["check"] == "period_coverage"


def test_replace_on_purpose_then_bring_the_month_back(loaded: Path) -> None:
    before = _query(loaded, ROWS)
    done = _ingest(loaded, FRAGMENT, "--replace")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "replaces 乐清市 2022-08 as loaded from 乐清市民生实事2022年8月.txt (48 rows, kept in "
        in (done.stdout)
    )
    assert "items (1), (2), (3), (4), (6), (7)" in done.stdout
    assert "and 34 more are not in this report and leave the month" in done.stdout
    assert _rows(loaded) == [(1,)]
    assert _query(loaded, "SELECT reason, count(*) FROM replaced_rows GROUP BY ALL ORDER BY 1") == [
        ("dropped", 47),
        ("replaced", 1),
    ]
    # bring August back: its original, archived by content, loaded again with --replace
    (archived,) = _query(loaded, f"SELECT archived_as FROM reports WHERE source_name = '{AUGUST}'")[
        0
    ]
    back = _ingest(
        loaded,
        f"raw/{archived}",
        "--region",
        "乐清市",
        "--year",
        "2022",
        "--month",
        "8",
        "--replace",
    )
    assert back.returncode == 0, back.stdout + back.stderr
    assert "48 rows loaded" in back.stdout
    assert _query(loaded, ROWS) == before
    assert _query(loaded, "SELECT count(*) FROM replaced_rows") == [(49,)]
    # under the name it was first sent as
    assert _query(
        loaded, "SELECT source_name, load_kind FROM reports WHERE superseded_by IS NULL"
    ) == [(AUGUST, "replace")]


def test_a_full_report_sent_again_replaces_the_month(loaded: Path) -> None:
    again = month_file(loaded / "again", 8, bump=3)
    done = _ingest(loaded, str(again), "--region", "乐清市")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "replaces 乐清市 2022-08 as loaded from 乐清市民生实事2022年8月.txt (48 rows, kept in "
        "replaced_rows)\n"
    ) in done.stdout
    assert _rows(loaded) == [(48,)]
    assert _query(loaded, "SELECT reason, count(*) FROM replaced_rows GROUP BY ALL") == [
        ("replaced", 48)
    ]
    assert _query(loaded, "SELECT count(*) FROM reports WHERE superseded_by IS NULL") == [(1,)]
