"""Real flow runs under a Prefect test server, into a real DuckDB file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_NAME, sample_lines
from tests.helpers import COMPARED, as_text, expected_rows

pytestmark = pytest.mark.usefixtures("prefect_harness")


def run(paths: list[Path], tmp_path: Path, **options):
    from pipelines.flows.ingest import ingest_flow

    return ingest_flow(
        paths=[str(p) for p in paths],
        db=str(tmp_path / "w.duckdb"),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
        **options,
    )


def test_the_sample_loads_exactly_the_expected_rows(sample_copy: Path, tmp_path: Path) -> None:
    report = run([sample_copy], tmp_path, region="乐清市")
    [document] = report["documents"]
    assert (document["status"], document["rows_loaded"], document["rows_quarantined"]) == (
        "loaded",
        48,
        0,
    )
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        loaded = conn.execute("SELECT * FROM progress ORDER BY item_no, sub_no").df()
        assert set(loaded["region"]) == {"乐清市"} and set(loaded["month"]) == {8}
    expected = expected_rows()
    got = as_text(loaded, [*COMPARED, "source_line"])
    assert got.equals(expected.loc[:, [*COMPARED, "source_line"]])
    archived = list((tmp_path / "raw").rglob("*.txt"))
    assert len(archived) == 1 and archived[0].read_bytes() == sample_copy.read_bytes()


def test_running_again_leaves_one_report_and_48_rows(sample_copy: Path, tmp_path: Path) -> None:
    run([sample_copy], tmp_path, region="乐清市")
    again = run([sample_copy], tmp_path, region="乐清市")
    assert again["documents"][0]["status"] == "unchanged"
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)


def broken_sample(folder: Path) -> Path:
    lines = sample_lines()
    lines[2] = lines[2].replace("| 72% |", "| 待核实 |")  # line 3, item (2)
    lines[6] = lines[6].rstrip().rstrip("|") + "| 多余 |"  # line 7, item (6): 7 cells
    # line 2, item (1): no leader, and no row above whose merged cell it could be
    lines[1] = lines[1].replace("| 王旭良 |", "|  |")
    path = folder / SAMPLE_NAME
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")
    return path


def test_broken_rows_are_quarantined_and_reported_with_their_lines(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    report = run([path], tmp_path, region="乐清市")
    [document] = report["documents"]
    assert (document["status"], document["rows_loaded"], document["rows_quarantined"]) == (
        "partial",
        45,
        3,
    )
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM progress").fetchone() == (45,)
        quarantined = conn.execute(
            "SELECT source_line, reasons FROM quarantine ORDER BY source_line"
        ).fetchall()
        errors = conn.execute(
            "SELECT source_line, column_name, check_name, failure_value FROM validation_issues "
            "WHERE severity = 'error' ORDER BY source_line"
        ).fetchall()
    assert [line for line, _ in quarantined] == [2, 3, 7]
    assert "leader" in quarantined[0][1]
    assert "completion rate '待核实' is not a percentage" in quarantined[1][1]
    assert "7 cells" in quarantined[2][1]
    assert errors == [
        (2, "leader", "leader_not_blank", ""),
        (3, "completion_raw", "completion_is_percentage", "待核实"),
        (7, "row", "cell_count", "7"),
    ]
    saved = json.loads(Path(report["report_files"]["json"]).read_text("utf-8"))
    assert saved["documents"][0]["rows_quarantined"] == 3
    lines = sorted(
        i["source_line"] for i in saved["documents"][0]["issues"] if i["severity"] == "error"
    )
    assert lines == [2, 3, 7]
    html = Path(report["report_files"]["html"]).read_text("utf-8")
    assert "completion rate &#39;待核实&#39; is not a percentage" in html
    assert "line 7" in html


def test_validate_loads_nothing_but_writes_the_report(sample_copy: Path, tmp_path: Path) -> None:
    report = run([sample_copy], tmp_path, region="乐清市", load=False)
    assert report["documents"][0]["rows_loaded"] == 48
    assert not (tmp_path / "w.duckdb").exists()
    assert Path(report["report_files"]["html"]).exists()


def test_the_report_is_published_as_a_prefect_artifact(sample_copy: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    report = run([sample_copy], tmp_path, region="乐清市")
    with get_client(sync_client=True) as client:
        [latest] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["validation-report"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert report["run_id"] in str(latest.data)
    assert "48 rows loaded" in str(latest.data)


def test_each_region_and_month_gets_a_table_artifact_with_every_issue(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from pipelines.flows.ingest import artifact_key

    path = broken_sample(tmp_path / "in")
    report = run([path], tmp_path, region="乐清市")
    key = artifact_key("乐清市", 2022, 8)
    assert re.fullmatch(r"[a-z0-9-]+", key)
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    issues = report["documents"][0]["issues"]
    assert len(rows) == len(issues)
    for row, issue in zip(rows, issues, strict=True):
        assert row["document"] == SAMPLE_NAME
        assert (row["source_line"], row["check"], row["message"], row["rule"]) == (
            issue["source_line"],
            issue["check"],
            issue["message"],
            issue["rule"],
        )
