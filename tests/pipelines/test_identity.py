"""Identity checks in the load and validate steps: the month before comes from the run or
the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.core.checking import check_document
from pipelines.core.dry_run import dry_run
from pipelines.core.settings import PeriodOptions, RunSettings
from tests.helpers import MONTHS, load

AUGUST = MONTHS / "text" / "yueqing-2022-08.txt"
SEPTEMBER = MONTHS / "text" / "yueqing-2022-09.txt"


def checks(outcome) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (i["source_line"], i["check"])
        for i in outcome.issues
        if str(i["check"]).startswith("item_")
    ]


EXPECTED = [(44, "item_text_changed"), (50, "item_renumbered"), (51, "item_renumbered")]


def test_validate_compares_with_the_previous_month_in_the_same_run(tmp_path: Path) -> None:
    settings = RunSettings.build(db=tmp_path / "none.duckdb")
    august, september = (check_document(p, PeriodOptions()) for p in (AUGUST, SEPTEMBER))
    outcomes = dry_run([september, august], settings)
    assert checks(outcomes[0]) == EXPECTED and checks(outcomes[1]) == []
    assert not (tmp_path / "none.duckdb").exists()  # validate writes nothing


def test_validate_compares_with_the_warehouse_and_leaves_it_alone(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load([MONTHS / "text" / "yueqing-2022-07.txt", AUGUST], db)
    with duckdb.connect(str(db), read_only=True) as conn:
        before = conn.execute("SELECT count(*) FROM validation_issues").fetchone()
    [outcome] = dry_run([check_document(SEPTEMBER, PeriodOptions())], RunSettings.build(db=db))
    assert checks(outcome) == EXPECTED
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM validation_issues").fetchone() == before
        assert conn.execute("SELECT max(month) FROM progress").fetchone() == (8,)


def test_the_same_bytes_again_raise_no_new_warnings(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load([AUGUST, SEPTEMBER], db, "run1")
    [again] = load([SEPTEMBER], db, "run2")
    assert again.status == "unchanged" and again.issues == []
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM validation_issues WHERE check_name LIKE 'item_%'"
        ).fetchone() == (3,)
