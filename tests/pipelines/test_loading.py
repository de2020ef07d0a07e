"""Month-over-month warnings as ingest and validate add them, into a real DuckDB file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.core.checking import check_document
from pipelines.core.dry_run import dry_run
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings
from tests.helpers import sample_lines


def _month(folder: Path, month: int, edit=None) -> Path:
    lines = sample_lines()
    lines[0] = lines[0].replace("8月计划进度", f"{month}月计划进度")
    if edit:
        lines = edit(lines)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2022年{month}月民生实事.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _september(lines: list[str]) -> list[str]:
    lines[1] = lines[1].replace("| 72% |", "| 60% |")  # item (1) goes down
    lines[2] = lines[2].replace("| 王小强 |", "| 王旭良 |")  # item (2) changes leader
    del lines[4]  # item (4) vanishes
    return lines


def _ingest(paths: list[Path], tmp_path: Path, run_id: str):
    settings = RunSettings.build(
        db=tmp_path / "w.duckdb", raw_dir=tmp_path / "raw", region="乐清市"
    )
    results = [check_document(p, PeriodOptions(region="乐清市")) for p in paths]
    return load_results(results, settings, run_id, datetime.now())


def _warnings(outcome) -> list[tuple[str, object, str]]:
    found = {"completion_went_down", "leader_changed", "item_vanished", "item_count_changed"}
    return [
        (i["check"], i["source_line"], i["message"]) for i in outcome.issues if i["check"] in found
    ]


EXPECTED = [  # in document order, whole-document findings first
    ("item_vanished", None, "item (4) of August 2022's report is missing"),
    ("item_count_changed", None, "46 items this month, 47 in August 2022"),
    ("completion_went_down", 2, "item (1) completion fell from 72% in August 2022 to 60%"),
    (
        "leader_changed",
        3,
        "item (2) leader (具体分管领导) was '王小强' in August 2022, now '王旭良'",
    ),
]


def test_a_month_is_compared_with_the_one_loaded_before(tmp_path: Path) -> None:
    _ingest([_month(tmp_path / "a", 8)], tmp_path, "run1")
    [outcome] = _ingest([_month(tmp_path / "b", 9, _september)], tmp_path, "run2")
    assert outcome.status == "loaded" and outcome.rows_loaded == 47  # warnings keep the rows
    assert _warnings(outcome) == EXPECTED
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        stored = conn.execute(
            "SELECT check_name, source_line, message, severity, rule FROM validation_issues "
            "WHERE run_id = 'run2' AND check_name IN ('completion_went_down', 'leader_changed', "
            "'item_vanished', 'item_count_changed') ORDER BY check_name"
        ).fetchall()
    assert sorted((c, line, m) for c, line, m, _, _ in stored) == sorted(EXPECTED)
    assert {s for *_, s, _ in stored} == {"warning"}
    assert all(rule for *_, rule in stored)


def test_two_months_in_one_run_are_compared_with_each_other(tmp_path: Path) -> None:
    september = _month(tmp_path / "in", 9, _september)
    august = _month(tmp_path / "in", 8)
    outcomes = _ingest([september, august], tmp_path, "run")
    assert [o.month for o in outcomes] == [9, 8]
    assert _warnings(outcomes[0]) == EXPECTED
    assert _warnings(outcomes[1]) == []


def test_validate_compares_with_the_warehouse_read_only(tmp_path: Path) -> None:
    _ingest([_month(tmp_path / "a", 8)], tmp_path, "run1")
    db = tmp_path / "w.duckdb"
    results = [check_document(_month(tmp_path / "b", 9, _september), PeriodOptions("乐清市"))]
    # a write connection held elsewhere must not make validate wait or fail
    settings = RunSettings.build(db=db)
    holder = duckdb.connect(str(db))
    try:
        [checked] = dry_run(results, settings)
    finally:
        holder.close()
    assert [i["check"] for i in checked.issues] == [i.check for i in results[0].issues]
    [checked] = dry_run(results, settings)
    found = [(i["check"], i["source_line"], i["message"]) for i in checked.issues]
    assert [f for f in found if f[0] in {e[0] for e in EXPECTED}] == EXPECTED
    [alone] = dry_run(results, RunSettings.build(db=tmp_path / "none.duckdb"))
    assert [i["check"] for i in alone.issues] == [i.check for i in results[0].issues]


def test_an_identical_copy_in_one_run_is_rejected_and_the_original_loads(tmp_path: Path) -> None:
    from pipelines.core.checking import reject_repeated_periods

    original = _month(tmp_path / "a", 8)
    copy = tmp_path / "b" / "2022年8月民生实事-copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    settings = RunSettings.build(db=tmp_path / "w.duckdb", raw_dir=tmp_path / "raw")
    for run_id, first_status in (("run1", "loaded"), ("run2", "unchanged")):
        results = reject_repeated_periods(
            [check_document(p, PeriodOptions(region="乐清市")) for p in (original, copy)]
        )
        first, second = load_results(results, settings, run_id, datetime.now())
        assert (first.status, first.rows_loaded) == (first_status, 48)
        assert (second.status, second.rows_loaded) == ("rejected", 0)
        assert second.issues[0]["message"] == f"identical to {original.name} in this run; read once"
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)


def _issues_of(db: Path) -> list[tuple]:
    """Every stored issue but the run that recorded it, sorted."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return sorted(
            conn.execute(
                "SELECT report_id, source_name, source_page, source_row, source_line, "
                "column_name, check_name, failure_value, severity, message, action "
                "FROM validation_issues"
            ).fetchall(),
            key=repr,
        )


def test_months_give_the_same_issues_whatever_order_they_arrive_in(tmp_path: Path) -> None:
    from tests.helpers import TEXT_MONTHS, load

    june, july, august, september = TEXT_MONTHS
    in_order, shuffled = tmp_path / "in-order" / "w.duckdb", tmp_path / "shuffled" / "w.duckdb"
    for i, path in enumerate([june, july, august, september]):
        load([path], in_order, run_id=f"run-{i}")
    for i, path in enumerate([september, july, june, august]):
        load([path], shuffled, run_id=f"run-{i}")
    expected = _issues_of(in_order)
    # September loaded first is checked against August when August comes.
    assert ("yueqing-2022-09.txt", "department_changed") in {(i[1], i[6]) for i in expected}
    assert _issues_of(shuffled) == expected


def test_replacing_a_month_checks_the_month_after_it_again(tmp_path: Path) -> None:
    from tests.helpers import month_file

    db = tmp_path / "w.duckdb"
    _ingest([month_file(tmp_path / "a", 8)], tmp_path, "august")
    _ingest([month_file(tmp_path / "a", 9)], tmp_path, "september")
    assert not [i for i in _issues_of(db) if i[6] == "completion_went_down"]
    # August again, its 72% rows at 82%: September's 72% are now falls.
    _ingest([month_file(tmp_path / "b", 8, bump=10)], tmp_path, "august-again")
    falls = [i for i in _issues_of(db) if i[6] == "completion_went_down"]
    at_72 = sum("| 72% |" in line for line in sample_lines())
    assert len(falls) == at_72 > 0
    assert {i[1] for i in falls} == {"2022年9月民生实事项目进展情况.txt"}
    assert "item (2) completion fell from 82% in August 2022 to 72%" in {i[9] for i in falls}
