"""The monthly deployment: its schedule is kept in prefect.yaml and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.settings import RunSettings, SettingsError
from pipelines.flows.deployment import DEPLOYMENT_NAME, FLOW_NAME, read_deployment

ROOT = Path(__file__).resolve().parents[2]


def test_prefect_yaml_holds_the_monthly_cron() -> None:
    spec = read_deployment(ROOT / "prefect.yaml")
    assert (spec.name, spec.cron, spec.timezone) == ("monthly", "0 9 5 * *", "Asia/Shanghai")
    assert spec.entrypoint == "pipelines/flows/monthly.py:inbox_flow"
    assert spec.parameters == {"inbox": "data/inbox"}


def test_the_served_deployment_carries_that_schedule(tmp_path: Path) -> None:
    from pipelines.flows.serving import build_deployment, deployment_parameters

    spec = read_deployment(ROOT / "prefect.yaml")
    settings = RunSettings.build(db=tmp_path / "w.duckdb", reports_dir=tmp_path / "reports")
    parameters = deployment_parameters(spec, tmp_path / "inbox", settings, None)
    deployment = build_deployment(spec, parameters)
    assert (deployment.flow_name, deployment.name) == (FLOW_NAME, DEPLOYMENT_NAME)
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 9 5 * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert deployment.parameters["inbox"] == str((tmp_path / "inbox").resolve())
    assert deployment.parameters["db"] == str((tmp_path / "w.duckdb").resolve())


def test_the_entrypoint_names_the_flow_that_is_served() -> None:
    from pipelines.flows import monthly as inbox

    spec = read_deployment(ROOT / "prefect.yaml")
    module, name = spec.entrypoint.split(":")
    assert Path(inbox.__file__).resolve() == (ROOT / module).resolve()
    assert getattr(inbox, name).name == FLOW_NAME


def test_a_deployment_file_without_the_cron_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "prefect.yaml"
    config.write_text("deployments:\n  - name: monthly\n    entrypoint: x.py:f\n", "utf-8")
    with pytest.raises(SettingsError, match="needs exactly one cron schedule"):
        read_deployment(config)
    with pytest.raises(SettingsError, match="no deployment named 'yearly'"):
        read_deployment(config, "yearly")
    with pytest.raises(SettingsError, match="cannot read"):
        read_deployment(tmp_path / "missing.yaml")


def test_the_deployment_takes_the_region_and_period_of_its_documents(tmp_path: Path) -> None:
    from pipelines.flows.serving import build_deployment, deployment_parameters

    spec = read_deployment(ROOT / "prefect.yaml")
    settings = RunSettings.build(db=tmp_path / "w.duckdb", region="乐清市", year=2022, month=8)
    deployment = build_deployment(spec, deployment_parameters(spec, None, settings, None))
    assert (deployment.parameters["region"], deployment.parameters["year"]) == ("乐清市", 2022)
    assert deployment.parameters["month"] == 8
    # `prefect deploy --param region=…` sets the same parameters of the same flow.
    from prefect.utilities.callables import parameter_schema

    from pipelines.flows.monthly import inbox_flow

    assert {"inbox", "region", "year", "month"} <= set(parameter_schema(inbox_flow).properties)
