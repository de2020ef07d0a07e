"""The Prefect ingest flow: a task per document, one loader, the report as an artifact.

Tasks are thin wrappers around the plain functions of ``pipelines.core.checking``,
``pipelines.core.load_run`` and ``pipelines.reports.validation``, which tests call directly.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from pipelines.core.checking import DocumentResult, check_document, reject_repeated_periods
from pipelines.core.discovery import discover_documents
from pipelines.core.listeners import document_parsed
from pipelines.core.load_run import (
    DocumentOutcome,
    load_results,
    validate_results,
)
from pipelines.core.parallelism import DEFAULT_THREADS, in_worker
from pipelines.core.settings import PeriodOptions, RunSettings
from pipelines.reports.validation import build_run_report, issues_markdown, new_run_id, write_report
from warehouse import DatabaseBusy

T = TypeVar("T")


def gather_in_order(futures: Sequence[PrefectFuture[T]], names: Sequence[Any]) -> list[T]:
    """Wait for every future, reporting each as it finishes; results in submission order."""
    index = {id(future): i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for done, future in enumerate(as_completed(list(futures)), start=1):
        i = index[id(future)]
        results[i] = future.result()
        document_parsed(done, len(futures), str(names[i]))
    return results


@task(name="check-document", task_run_name="check {path}", cache_policy=NO_CACHE)
def check_document_task(path: str, period: PeriodOptions) -> DocumentResult:
    return in_worker(check_document, path, period)


def _retry_when_busy(task: Any, task_run: Any, state: Any) -> bool:
    """Retry the loader only when another writer kept the database: that wait is transient."""
    return isinstance(state.result(raise_on_failure=False), DatabaseBusy)


# Retrying is safe: a failed load rolls back whole, and a document already written comes back
# ``unchanged``.
@task(
    name="load-warehouse",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=60,
    retry_condition_fn=_retry_when_busy,
)
def load_task(
    results: list[DocumentResult], settings: RunSettings, run_id: str, started_at: datetime
) -> list[DocumentOutcome]:
    logger = get_run_logger()

    def waiting(message: str) -> None:
        # The command line silences Prefect's logger; someone waiting must still be told why.
        print(message, file=sys.stderr, flush=True)
        logger.warning(message)

    return load_results(results, settings, run_id, started_at, on_wait=waiting)


def artifact_key(region: str | None, year: int | None, month: int | None) -> str:
    """A Prefect artifact key per region and month (keys allow only a-z, 0-9 and dashes).

    Documents whose period could not be read share one key, so the UI keeps their history too.
    """
    if region is None or year is None or month is None:
        return "validation-period-unknown"
    region_tag = hashlib.sha1((region or "unknown").encode("utf-8")).hexdigest()[:8]
    return f"validation-{year or 0}-{month or 0:02d}-{region_tag}"


@task(name="publish-validation-report", cache_policy=NO_CACHE)
def publish_report_task(report: dict[str, Any], settings: RunSettings) -> dict[str, str]:
    json_path, html_path = write_report(report, settings.reports_dir)
    create_markdown_artifact(
        key="validation-report",
        markdown=issues_markdown(report),
        description=f"Validation report of run {report['run_id']}",
    )
    for document in report["documents"]:
        rows = [
            {"document": document["source_name"], "status": document["status"], **issue}
            for issue in document["issues"]
        ] or [
            {
                "document": document["source_name"],
                "status": document["status"],
                "message": "no problems",
            }
        ]
        create_table_artifact(
            key=artifact_key(document["region"], document["year"], document["month"]),
            table=rows,
            description=(
                f"{document['region']} {document['year']}年{document['month']}月"
                if document["year"] is not None
                else f"{document['source_name']} (period unknown)"
            )
            + f": {document['status']}, {document['rows_loaded']} rows loaded, "
            f"{document['rows_quarantined']} quarantined",
        )
    return {"json": str(json_path), "html": str(html_path)}


@flow(
    name="minsheng-ingest",
    validate_parameters=False,
    task_runner=cast(Any, ThreadPoolTaskRunner(max_workers=DEFAULT_THREADS)),
)
def ingest_flow(
    paths: list[str],
    db: str | None = None,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    reports_dir: str | None = None,
    raw_dir: str | None = None,
    load: bool = True,
    layouts: str | None = None,
) -> dict[str, Any]:
    """Parse, check and (unless ``load`` is false) load the given reports; write the report."""
    settings = RunSettings.build(
        db=db,
        reports_dir=reports_dir,
        raw_dir=raw_dir,
        region=region,
        year=year,
        month=month,
        layouts=layouts,
    )
    started_at = datetime.now()
    run_id = new_run_id(started_at)
    documents = [str(p) for p in discover_documents(list(paths))]
    futures = [check_document_task.submit(path, settings.period) for path in documents]
    results = reject_repeated_periods(gather_in_order(futures, documents))
    if load:
        # quote(): Prefect would otherwise walk every row of every document looking for futures.
        outcomes = load_task(cast(Any, quote(results)), settings, run_id, started_at)
    else:
        outcomes = validate_results(results, settings)
    report = build_run_report(
        run_id,
        started_at,
        "ingest" if load else "validate",
        outcomes,
        database=str(settings.db) if load else None,
    )
    report["report_files"] = publish_report_task(cast(Any, quote(report)), settings)
    return report
