"""Other regions' table layouts in a real DuckDB file: NULL for absent columns, note and
extra kept, 同上 reported as info, and what the views make of a table without completion."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checking import check_document
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings
from tests.helpers import FIXTURES

LAYOUTS = FIXTURES / "layouts"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("layouts") / "w.duckdb"
    settings = RunSettings.build(db=db, reports_dir=db.parent / "r", raw_dir=db.parent / "raw")
    paths = [
        LAYOUTS / "yueqing-2022-08-current-progress.docx",
        LAYOUTS / "yueqing-2022-year-end.txt",
    ]
    results = [check_document(p, PeriodOptions()) for p in paths]
    outcomes = load_results(results, settings, "run", datetime.now())
    assert [(o.status, o.rows_loaded, o.rows_quarantined) for o in outcomes] == [
        ("loaded", 47, 0),
        ("loaded", 47, 0),
    ]
    return db


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_absent_columns_load_as_null_and_nothing_is_quarantined(warehouse: Path) -> None:
    assert _query(
        warehouse,
        "SELECT month, period_kind, count(*), count(leader), count(completion_pct), "
        "count(department), count(note) FROM progress GROUP BY ALL ORDER BY month",
    ) == [(8, "month", 47, 0, 0, 47, 47), (12, "year", 47, 47, 0, 47, 47)]
    assert _query(warehouse, "SELECT count(*) FROM quarantine") == [(0,)]
    assert _query(
        warehouse,
        "SELECT count(*) FROM validation_issues WHERE severity = 'error'",
    ) == [(0,)]


def test_the_views_say_unknown_where_the_layout_has_no_completion(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "SELECT month, department, items, avg_completion_pct, items_complete, items_lagging, "
        "period_kind FROM department_summary WHERE department = '市治堵办' ORDER BY month",
    )
    assert rows == [
        (8, "市治堵办", 1, None, None, 1, "month"),
        (12, "市治堵办", 1, None, None, 0, "year"),
    ]
    lagging = _query(
        warehouse, "SELECT month, item_no, consecutive_months, period_kind FROM lagging_items"
    )
    assert lagging == []  # the year-end table's 完成成效 marks no row behind
    history = _query(
        warehouse,
        "SELECT month, change_pct, period_kind FROM item_history WHERE item_no = 13 ORDER BY month",
    )
    assert history == [(8, None, "month"), (12, None, "year")]


def test_same_as_above_is_an_info_issue_and_extra_is_json(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    settings = RunSettings.build(db=db, reports_dir=tmp_path / "r", raw_dir=tmp_path / "raw")
    results = [
        check_document(LAYOUTS / "yueqing-2022-08-same-as-above.docx", PeriodOptions()),
        check_document(
            LAYOUTS / "yueqing-2022-08-unknown-column.txt",
            PeriodOptions(region="乐清市", month=9),
        ),
    ]
    # The second file says August in its header; use it as September's only to load both.
    assert results[1].status == "rejected"
    results[1] = check_document(
        LAYOUTS / "yueqing-2022-08-unknown-column.txt", PeriodOptions(region="永嘉县")
    )
    outcomes = load_results(results, settings, "run", datetime.now())
    assert [o.rows_loaded for o in outcomes] == [48, 48]
    info = _query(
        db,
        "SELECT count(*), min(message) FROM validation_issues WHERE severity = 'info' "
        "AND check_name = 'same_as_above' AND column_name = 'department'",
    )
    assert info[0][0] > 0
    assert info[0][1].startswith("department (责任单位) says ")
    (extra,) = _query(db, "SELECT extra FROM progress WHERE region = '永嘉县' AND item_no = 13")
    assert json.loads(extra[0]) == {"推进措施": "按计划推进(13)"}
    assert _query(
        db,
        "SELECT count(*) FROM progress WHERE region = '永嘉县' "
        "AND extra->>'推进措施' LIKE '按计划推进%'",
    ) == [(48,)]


def test_an_older_warehouse_takes_info_issues(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute(
            "CREATE TABLE validation_issues (run_id VARCHAR NOT NULL, report_id VARCHAR, "
            "source_name VARCHAR NOT NULL, source_page INTEGER, source_row INTEGER, "
            "source_line INTEGER, column_name VARCHAR, check_name VARCHAR NOT NULL, "
            "failure_value VARCHAR, severity VARCHAR NOT NULL CHECK (severity IN "
            "('error', 'warning')), message VARCHAR NOT NULL, action VARCHAR)"
        )
        conn.execute(
            "INSERT INTO validation_issues VALUES ('r', NULL, 'a.txt', NULL, NULL, 3, "
            "'leader', 'leader_looks_like_name', 'x', 'warning', 'm', 'row loaded')"
        )
    from warehouse.db import connect

    conn = connect(db)
    conn.execute(
        "INSERT INTO validation_issues (run_id, source_name, check_name, severity, message) "
        "VALUES ('r2', 'b.txt', 'same_as_above', 'info', 'department says 同上')"
    )
    assert conn.execute(
        "SELECT severity, source_line, rule FROM validation_issues ORDER BY run_id"
    ).fetchall() == [("warning", 3, None), ("info", None, None)]
    conn.close()
