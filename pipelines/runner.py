"""Running the ingest flow from the command line, quietly and without a Prefect server."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pipelines.backfill import Parallelism
from pipelines.prefect_env import configure_prefect_environment
from pipelines.settings import RunSettings


def run_ingest_flow(
    paths: list[Path],
    settings: RunSettings,
    *,
    load: bool,
    parallelism: Parallelism | None = None,
    on_parsed: Any = None,
) -> dict[str, Any]:
    """Run ``ingest_flow`` once and return its report.

    ``parallelism`` picks where the parse tasks run (the flow's threads if None);
    ``on_parsed(done, total, name)`` hears of each document parsed.
    """
    configure_prefect_environment(quiet=True)
    from pipelines.flow import ingest_flow
    from pipelines.progress import listening

    if parallelism is None:
        with listening(on_parsed) if on_parsed is not None else nullcontext():
            return _call(ingest_flow, paths, settings, load)
    from pipelines.backfill import api_for_workers, make_task_runner, worker_processes

    flow_fn = ingest_flow.with_options(task_runner=make_task_runner(parallelism))
    with api_for_workers(parallelism), worker_processes(parallelism):
        with listening(on_parsed) if on_parsed is not None else nullcontext():
            return _call(flow_fn, paths, settings, load)


def _call(flow_fn: Any, paths: list[Path], settings: RunSettings, load: bool) -> dict[str, Any]:
    return flow_fn(
        paths=[str(p) for p in paths],
        db=str(settings.db),
        region=settings.period.region,
        year=settings.period.year,
        month=settings.period.month,
        reports_dir=str(settings.reports_dir),
        raw_dir=str(settings.raw_dir),
        load=load,
        layouts=settings.period.layouts,
    )
