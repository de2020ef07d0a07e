"""``minsheng serve``: the monthly deployment served on its schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from i18n import _
from pipelines.cli.shared import (
    DbOpt,
    LangOpt,
    MonthOpt,
    RegionOpt,
    ReportsOpt,
    YearOpt,
    described,
    fail,
    out,
    speak,
)
from pipelines.core.settings import RunSettings, SettingsError


def _say_now(text: str) -> None:
    # Flushed at once: the served runs write their logs to the same stream from other threads.
    out.print(text, markup=False)
    out.file.flush()


@described(_("Serve the monthly deployment of prefect.yaml on its cron schedule, until Ctrl-C."))
def serve(
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help=_("Folder the monthly run scans [default: from prefect.yaml, data/inbox]"),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    reports_dir: ReportsOpt = None,
    region: RegionOpt = None,
    year: YearOpt = None,
    month: MonthOpt = None,
    export_dir: Annotated[
        Path | None,
        typer.Option(
            "--export", help=_("Also write each loaded period as Parquet under this folder.")
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help=_("Deployment file [default: ./prefect.yaml]"), show_default=False
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    speak(lang)
    from pipelines.core.region_map import REGION_MAP_NAME, read_region_map
    from pipelines.flows.api_server import ServerError
    from pipelines.flows.deployment import read_deployment
    from pipelines.flows.serving import deployment_parameters, serve_monthly

    try:
        settings = RunSettings.build(
            db=db, reports_dir=reports_dir, region=region, year=year, month=month
        )
        spec = read_deployment(config)
        parameters = deployment_parameters(spec, inbox, settings, export_dir)
        mapping = read_region_map(parameters["inbox"])  # checked now, not at the 5th's run
        if mapping.folders or mapping.files:
            _say_now(
                _(
                    "regions of the inbox's reports from {path}: {folders} folders, {files} "
                    "file-name patterns"
                ).format(
                    path=Path(parameters["inbox"]) / REGION_MAP_NAME,
                    folders=len(mapping.folders),
                    files=len(mapping.files),
                )
            )
        serve_monthly(spec, parameters, log_dir=settings.db.parent, say=_say_now)
    except (SettingsError, ServerError) as exc:
        fail(str(exc), 2)
