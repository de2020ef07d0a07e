"""``minsheng serve`` against a real ``prefect server start``: a triggered run takes the inbox."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.flows.api_server import ApiServer
from tests.helpers import SAMPLE, SECOND_REGION, ingest

DEPLOYMENT = "minsheng-monthly/monthly"
# A real `prefect server start`, the session's (see conftest.py).
pytestmark = pytest.mark.slow


@pytest.fixture
def client(prefect_server: ApiServer) -> Iterator[object]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: prefect_server.api_url}):
        with get_client(sync_client=True) as client:
            yield client


def minsheng_serve(tmp_path: Path, api_url: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # pick a triggered run up at once, not in 10 s
    }
    log = (tmp_path / "serve.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "serve", "--inbox", "inbox", "--db", "w.duckdb"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        # A shell's background job ignores Ctrl-C, and so would serve: it must hear the test's.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(check, what: str, seconds: float = 120.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1.0)
    raise AssertionError(f"timed out waiting for {what}")


def trigger_and_wait(client, deployment_id):  # noqa: ANN001, ANN201
    """Trigger the deployment as ``prefect deployment run`` does: (flow run id, final state)."""
    flow_run = client.create_flow_run_from_deployment(deployment_id)

    def finished():  # noqa: ANN202
        state = client.read_flow_run(flow_run.id).state
        return state if state is not None and state.is_final() else None

    return flow_run.id, wait_for(finished, "the triggered run to finish", 240)


def test_a_triggered_run_ingests_the_new_inbox_files_and_leaves_them(
    tmp_path: Path, prefect_server: ApiServer, client
) -> None:  # noqa: ANN001
    from prefect.exceptions import ObjectNotFound

    # August came last month and is in the warehouse.
    last_month = tmp_path / "last-month" / "乐清市民生实事2022年8月.txt"
    last_month.parent.mkdir()
    shutil.copyfile(SAMPLE, last_month)
    ingest([str(last_month)], db=str(tmp_path / "w.duckdb"), reports_dir=str(tmp_path / "r"))
    # Two counties send reports whose names do not say which county: the inbox says it.
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "regions.toml").write_text(
        '[folders]\ncounty-a = "乐清市"\ncounty-b = "永嘉县"\n', "utf-8"
    )
    serving = minsheng_serve(tmp_path, prefect_server.api_url)
    try:

        def deployment():  # noqa: ANN202
            if serving.poll() is not None:
                raise AssertionError((tmp_path / "serve.log").read_text())
            try:
                return client.read_deployment_by_name(DEPLOYMENT)
            except ObjectNotFound:
                return None

        found = wait_for(deployment, "the served deployment")
        [schedule] = found.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (
            "0 9 5 * *",
            "Asia/Shanghai",
        )
        assert (tmp_path / "inbox").is_dir()  # serve makes the inbox it watches

        # August again, and two new reports, one with a quarantined row: the triggered run
        # reads only the new ones, ends Failed with the summary and holds the artifacts.
        august = tmp_path / "inbox" / last_month.name
        shutil.copyfile(SAMPLE, august)
        september = tmp_path / "inbox" / "乐清市民生实事2022年9月.txt"
        september.write_text(
            SAMPLE.read_text("utf-8").replace("8月计划进度", "9月计划进度", 1), "utf-8"
        )
        october = tmp_path / "inbox" / "乐清市民生实事2022年10月.txt"
        october.write_text(
            SAMPLE.read_text("utf-8")
            .replace("8月计划进度", "10月计划进度", 1)
            .replace("| 72% |", "| 待核实 |", 1),
            "utf-8",
        )
        flow_run_id, state = trigger_and_wait(client, found.id)
        assert state.is_failed()
        assert state.message == (
            "2 documents, 95 rows loaded, 1 quarantined (乐清市民生实事2022年10月.txt line 2: "
            "completion rate '待核实' is not a percentage), 7 warnings"
        )
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
            months = conn.execute(
                "SELECT month, count(*) FROM progress GROUP BY month ORDER BY month"
            ).fetchall()
            runs = conn.execute("SELECT documents FROM runs ORDER BY started_at").fetchall()
        assert months == [(8, 48), (9, 48), (10, 47)]
        assert runs == [(1,), (2,)]  # the triggered run read only the new files
        assert august.read_bytes() == SAMPLE.read_bytes()  # left in place
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        assert {a.type for a in artifacts} == {"markdown", "table"}
        assert {a.key for a in artifacts if a.type == "table"} == {"validation-yueqingshi"}

        for folder, text in (
            ("county-a", SAMPLE.read_text("utf-8").replace("8月计划进度", "11月计划进度", 1)),
            ("county-b", "\n".join(SECOND_REGION[-1].read_text("utf-8").splitlines()[1:])),
        ):
            assert "乐清市" not in text.splitlines()[0] and "永嘉县" not in text.splitlines()[0]
            (tmp_path / "inbox" / folder).mkdir()
            month = "11" if folder == "county-a" else "8"
            (tmp_path / "inbox" / folder / f"2022年{month}月进展情况.txt").write_text(text, "utf-8")
        _, state = trigger_and_wait(client, found.id)
        assert state.is_completed(), state.message
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
            mapped = conn.execute(
                "SELECT region, month, source_name, rows_loaded FROM reports "
                "WHERE source_name LIKE '%进展情况.txt' ORDER BY region"
            ).fetchall()
        assert mapped == [
            ("乐清市", 11, "2022年11月进展情况.txt", 48),
            ("永嘉县", 8, "2022年8月进展情况.txt", 12),
        ]
    finally:
        serving.send_signal(signal.SIGINT)
        serving.wait(timeout=60)
    output = (tmp_path / "serve.log").read_text()
    assert f"using the Prefect server at {prefect_server.api_url}" in output
    assert "cron '0 9 5 * *' (Asia/Shanghai)" in output
    assert "regions.toml: 2 folders, 0 file-name patterns" in output
    # A run that rejected a row is an expected outcome: its state says so, with no traceback.
    assert 'Finished in state Failed("2 documents, 95 rows loaded, 1 quarantined (' in output
    assert "Traceback" not in output and "ERROR" not in output


def test_a_started_server_on_another_port_tells_its_ui_where_its_api_is(
    prefect_server: ApiServer,
) -> None:
    import json
    import urllib.request

    assert not prefect_server.api_url.startswith("http://127.0.0.1:4200/")
    base = prefect_server.api_url.removesuffix("/api")
    with urllib.request.urlopen(base + "/ui-settings", timeout=30) as reply:
        assert json.loads(reply.read())["api_url"] == prefect_server.api_url


def test_serve_says_so_when_the_configured_server_does_not_answer(tmp_path: Path) -> None:
    from pipelines.flows.api_server import free_port

    url = f"http://127.0.0.1:{free_port()}/api"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "serve", "--db", "w.duckdb"],
        cwd=tmp_path,
        env={**os.environ, "PREFECT_API_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"PREFECT_API_URL={url} does not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_ingest_with_a_server_is_a_failed_flow_run_when_rows_are_quarantined(
    tmp_path: Path, prefect_server: ApiServer, client
) -> None:  # noqa: ANN001
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowFilter,
        FlowFilterName,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    from tests.helpers import broken_sample, invoke

    path = broken_sample(tmp_path / "in")
    done = invoke(
        "ingest", str(path), "--region", "乐清市", "--db", "w.duckdb",
        cwd=tmp_path, env={"PREFECT_API_URL": prefect_server.api_url},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"recording a Prefect flow run (API at $PREFECT_API_URL {prefect_server.api_url})"
    )
    assert "1 documents, 45 rows loaded, 3 quarantined, 4 warnings" in done.stdout
    summary = (
        "1 document, 45 rows loaded, 3 quarantined (line 2: leader (具体分管领导) is empty; "
        "line 3: completion rate '待核实' is not a percentage; … and 1 more), 4 warnings"
    )
    # This test's run: other tests record to the same server at the same time.
    [run] = [
        run
        for run in client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["minsheng-ingest"])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=50,
        )
        if str(tmp_path) in str(run.parameters)
    ]
    assert run.state.is_failed() and run.state.message == summary
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    assert {a.type for a in artifacts} == {"markdown", "table"}
