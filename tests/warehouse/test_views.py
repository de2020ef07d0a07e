"""The longitudinal views on four months of 乐清市 and two of 永嘉县, in a real DuckDB file.

The months are described in ``tests/fixtures/months/README.md``. They are loaded with the
same plain function the flow's loader task calls; the mixed-format variant (June PDF,
July Word) goes through the real Prefect flow.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.helpers import MONTHS, SECOND_REGION, TEXT_MONTHS, load

# September's lagging_items of 乐清市: (item_no, sub_no) -> (consecutive_months,
# behind_since, completion_pct, change_pct)
SEPTEMBER_LAGGING = {
    (6, 1): (3, 7, 50.0, 5.0),  # behind July–September: a streak of 3
    (11, 1): (1, 9, 72.0, 0.0),  # newly behind
    (13, 1): (4, 6, 70.0, 7.0),  # behind all four months
    (20, 1): (2, 8, 63.0, 0.0),
    (41, 1): (2, 8, 70.0, 7.0),  # behind in June too, but not in July
    (46, 1): (2, 8, 75.0, 12.0),  # August's (47), renumbered: its streak and change follow it
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("views") / "w.duckdb"
    outcomes = load([*TEXT_MONTHS, *SECOND_REGION], db)
    assert [o.status for o in outcomes] == ["loaded"] * 6
    return db


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def assert_yueqing_views(db: Path) -> None:
    """What every view must say about 乐清市's June–September, whatever the formats."""
    lagging = query(
        db,
        "SELECT item_no, sub_no, consecutive_months, behind_since, "
        "completion_pct, change_pct, year, month FROM lagging_items "
        "WHERE region = '乐清市'",
    )
    assert {(r[0], r[1]): r[2:6] for r in lagging} == SEPTEMBER_LAGGING
    assert {(r[6], r[7]) for r in lagging} == {(2022, 9)}

    history = dict(
        ((r[0], r[1]), r[2:])
        for r in query(
            db,
            "SELECT month, item_no, item_key, completion_pct, change_pct, "
            "previous_month, previous_item_no FROM item_history "
            "WHERE region = '乐清市' AND sub_no = 1",
        )
    )
    assert history[(6, 6)] == ("6", 40.0, None, None, None)  # first month: no change
    assert history[(7, 6)] == ("6", 42.0, 2.0, 6, 6)
    assert history[(8, 6)] == ("6", 45.0, 3.0, 7, 6)
    # (46) and (47) traded numbers in September: each is compared with its own project
    assert history[(9, 46)] == ("47", 75.0, 12.0, 8, 47)
    assert history[(9, 47)] == ("46", 99.0, 9.0, 8, 46)
    # (40) is a new project in September: nothing to compare with
    assert history[(9, 40)] == ("40@9", 30.0, None, None, None)
    assert history[(8, 40)] == ("40", 100.0, 9.0, 7, 40)
    second_row = query(
        db,
        "SELECT month, change_pct FROM item_history WHERE region = '乐清市' "
        "AND item_no = 22 AND sub_no = 2 ORDER BY month",
    )
    assert second_row == [(6, None), (7, 9.0), (8, 9.0), (9, 9.0)]

    latest = query(
        db, "SELECT month, count(*) FROM latest_progress WHERE region = '乐清市' GROUP BY month"
    )
    assert latest == [(9, 48)]

    departments = {
        (r[0], r[1]): r[2:]
        for r in query(
            db,
            "SELECT month, department, items, avg_completion_pct, "
            "items_lagging, items_complete, lagging_item_nos "
            "FROM department_summary WHERE region = '乐清市'",
        )
    }
    # (10) moved from 市科协 to 市老龄办 in September
    assert departments[(8, "市科协")] == (1, 100.0, 0, 1, None)
    assert (9, "市科协") not in departments
    assert departments[(9, "市老龄办")] == (1, 100.0, 0, 1, None)
    # 市水利局: (41) 63%*, (42) 81%, (43) 63%* in August; (43) recovered in September
    assert departments[(8, "市水利局")] == (3, 69.0, 2, 0, "(41) (43)")
    assert departments[(9, "市水利局")] == (3, 80.3, 1, 0, "(41)")
    assert sum(v[0] for k, v in departments.items() if k[0] == 8) == 48  # (22) in two depts


