"""The ``minsheng`` command as a user runs it: exit codes, what it prints, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SAMPLE, SAMPLE_NAME, broken_sample, invoke, minsheng


def test_ingest_of_broken_rows_exits_1_without_traceback_then_sql_reads(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    done = invoke("ingest", str(path), "--region", "乐清市", "--db", "w.duckdb", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "Prefect" not in done.stderr  # a run in this process says nothing about Prefect
    assert f"partial   {SAMPLE_NAME}" in done.stdout
    assert "45 rows loaded, 3 quarantined" in done.stdout
    assert "line 3: completion rate '待核实' is not a percentage" in done.stdout
    assert "1 documents, 45 rows loaded, 3 quarantined, 4 warnings" in done.stdout
    report_line = next(
        line for line in done.stdout.splitlines() if line.startswith("validation report:")
    )
    assert "data/reports/" in report_line
    archived = list((tmp_path / "raw").rglob("*.txt"))  # beside the warehouse
    assert len(archived) == 1 and archived[0].read_bytes() == path.read_bytes()

    query = invoke(
        "sql", "SELECT count(*) AS n FROM progress", "--db", "w.duckdb", "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 45}]

    drop = invoke("sql", "DROP TABLE progress", "--db", "w.duckdb", cwd=tmp_path)
    assert drop.returncode == 1
    assert "read-only" in drop.stderr and "Traceback" not in drop.stderr
    error = invoke("sql", "SELECT nope FROM progress", "--db", "w.duckdb", cwd=tmp_path)
    assert error.returncode == 1
    assert "Traceback" not in error.stderr and "nope" in error.stderr


def test_raw_dir_puts_the_originals_where_it_says(tmp_path: Path, sample_copy: Path) -> None:
    done = invoke(
        "ingest", str(sample_copy), "--region", "乐清市", "--db", "db/w.duckdb",
        "--raw-dir", "originals", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "originals").rglob("*.txt"))) == 1
    assert not (tmp_path / "db" / "raw").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = invoke("ingest", "nowhere.txt", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere.txt: no such file or folder" in missing.stderr
    bad_month = invoke("validate", str(tmp_path), "--month", "13", cwd=tmp_path)
    assert bad_month.returncode == 2 and "Traceback" not in bad_month.stderr
    bad_workers = invoke("validate", str(SAMPLE), "--no-prefect", "--workers", "0", cwd=tmp_path)
    assert bad_workers.returncode == 2, bad_workers.stderr
    assert "--workers 0: give 1 or more" in bad_workers.stderr


@pytest.mark.process
def test_a_real_process_exits_1_for_rejected_rows_and_2_for_usage(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    done = minsheng("validate", str(path), "--region", "乐清市", "--no-prefect", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Prefect" not in done.stderr
    assert "45 rows would load, 3 would be quarantined" in done.stdout
    assert "Traceback" not in done.stderr
    usage = minsheng("ingest", "nowhere.txt", cwd=tmp_path)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_the_api_is_the_configured_one_never_a_port_that_answers(tmp_path: Path) -> None:
    from pipelines.flows.api_server import ConfiguredApi, configured_api

    home = tmp_path / "home"
    env = {"PREFECT_HOME": str(home)}
    assert configured_api(env) is None  # Prefect's default profile runs without a server
    assert configured_api({**env, "PREFECT_API_URL": "http://10.0.0.5:4200/api"}) == (
        ConfiguredApi("http://10.0.0.5:4200/api", "environment")
    )
    home.mkdir()
    (home / "profiles.toml").write_text(
        'active = "shared"\n'
        '[profiles.shared]\nPREFECT_API_URL = "http://prefect.example:4300/api"\n'
        '[profiles.quiet]\nPREFECT_LOGGING_LEVEL = "ERROR"\n',
        "utf-8",
    )
    assert configured_api(env) == ConfiguredApi(
        "http://prefect.example:4300/api", "profile", "shared"
    )
    assert configured_api({**env, "PREFECT_PROFILE": "quiet"}) is None
    # Prefect's built-in "local" profile names 127.0.0.1:4200: choosing it is a choice.
    assert configured_api({**env, "PREFECT_PROFILE": "local"}) == (
        ConfiguredApi("http://127.0.0.1:4200/api", "profile", "local")
    )
    elsewhere = tmp_path / "profiles.toml"
    elsewhere.write_text('active = "local"\n', "utf-8")
    assert configured_api({**env, "PREFECT_PROFILES_PATH": str(elsewhere)}) == (
        ConfiguredApi("http://127.0.0.1:4200/api", "profile", "local")
    )
    (home / "profiles.toml").write_text("active = [not toml", "utf-8")
    assert configured_api(env) is None


def test_a_configured_api_that_does_not_answer_runs_here_and_says_so(
    tmp_path: Path, sample_copy: Path
) -> None:
    from pipelines.flows.api_server import free_port

    url = f"http://127.0.0.1:{free_port()}/api"
    done = invoke(
        "ingest", str(sample_copy), "--region", "乐清市", "--db", "w.duckdb",
        cwd=tmp_path, env={"PREFECT_API_URL": url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"the Prefect API {url} does not answer: running in this process, the run is not recorded"
    )
    assert "1 documents, 48 rows loaded" in done.stdout
    asked = invoke(
        "validate", str(sample_copy), "--region", "乐清市", "--prefect",
        cwd=tmp_path, env={"PREFECT_API_URL": url},
    )  # fmt: skip
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert f"--prefect: the Prefect API {url} does not answer" in asked.stderr


def test_a_sheet_saved_as_csv_is_validated_like_any_report(tmp_path: Path) -> None:
    from tests.helpers import FIXTURES

    path = FIXTURES / "delimited" / "yueqing-2022-08-excel-utf8.csv"
    done = invoke("validate", str(path), "--reports-dir", "reports", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "yueqing-2022-08-excel-utf8.csv  乐清市 2022-08  48 rows" in done.stdout
