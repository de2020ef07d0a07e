"""The previous reported month of a region, read from a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parsers import Source, parse_document
from schemas import validate_rows
from tests.helpers import SAMPLE
from warehouse import DocumentLoad, connect, load_document
from warehouse.history import previous_period_rows
from warehouse.load import make_report_id


def _load(conn, month: int, rows: pd.DataFrame, region: str = "乐清市") -> None:
    sha = f"{month:02d}{region}".ljust(64, "0")
    load_document(
        conn,
        DocumentLoad(
            report_id=make_report_id(sha, region, 2022, month),
            source=Source(f"2022年{month}月.txt", sha, "txt", region, 2022, month),
            status="loaded",
            progress=rows.assign(region=region, year=2022, month=month),
        ),
        "run",
    )


def test_the_latest_earlier_month_of_the_same_region_and_year(tmp_path: Path) -> None:
    rows = validate_rows(
        parse_document(SAMPLE, region="乐清市").rows,
        region="乐清市",
        year=2022,
        month=8,
        source_name="x",
    ).rows
    conn = connect(tmp_path / "w.duckdb")
    assert previous_period_rows(conn, "乐清市", 2022, 8).empty
    _load(conn, 5, rows.head(3))
    _load(conn, 6, rows.head(7))
    _load(conn, 9, rows)
    _load(conn, 7, rows, region="永嘉县")
    previous = previous_period_rows(conn, "乐清市", 2022, 8)
    assert set(previous["month"]) == {6}
    assert previous["item_no"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert {"completion_pct", "department", "leader", "sub_no"} <= set(previous.columns)
    assert previous_period_rows(conn, "乐清市", 2022, 5).empty
    conn.close()