def test_a_streak_of_three_recovered_items_and_renumbering(warehouse: Path) -> None:
    assert_yueqing_views(warehouse)


def test_recovered_items_leave_lagging_items(warehouse: Path) -> None:
    in_august = query(
        warehouse,
        "SELECT item_no FROM lagging_streaks "
        "WHERE region = '乐清市' AND month = 8 ORDER BY item_no",
    )
    assert [r[0] for r in in_august] == [6, 13, 20, 41, 43, 45, 47]
    now = {
        r[0] for r in query(warehouse, "SELECT item_no FROM lagging_items WHERE region = '乐清市'")
    }
    assert not now & {43, 45}


def test_regions_stay_apart_in_every_view(warehouse: Path) -> None:
    # 永嘉县 reported June and August only: its latest month is August, not September
    assert query(
        warehouse,
        "SELECT region, month, item_no, consecutive_months, behind_since "
        "FROM lagging_items WHERE region = '永嘉县'",
    ) == [("永嘉县", 8, 6, 2, 6)]  # July was not reported, so June and August are in a row
    assert query(
        warehouse,
        "SELECT month, completion_pct, change_pct, previous_month "
        "FROM item_history WHERE region = '永嘉县' AND item_no = 6 "
        "ORDER BY month",
    ) == [(6, 40.0, None, None), (8, 45.0, 5.0, 6)]
    assert query(
        warehouse,
        "SELECT region, month, count(*) FROM latest_progress GROUP BY ALL ORDER BY region",
    ) == [("乐清市", 9, 48), ("永嘉县", 8, 12)]
    assert query(
        warehouse,
        "SELECT items, items_lagging FROM department_summary "
        "WHERE region = '永嘉县' AND month = 6 AND department = '市教育局'",
    ) == [(4, 1)]
    assert query(
        warehouse, "SELECT count(DISTINCT region) FROM item_history WHERE item_no = 6 AND month = 8"
    ) == [(2,)]


def test_months_loaded_out_of_order_give_the_same_views(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load([MONTHS / "text" / "yueqing-2022-09.txt"], db, "run1")
    load(TEXT_MONTHS[:3], db, "run2")  # June–August after September
    assert_yueqing_views(db)


def test_renumbering_and_replaced_projects_are_reported(warehouse: Path) -> None:
    issues = query(
        warehouse,
        "SELECT source_line, check_name, severity, message "
        "FROM validation_issues WHERE source_name = 'yueqing-2022-09.txt' "
        "AND check_name LIKE 'item_%' ORDER BY source_line",
    )
    assert [(r[0], r[1], r[2]) for r in issues] == [
        (44, "item_text_changed", "warning"),
        (50, "item_renumbered", "warning"),
        (51, "item_renumbered", "warning"),
    ]
    assert issues[1][3].startswith("item (46) has the project of (47) in August")


def test_views_on_mixed_formats_june_pdf_july_docx(tmp_path: Path) -> None:
    """June as PDF, July as Word, August and September as text, through the pipeline."""
    from tests.helpers import ingest

    report = ingest(
        paths=[str(MONTHS / "mixed")],
        db=str(tmp_path / "w.duckdb"),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
    )
    got = {d["source_name"]: (d["status"], d["rows_loaded"]) for d in report["documents"]}
    assert got == {
        f"yueqing-2022-{m:02d}.{ext}": ("loaded", 48)
        for m, ext in ((6, "pdf"), (7, "docx"), (8, "txt"), (9, "txt"))
    }
    assert_yueqing_views(tmp_path / "w.duckdb")
