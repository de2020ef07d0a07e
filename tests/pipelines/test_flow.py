"""Real flow runs under a Prefect test server, into a real DuckDB file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.helpers import (
    COMPARED,
    SAMPLE_NAME,
    as_text,
    broken_sample,
    expected_rows,
    ingest_in_flow,
)

pytestmark = [
    pytest.mark.usefixtures("prefect_server"),
    pytest.mark.slow,
]


def _artifacts_of(flow_run_id: object) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


def _flow_run(state: object):  # type: ignore[no-untyped-def]
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id)  # type: ignore[attr-defined]


def test_the_sample_loads_exactly_the_expected_rows(sample_copy: Path, tmp_path: Path) -> None:
    state, report = ingest_in_flow([sample_copy], tmp_path, region="乐清市")
    assert state.is_completed()  # type: ignore[attr-defined]
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


def test_a_run_that_quarantined_rows_is_failed_with_the_summary_and_its_artifacts(
    tmp_path: Path,
) -> None:
    path = broken_sample(tmp_path / "in")
    state, report = ingest_in_flow([path], tmp_path, region="乐清市")
    assert state.is_failed()  # type: ignore[attr-defined]
    summary = (
        "1 document, 45 rows loaded, 3 quarantined (line 2: leader (具体分管领导) is empty; "
        "line 3: completion rate '待核实' is not a percentage; … and 1 more), 4 warnings"
    )
    assert state.message == summary  # type: ignore[attr-defined]
    run = _flow_run(state)
    assert run.state.is_failed() and run.state.message == summary
    [document] = report["documents"]
    assert (document["status"], document["rows_loaded"], document["rows_quarantined"]) == (
        "partial",
        45,
        3,
    )
    artifacts = _artifacts_of(run.id)
    markdown = [a for a in artifacts if a.type == "markdown"]
    [table] = [a for a in artifacts if a.type == "table"]
    assert len(markdown) == 1 and report["run_id"] in str(markdown[0].data)
    assert "45 rows loaded" in str(markdown[0].data)
    assert table.key == "validation-yueqingshi"
    assert re.fullmatch(r"[a-z0-9-]+", table.key)
    assert table.description.startswith("乐清市 2022-08: partial")
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
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
        (7, "row", "cell_count", "多余"),  # the extra cell, as written
    ]
    html = Path(report["report_files"]["html"]).read_text("utf-8")
    assert "completion rate &#39;待核实&#39; is not a percentage" in html
    assert "line 7" in html


@pytest.mark.parametrize("load", [True, False], ids=["ingest", "validate"])
def test_the_flow_and_the_core_leave_the_same_warehouse_and_report(
    tmp_path: Path, load: bool
) -> None:
    """Both run the stages of ``pipelines.core.run.Run``: the same rows, the same report, the
    same progress told to the caller."""
    from pipelines.core.run import run_pipeline
    from pipelines.core.settings import RunSettings
    from pipelines.execution.progress import Progress
    from tests.warehouse_snapshot import warehouse_snapshot

    heard: dict[str, list[tuple[int, int, str]]] = {"flow": [], "core": []}

    def told(where: str) -> Progress:
        return Progress(document_done=lambda *done: heard[where].append(done))

    path = broken_sample(tmp_path / "in")
    _, in_flow = ingest_in_flow(
        [path], tmp_path / "flow", region="乐清市", load=load, progress=told("flow")
    )
    core = tmp_path / "core"
    in_core = run_pipeline(
        [path],
        RunSettings.build(
            db=core / "w.duckdb",
            reports_dir=core / "reports",
            raw_dir=core / "raw",
            region="乐清市",
        ),
        load=load,
        progress=told("core"),
    ).as_json()
    assert heard["flow"] == heard["core"] == [(1, 1, str(path))]
    if load:
        flow_tables = warehouse_snapshot(tmp_path / "flow" / "w.duckdb")
        core_tables = warehouse_snapshot(core / "w.duckdb")
        assert all(a.equals(b) for a, b in zip(flow_tables, core_tables, strict=True))
        assert len(flow_tables[0]) and len(flow_tables[1])  # something to compare
    else:  # the dry run writes no warehouse
        assert not (tmp_path / "flow" / "w.duckdb").exists() and not (core / "w.duckdb").exists()
    assert in_flow["totals"]["rows_quarantined"] == in_core["totals"]["rows_quarantined"] == 3
    for report in (in_flow, in_core):
        for key in ("run_id", "started_at", "finished_at", "report_files", "database"):
            report.pop(key)
    assert in_flow == in_core


def test_validate_loads_nothing_but_writes_the_report(sample_copy: Path, tmp_path: Path) -> None:
    state, report = ingest_in_flow([sample_copy], tmp_path, region="乐清市", load=False)
    assert state.is_completed()  # type: ignore[attr-defined]
    assert report["documents"][0]["rows_loaded"] == 48
    assert not (tmp_path / "w.duckdb").exists()
    assert Path(report["report_files"]["html"]).exists()


def test_region_keys_are_pinyin_or_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipelines.core.settings import RunSettings
    from pipelines.flows.ingest import artifact_key

    assert artifact_key("永嘉县") == "validation-yongjiaxian"
    assert artifact_key(None) == "validation-period-unknown"
    monkeypatch.setenv("MINSHENG_REGION_KEYS", "乐清市=Yue Qing,永嘉县=yj")
    keys = dict(RunSettings.build(db=tmp_path / "w.duckdb").region_keys)
    assert artifact_key("乐清市", keys) == "validation-yue-qing"
    assert artifact_key("永嘉县", keys) == "validation-yj"
    assert artifact_key("瑞安市", keys) == "validation-ruianshi"


def test_the_flow_loads_documents_checked_already_without_reading_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The intake page's load when a Prefect API is configured: the flow run is handed the
    page's checks and runs the stages after the reading on them. From the check on, parsing
    the file never ends (the fault hook); the load finishes all the same, and leaves the
    warehouse the in-process load of the same checks leaves."""
    from pipelines.core.run import Run, load_checked, read_documents
    from pipelines.core.settings import RunSettings
    from pipelines.flows.ingest import handing_over
    from tests.warehouse_snapshot import warehouse_snapshot

    path = broken_sample(tmp_path / "in")
    check = Run.start(
        RunSettings.build(reports_dir=tmp_path / "checks", region="乐清市"), "validate"
    )
    checked = read_documents(check, check.discover([path]))
    monkeypatch.setenv("MINSHENG_FAULT_HANG_PARSE", path.name)
    with handing_over(checked) as token:
        state, in_flow = ingest_in_flow(
            [path], tmp_path / "flow", region="乐清市", parse_timeout=5, checked=token
        )
    assert [(d["status"], d["rows_loaded"]) for d in in_flow["documents"]] == [("partial", 45)]
    core = tmp_path / "core"
    in_core = load_checked(
        [path],
        checked,
        RunSettings.build(
            db=core / "w.duckdb",
            reports_dir=core / "reports",
            raw_dir=core / "raw",
            region="乐清市",
        ),
    ).as_json()
    flow_tables = warehouse_snapshot(tmp_path / "flow" / "w.duckdb")
    core_tables = warehouse_snapshot(core / "w.duckdb")
    assert all(a.equals(b) for a, b in zip(flow_tables, core_tables, strict=True))
    for report in (in_flow, in_core):
        for key in ("run_id", "started_at", "finished_at", "report_files", "database"):
            report.pop(key)
    assert in_flow == in_core
