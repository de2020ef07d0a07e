"""``minsheng serve``: the monthly deployment, served against a real Prefect server."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from i18n import _
from pipelines.core.settings import RunSettings
from pipelines.flows.api_server import DEFAULT_PORT, ApiServer, find_or_start_server
from pipelines.flows.deployment import DeploymentSpec
from pipelines.flows.environment import configure_prefect_environment


def deployment_parameters(
    spec: DeploymentSpec, inbox: Path | None, settings: RunSettings, export_dir: Path | None
) -> dict[str, Any]:
    """The deployment's defaults from ``prefect.yaml`` with the command line's options on top."""
    parameters = dict(spec.parameters)
    if inbox is not None:
        parameters["inbox"] = str(inbox)
    parameters.setdefault("inbox", "data/inbox")
    parameters["db"] = str(settings.db)
    parameters["reports_dir"] = str(settings.reports_dir)
    parameters["raw_dir"] = str(settings.raw_dir)
    if export_dir is not None:
        parameters["export_dir"] = str(export_dir)
    for key in ("region", "year", "month"):
        if getattr(settings.period, key) is not None:
            parameters[key] = getattr(settings.period, key)
    # Runs start in this process's working directory; absolute paths keep them unambiguous
    # in the UI and for a worker started elsewhere.
    for key in ("inbox", "db", "reports_dir", "raw_dir", "export_dir"):
        if parameters.get(key):
            parameters[key] = str(Path(parameters[key]).resolve())
    return parameters


def build_deployment(spec: DeploymentSpec, parameters: dict[str, Any]) -> Any:
    """The Prefect deployment object (a ``RunnerDeployment``) for ``spec``."""
    from prefect.schedules import Cron

    from pipelines.flows.monthly import inbox_flow

    return inbox_flow.to_deployment(
        name=spec.name,
        schedules=[Cron(spec.cron, timezone=spec.timezone)],
        parameters=parameters,
        description=spec.description,
        tags=list(spec.tags),
    )


def serve_monthly(
    spec: DeploymentSpec,
    parameters: dict[str, Any],
    *,
    log_dir: Path,
    say: Callable[[str], None],
) -> None:
    """Find or start a Prefect server, then serve the deployment until interrupted."""
    Path(parameters["inbox"]).mkdir(parents=True, exist_ok=True)
    server: ApiServer = find_or_start_server(log_path=log_dir / "prefect-server.log")
    if server.how == "started":
        say(
            _(
                "started a Prefect server at {api_url} (log: {log_path}); it stops with this "
                "command"
            ).format(api_url=server.api_url, log_path=server.log_path)
        )
    else:
        say(_("using the Prefect server at {api_url}").format(api_url=server.api_url))
        if f":{DEFAULT_PORT}/" not in server.api_url:
            say(
                _(
                    "its UI reaches this API only if the server was started with "
                    "PREFECT_UI_API_URL={api_url}"
                ).format(api_url=server.api_url)
            )
    os.environ["PREFECT_API_URL"] = server.api_url
    configure_prefect_environment()
    try:
        from prefect import serve

        deployment = build_deployment(spec, parameters)
        ui = server.api_url.removesuffix("/api")
        say(
            _(
                "serving {flow_name}/{name}: cron '{cron}' ({timezone}), inbox {inbox}; UI at {ui}"
            ).format(
                flow_name=deployment.flow_name,
                name=spec.name,
                cron=spec.cron,
                timezone=spec.timezone or "UTC",
                inbox=parameters["inbox"],
                ui=ui,
            )
        )
        say(
            _("run it now with: prefect deployment run '{flow_name}/{name}'").format(
                flow_name=deployment.flow_name, name=spec.name
            )
        )
        serve(deployment, print_starting_message=False)
    finally:
        server.stop()
