"""Running the ingest flow from the command line, quietly and without a Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.prefect_env import configure_prefect_environment
from pipelines.settings import RunSettings


def run_ingest_flow(paths: list[Path], settings: RunSettings, *, load: bool) -> dict[str, Any]:
    """Run ``ingest_flow`` once and return its report."""
    configure_prefect_environment(quiet=True)
    from pipelines.flow import ingest_flow

    return ingest_flow(
        paths=[str(p) for p in paths],
        db=str(settings.db),
        region=settings.period.region,
        year=settings.period.year,
        month=settings.period.month,
        reports_dir=str(settings.reports_dir),
        raw_dir=str(settings.raw_dir),
        load=load,
    )
