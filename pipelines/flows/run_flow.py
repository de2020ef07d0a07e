"""Running the ingest flow from the command line: quietly, recorded to a Prefect API.

The API is the configured one (``$PREFECT_API_URL``, a Prefect profile) or a temporary server
this process starts and always stops (``pipelines.flows.temporary_server``). A run that
rejected anything ends Failed in Prefect; here its report is returned all the same, for the
command line to print. When the API goes away during the run, the run still finishes here:
the warehouse and the validation report are what count, the flow run is what is lost.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from i18n import _
from pipelines.core.settings import RunSettings
from pipelines.execution.parallelism import Parallelism
from pipelines.execution.progress import SILENT, Progress
from pipelines.flows.environment import configure_prefect_environment

if TYPE_CHECKING:
    from pipelines.core.checking import DocumentResult
    from pipelines.core.run_report import RunReport


def run_ingest_flow(
    paths: Sequence[str | Path],
    settings: RunSettings,
    *,
    load: bool,
    parallelism: Parallelism | None = None,
    progress: Progress = SILENT,
    regions: dict[str, str] | None = None,
    api_url: str | None = None,
    checked: list[DocumentResult] | None = None,
) -> RunReport:
    """Run ``ingest_flow`` once and return its report, recorded to ``api_url`` (else the
    configured API, else a temporary server).

    ``parallelism`` picks where the parse tasks run (the flow's threads if None);
    ``progress`` is told of each document and scanned page done; ``regions`` gives some
    documents (by path) their region, as a folder's ``regions.toml`` does. ``checked``: the
    documents' results, read and checked already, in discovery order, of the bytes they hold
    now (``checked_from_same_bytes``): the flow run loads them without reading them again.
    """
    configure_prefect_environment(quiet=True)
    from pipelines.execution.parallelism import worker_processes
    from pipelines.flows.ingest import handing_over, ingest_flow, keeping_reports
    from pipelines.flows.task_runners import make_task_runner
    from pipelines.flows.temporary_server import prefect_api

    flow_fn = ingest_flow
    if parallelism is not None:
        flow_fn = ingest_flow.with_options(task_runner=make_task_runner(parallelism))
    kept: list[RunReport] = []
    used = api_url or os.environ.get("PREFECT_API_URL", "")
    try:
        with (
            prefect_api(api_url) as used,
            worker_processes(parallelism or Parallelism(), paths),
            keeping_reports(kept.append),
            handing_over(checked) as token,
        ):
            state = flow_fn(
                paths=[str(p) for p in paths],
                **settings.options(),
                load=load,
                regions=regions or None,
                progress=progress,
                checked=token,
                return_state=True,
            )
            return report_of(state)
    except Exception as exc:
        lost = api_lost(exc)
        if lost is None:
            raise
    # The data steps are plain functions: what the flow run finished stands (its report was
    # written before its artifacts were sent); if it did not get that far, run them here,
    # where documents it had already loaded come back ``unchanged``.
    if kept:
        report = kept[-1]
    elif checked is not None:
        from pipelines.core.run import load_checked

        report = load_checked(paths, checked, settings)
    else:
        from pipelines.core.run import run_pipeline

        report = run_pipeline(
            paths,
            settings,
            load=load,
            parallelism=parallelism,
            regions=regions,
            progress=progress,
        )
    return replace(
        report,
        flow_run_unrecorded=_(
            "the Prefect flow run could not be recorded: the API at {api} stopped answering "
            "({problem}); the run finished in this process"
        ).format(api=used, problem=lost),
    )


def api_lost(error: BaseException) -> str | None:
    """What went wrong, in a few words, when ``error`` (or what caused it) is the Prefect API
    not answering; None for any other error, which is a real failure."""
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx.TransportError):
            return type(current).__name__
        if isinstance(current, PrefectHTTPStatusError) and current.response.status_code >= 500:
            return f"HTTP {current.response.status_code}"
        current = current.__cause__ or current.__context__
    return None


def report_of(state: Any) -> RunReport:
    """The report a finished ingest flow run returned, Failed or not.

    A run whose flow itself broke re-raises its error here.
    """
    from pipelines.flows.ingest import RunRejected

    try:
        report: RunReport = state.result()
        return report
    except RunRejected as rejected:
        return rejected.report
