"""Parquet export partitioned by region/year/month, read back by DuckDB as another engine would."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from parsers import Source, parse_document
from schemas import validate_rows
from tests.helpers import SAMPLE
from warehouse import DocumentLoad, connect, export_periods, load_document, loaded_periods
from warehouse.export import period_folder
from warehouse.load import make_report_id


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    doc = parse_document(SAMPLE, region="乐清市")
    rows = validate_rows(
        doc.rows, region="乐清市", year=2022, month=8, source_name=doc.source_name
    ).rows
    db = tmp_path / "w.duckdb"
    conn = connect(db)
    for month, sha in ((8, "a"), (9, "b")):
        load_document(
            conn,
            DocumentLoad(
                report_id=make_report_id(sha * 64, "乐清市", 2022, month),
                source=Source(f"{month}.txt", sha * 64, "txt", "乐清市", 2022, month),
                status="loaded",
                progress=rows.assign(region="乐清市", year=2022, month=month),
            ),
            "run1",
        )
    conn.close()
    return db


def read_back(folder: Path) -> pd.DataFrame:
    with duckdb.connect() as conn:
        return conn.execute(
            f"SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true) "
            "ORDER BY month, item_no, sub_no"
        ).df()


def test_every_period_is_a_hive_partition_with_the_progress_rows(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parquet"
    folders = export_periods(warehouse, out)
    assert folders == [period_folder(out, "乐清市", 2022, 8), period_folder(out, "乐清市", 2022, 9)]
    assert all(len(list(f.glob("*.parquet"))) == 1 for f in folders)
    assert loaded_periods(warehouse) == [("乐清市", 2022, 8), ("乐清市", 2022, 9)]
    exported = read_back(out)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        stored = conn.execute("SELECT * FROM progress ORDER BY month, item_no, sub_no").df()
    assert len(exported) == 96 and set(exported["region"]) == {"乐清市"}
    columns = [c for c in stored.columns if c not in ("region", "year", "month")]
    assert exported[columns].astype(str).equals(stored[columns].astype(str))
    assert exported["month"].tolist() == stored["month"].tolist()


def test_exporting_a_period_again_replaces_its_files(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export_periods(warehouse, out)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("DELETE FROM progress WHERE month = 9 AND item_no > 10")
    export_periods(warehouse, out, [("乐清市", 2022, 9)])
    september = period_folder(out, "乐清市", 2022, 9)
    assert len(list(september.glob("*.parquet"))) == 1
    exported = read_back(out)
    assert exported.groupby("month").size().to_dict() == {8: 48, 9: 10}


def test_the_sandbox_reads_the_parquet_export_wrote_and_nothing_beside_it(
    warehouse: Path, tmp_path: Path
) -> None:
    """The query of docs/scheduling.md, in ``minsheng sql``'s sandbox."""
    from warehouse import WarehouseError, run_analysis_query

    out = tmp_path / "parquet"
    query = (
        "SELECT region, year, month, count(*) AS n FROM read_parquet('{folder}/**/*.parquet', "
        "hive_partitioning = true) GROUP BY ALL ORDER BY ALL"
    )
    out.mkdir()
    with pytest.raises(WarehouseError, match="disabled by configuration"):
        run_analysis_query(warehouse, query.format(folder=out))  # not exported yet
    export_periods(warehouse, out)
    rows = run_analysis_query(warehouse, query.format(folder=out)).frame
    assert rows.values.tolist() == [["乐清市", 2022, 8, 48], ["乐清市", 2022, 9, 48]]
    # a folder whose name starts like it, the folder above, and paths that climb out
    sibling = tmp_path / "parquet2"
    sibling.mkdir()
    (sibling / "x.csv").write_text("secret\n1\n")
    for refused in (
        f"SELECT * FROM read_csv('{sibling}/x.csv')",
        f"SELECT * FROM glob('{tmp_path}/*')",
        f"SELECT * FROM read_csv('{out}/../parquet2/x.csv')",
        "SELECT * FROM read_text('/etc/passwd')",
    ):
        with pytest.raises(WarehouseError, match="disabled by configuration"):
            run_analysis_query(warehouse, refused)
    # another warehouse's export is not this one's
    other = tmp_path / "other" / "w.duckdb"
    other.parent.mkdir()
    connect(other).close()
    with pytest.raises(WarehouseError, match="disabled by configuration"):
        run_analysis_query(other, query.format(folder=out))
