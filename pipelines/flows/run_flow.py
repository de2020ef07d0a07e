"""Running the ingest flow from the command line, quietly, with its parse tasks spread."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pipelines.core.parallelism import Parallelism
from pipelines.core.settings import RunSettings
from pipelines.flows.environment import configure_prefect_environment


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
    from pipelines.core.listeners import listening
    from pipelines.flows.ingest import ingest_flow

    if parallelism is None:
        with listening(on_parsed) if on_parsed is not None else nullcontext():
            return _call(ingest_flow, paths, settings, load)
    from pipelines.core.parallelism import worker_processes
    from pipelines.flows.task_runners import api_for_workers, make_task_runner

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
