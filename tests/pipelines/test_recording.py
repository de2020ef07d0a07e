"""Which command-line runs are recorded as Prefect flow runs, and a run whose API goes away.

A flow run is recorded only where the user chose an API: a server that answers on a port is
not a choice (on a shared machine it may be anybody's).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from pipelines.execution.faults import RESUME_FILE
from pipelines.flows.api_server import ApiServer
from tests.helpers import PAUSE_LINE, invoke, month_file, wait_for_line

pytestmark = pytest.mark.slow  # real Prefect servers


def _flow_runs_of(api_url: str, folder: Path) -> list:
    """The ``minsheng-ingest`` flow runs recorded at ``api_url`` whose parameters name ``folder``
    (other tests record to the same server at the same time)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["minsheng-ingest"])), limit=200
        )
    return [run for run in runs if str(folder) in json.dumps(run.parameters, ensure_ascii=False)]


def test_a_server_answering_on_the_default_port_records_nothing(
    tmp_path: Path, prefect_server: ApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's server stands for one another user runs on 127.0.0.1:4200."""
    from pipelines.flows import api_server

    port = urlparse(prefect_server.api_url).port
    assert port is not None
    monkeypatch.setattr(api_server, "DEFAULT_PORT", port)
    path = month_file(tmp_path / "in", 8)
    done = invoke("ingest", str(path), "--region", "乐清市", "--db", "w.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Prefect" not in done.stderr
    assert "1 documents, 48 rows loaded" in done.stdout
    assert _flow_runs_of(prefect_server.api_url, tmp_path) == []

    recorded = invoke(
        "ingest", str(month_file(tmp_path / "in", 9)), "--region", "乐清市", "--db", "w.duckdb",
        cwd=tmp_path, env={"PREFECT_API_URL": prefect_server.api_url},
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    [run] = _flow_runs_of(prefect_server.api_url, tmp_path)
    assert run.state.is_completed()


def test_a_run_whose_api_goes_away_finishes_here_and_exits_by_its_data(
    tmp_path: Path, migrated_prefect_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own server (the session's must stay up), killed while the load is open."""
    from pipelines.flows.api_server import start_server

    monkeypatch.setenv("PREFECT_HOME", str(migrated_prefect_home))  # migrated: starts sooner
    server = start_server(log_path=tmp_path / "server.log")
    assert server.process is not None
    env = {
        **{k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_LEVEL"},  # as a user's
        "PREFECT_HOME": str(tmp_path / "client"),
        "PREFECT_API_URL": server.api_url,
        # held open until the server is gone, however long that takes on a loaded machine
        "MINSHENG_FAULT_PAUSE_BEFORE_COMMIT": "300",
        RESUME_FILE: str(tmp_path / "resume"),
        "COLUMNS": "200",
    }
    path = month_file(tmp_path / "in", 8)
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "ingest", str(path), "--region", "乐清市",
         "--db", "w.duckdb"],
        cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        seen = wait_for_line(process, PAUSE_LINE, timeout=300)
        os.killpg(server.process.pid, signal.SIGKILL)  # gone, as a crashed or stopped server
        server.process.wait(timeout=30)
        (tmp_path / "resume").touch()
        stdout, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.stop()
    stderr = "".join(seen) + stderr
    assert seen[0] == f"recording a Prefect flow run (API at $PREFECT_API_URL {server.api_url})\n"
    assert process.returncode == 0, stderr
    assert (
        f"the Prefect flow run could not be recorded: the API at {server.api_url} stopped "
        "answering (ConnectError); the run finished in this process"
    ) in stderr
    assert "Traceback" not in stderr and "ERROR" not in stderr
    assert "1 documents, 48 rows loaded, 0 quarantined" in stdout
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)
    [written] = (tmp_path / "data" / "reports").glob("*.json")
    report = json.loads(written.read_text("utf-8"))
    assert [d["status"] for d in report["documents"]] == ["loaded"]
