"""Running the ingest flow from the command line: quietly, recorded to a Prefect API.

The API is ``$PREFECT_API_URL`` or a temporary server this process starts and always stops
(``pipelines.flows.temporary_server``). A run that rejected anything ends Failed in Prefect;
here its report is returned all the same, for the command line to print.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pipelines.core.parallelism import Parallelism
from pipelines.core.settings import RunSettings
from pipelines.flows.environment import configure_prefect_environment


def run_ingest_flow(
    paths: Sequence[str | Path],
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
    from pipelines.core.parallelism import worker_processes
    from pipelines.flows.ingest import ingest_flow
    from pipelines.flows.task_runners import make_task_runner
    from pipelines.flows.temporary_server import prefect_api

    flow_fn = ingest_flow
    if parallelism is not None:
        flow_fn = ingest_flow.with_options(task_runner=make_task_runner(parallelism))
    with prefect_api(), worker_processes(parallelism or Parallelism()):
        with listening(on_parsed) if on_parsed is not None else nullcontext():
            state = flow_fn(
                paths=[str(p) for p in paths],
                db=str(settings.db),
                region=settings.period.region,
                year=settings.period.year,
                month=settings.period.month,
                reports_dir=str(settings.reports_dir),
                raw_dir=str(settings.raw_dir),
                load=load,
                layouts=settings.period.layouts,
                fetch_timeout=settings.fetch.timeout_s,
                max_pages=settings.limits.max_pages,
                parse_timeout=settings.limits.parse_seconds,
                return_state=True,
            )
    return report_of(state)


def report_of(state: Any) -> dict[str, Any]:
    """The report a finished ingest flow run returned, Failed or not.

    A run whose flow itself broke re-raises its error here.
    """
    from pipelines.flows.ingest import RunRejected

    try:
        return state.result()
    except RunRejected as rejected:
        return rejected.report
