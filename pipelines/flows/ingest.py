"""The Prefect ingest flow: a task per document, one loader, the report as artifacts.

The flow runs the stages of ``pipelines.core.run.Run``, as the in-process run does; its tasks
are thin wrappers around them (``check_document``, ``Run.last_stages``), which tests call
directly.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from i18n import _, ngettext, period, status_text
from parsers.formats.ocr import DEFAULT_MIN_CONFIDENCE, OcrRunner, ocr_pages
from parsers.formats.ocr.cache import PageCache
from parsers.limits import ParseLimits
from parsers.names import printable_path
from pipelines.core.checking import (
    DocumentResult,
    check_document,
    parse_timed_out,
)
from pipelines.core.fetching import FetchLimits
from pipelines.core.load_run import (
    DocumentOutcome,
)
from pipelines.core.run import Run
from pipelines.core.run_report import RunReport
from pipelines.core.settings import PeriodOptions, RunSettings
from pipelines.execution.faults import NO_FAULTS, Faults
from pipelines.execution.parallelism import (
    DEFAULT_THREADS,
    bounded_parsing,
    has_workers,
    in_worker,
    map_in_workers,
)
from pipelines.execution.progress import SILENT, Progress
from pipelines.render.markdown import markdown_text
from pipelines.render.validation import issues_markdown, summary_line
from warehouse import DatabaseBusy, WarehouseError

T = TypeVar("T")


def gather_in_order(
    futures: Sequence[PrefectFuture[T]], names: Sequence[Any], progress: Progress = SILENT
) -> list[T]:
    """Wait for every future, telling ``progress`` of each as it finishes; results in
    submission order."""
    index = {id(future): i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for done, future in enumerate(as_completed(list(futures)), start=1):
        i = index[id(future)]
        results[i] = future.result()
        progress.document_done(done, len(futures), str(names[i]))
    return results


@task(name="check-document", task_run_name="check {path}", cache_policy=NO_CACHE)
def check_document_task(
    path: str,
    period: PeriodOptions,
    fetch: FetchLimits,
    limits: ParseLimits,
    shown_path: str,
    ocr_min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    progress: Progress = SILENT,
    faults: Faults = NO_FAULTS,
    ocr_cache: PageCache | None = None,
) -> DocumentResult:
    """``shown_path`` names the task run: Prefect's events refuse a name that is not UTF-8.

    The document is parsed in a worker process, killed past ``limits.parse_seconds``;
    ``progress`` hears of the pages of a scan read here; ``faults`` are a test's.
    """
    if not isinstance(progress, Progress):
        # On a Dask cluster the task runs in another process, where the caller cannot hear
        # it anyway, and Prefect's Dask runner hands the quoted object over taken apart.
        progress = SILENT
    seconds = limits.parse_seconds
    if has_workers() and ocr_pages(path):
        # A scan (even of one page, so that its page is heard) is read here and its pages
        # spread over the workers, one page each.
        runner = OcrRunner(
            map=partial(map_in_workers, timeout=seconds),
            on_page=progress.page_done,
            min_confidence=ocr_min_confidence,
            cache=ocr_cache,
        )
        return check_document(path, period, fetch, limits, runner, faults)
    runner = OcrRunner(min_confidence=ocr_min_confidence, cache=ocr_cache)
    if not has_workers():  # read here, its pages heard; a worker's would go unheard
        runner = replace(runner, on_page=progress.page_done)
    return in_worker(
        check_document,
        path,
        period,
        fetch,
        limits,
        runner,
        faults,
        timeout=seconds,
        timed_out=lambda: parse_timed_out(path, seconds),
    )


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
def load_task(results: list[DocumentResult], run: Run) -> list[DocumentOutcome]:
    """``Run.last_stages`` of ``ingest`` (compare months, load), retried while another writer
    holds the warehouse."""
    logger = get_run_logger()

    def waiting(message: str) -> None:
        # The command line silences Prefect's logger; someone waiting must still be told why.
        print(message, file=sys.stderr, flush=True)
        logger.warning(message)

    return run.last_stages(results, on_wait=waiting)


def region_tag(region: str, short_names: Mapping[str, str] | None = None) -> str:
    """A region as artifact keys allow (a-z, 0-9, dashes): its short name in ``short_names``
    (the settings' ``region_keys``, from ``$MINSHENG_REGION_KEYS``) or its pinyin."""
    text = (short_names or {}).get(region)
    if text is None:
        from pypinyin import lazy_pinyin

        text = "".join(lazy_pinyin(region))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "region"


def artifact_key(region: str | None, short_names: Mapping[str, str] | None = None) -> str:
    """The table artifact key of a region: each run adds a version, so the UI keeps every
    month's history. Documents whose period could not be read share one key."""
    if region is None:
        return "validation-period-unknown"
    return f"validation-{region_tag(region, short_names)}"


@task(name="publish-validation-report", cache_policy=NO_CACHE)
def publish_report_task(report: RunReport, short_names: Mapping[str, str] | None = None) -> None:
    """Attach the report and a table per document to this flow run (``short_names`` as
    ``artifact_key`` takes them).

    An API that stopped answering loses the artifacts, not the run: the report's files are
    written already, and the caller says the flow run was not recorded.
    """
    import httpx

    try:
        attach_report(report.as_json(), short_names)
    except httpx.TransportError as exc:
        files = report.report_files
        get_run_logger().warning(
            _(
                "the validation report could not be attached to the flow run: the Prefect API "
                "stopped answering ({problem}); the report is {html}"
            ).format(problem=type(exc).__name__, html=files.html if files else "")
        )


def attach_report(report: dict[str, Any], short_names: Mapping[str, str] | None = None) -> None:
    """The run's validation report (its JSON form) as artifacts of the current flow run: the
    whole report in Markdown, and a table per document keyed by its region."""
    create_markdown_artifact(
        markdown=issues_markdown(report),
        description=_("Validation report of run {run_id}: {summary}").format(
            run_id=report["run_id"], summary=summary_line(report)
        ),
    )
    for document in report["documents"]:
        rows = [
            {"document": document["source_name"], "status": document["status"], **issue}
            for issue in document["issues"]
        ] or [
            {
                "document": document["source_name"],
                "status": document["status"],
                "message": _("no problems"),
            }
        ]
        create_table_artifact(
            key=artifact_key(
                document["region"] if document["year"] is not None else None, short_names
            ),
            table=rows,
            description=markdown_text(
                _("{what}: {status}, {loaded} rows loaded, {quarantined} quarantined").format(
                    what=(
                        period(document["region"], document["year"], document["month"])
                        if document["year"] is not None
                        else _("{name} (period unknown)").format(name=document["source_name"])
                    ),
                    status=status_text(document["status"]),
                    loaded=document["rows_loaded"],
                    quarantined=document["rows_quarantined"],
                )
            ),
        )


_keepers: list[Callable[[RunReport], None]] = []


@contextmanager
def keeping_reports(keep: Callable[[RunReport], None]) -> Iterator[None]:
    """Hand ``keep`` the report of each run started inside this block as soon as it is
    written, before anything is sent to Prefect: a caller whose Prefect API goes away still
    has what the run did."""
    _keepers.append(keep)
    try:
        yield
    finally:
        _keepers.remove(keep)


class ExpectedFailure(Exception):
    """A Failed run that is an outcome, not a bug: its state message says what to fix.
    Prefect's engine logs it without a traceback (see ``_ExpectedOutcomes``)."""


class RunRejected(ExpectedFailure):
    """A run rejected a row or a document; ``report`` is its validation report."""

    def __init__(self, report: RunReport) -> None:
        super().__init__(failure_message(report))
        self.report = report

    def __reduce__(self) -> tuple[Any, ...]:
        return (RunRejected, (self.report,))


#: Checked documents handed to a flow run started in this process (``handing_over``), by the
#: token its ``checked`` parameter carries: the API records the token, not the rows.
_handed: dict[str, list[DocumentResult]] = {}


@contextmanager
def handing_over(checked: list[DocumentResult] | None) -> Iterator[str | None]:
    """A token for the ``checked`` parameter of an ``ingest_flow`` called inside this block,
    which then loads these results instead of reading the documents again; None for None."""
    if checked is None:
        yield None
        return
    import secrets

    token = secrets.token_hex(8)
    _handed[token] = checked
    try:
        yield token
    finally:
        _handed.pop(token, None)


def ingest_steps(
    paths: list[str],
    settings: RunSettings,
    *,
    load: bool,
    skipped: Sequence[tuple[Path, str]] = (),
    regions: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
    checked: Sequence[DocumentResult] | None = None,
) -> RunReport:
    """The run's stages (``pipelines.core.run.Run``) in the flow run that calls this, reading
    a task per document and loading in a task: the run the operator triggered is the one that
    holds the tasks and the artifacts.

    ``skipped`` files (found unreadable by the caller's own scan) are reported with those the
    discovery of ``paths`` skips. ``regions`` gives some documents their own region (an
    inbox's mapping), as ``--region`` would. ``progress`` is told of each document and
    scanned page done. ``checked``: the documents' results, read and checked already (in
    discovery order): no document is read again.
    """
    run = Run.start(settings, "ingest" if load else "validate")
    found = run.discover(paths, skipped)
    run.check_places(found)  # now, not after the parse
    documents = [str(p) for p in found.documents]
    if checked is not None and [r.path for r in checked] == documents:
        parsed = list(checked)
    else:
        parsed = read_in_tasks(documents, settings, regions, progress)
    results = run.checked(parsed, found.skipped)
    if run.loads:
        try:
            # quote(): Prefect would otherwise walk every row of every document for futures.
            outcomes = load_task(cast(Any, quote(results)), run)
        except WarehouseError as exc:
            raise run.failed(exc, results) from None
    else:
        outcomes = run.finish(results)
    report = run.report(outcomes)
    for keep in list(_keepers):
        keep(report)
    publish_report_task(cast(Any, quote(report)), dict(settings.region_keys))
    return report


def read_in_tasks(
    documents: list[str],
    settings: RunSettings,
    regions: Mapping[str, str] | None,
    progress: Progress,
) -> list[DocumentResult]:
    """Stage 2's reading and checking, a task per document, in order."""
    with bounded_parsing(documents):
        futures = [
            check_document_task.submit(
                path,
                replace(settings.period, region=regions[path])
                if regions and path in regions
                else settings.period,
                settings.fetch,
                settings.limits,
                printable_path(path),
                settings.ocr_min_confidence,
                cast(Any, quote(progress)),
                settings.faults,
                settings.page_cache(),
            )
            for path in documents
        ]
        return gather_in_order(futures, documents, progress)


#: How many reasons a Failed state's message gives; the artifacts hold all of them.
REASONS_IN_MESSAGE = 2


def without_advice(message: str) -> str:
    """A problem without what to do about it (``…: pass --region NAME``): the state message
    says what went wrong; the report, read by whoever fixes it, says what to do."""
    for colon in ("：", ": "):
        head, found, _tail = message.rpartition(colon)
        if found and head:
            return head
    return message


def _listed(reasons: list[str]) -> str:
    """The first reasons, distinct, and how many more there are."""
    distinct = list(dict.fromkeys(reasons))
    shown = "; ".join(distinct[:REASONS_IN_MESSAGE])
    more = len(distinct) - REASONS_IN_MESSAGE
    return shown if more <= 0 else _("{shown}; … and {n} more").format(shown=shown, n=more)


def failure_message(report: RunReport) -> str:
    """A Failed run's state message: what was rejected and why (the first reasons), then the
    counts, e.g. ``1 document rejected (no region found in the title or the file name), 0 rows
    loaded, 0 quarantined, 0 warnings``."""
    from parsers import Location

    documents = report.documents
    totals = report.totals
    several = len(documents) > 1
    rejected = [d for d in documents if d.status == "rejected"]
    why_rejected = [
        without_advice(str(issue["message"]))
        for d in rejected
        for issue in d.issues
        if issue["action"] == "document rejected"
    ]
    if not rejected:
        head = ngettext("{n} document", "{n} documents", len(documents)).format(n=len(documents))
    elif len(rejected) == len(documents):
        head = ngettext(
            "{n} document rejected ({reasons})", "{n} documents rejected ({reasons})", len(rejected)
        ).format(n=len(rejected), reasons=_listed(why_rejected))
    else:
        head = _("{n} of {total} documents rejected ({reasons})").format(
            n=len(rejected), total=len(documents), reasons=_listed(why_rejected)
        )
    why_quarantined = []
    for d in documents:
        if d.status == "rejected":
            continue
        for issue in d.issues:
            if issue["severity"] != "error" or issue["action"] == "document rejected":
                continue
            place = Location.of_row(issue).describe()
            if several:
                place = f"{d.source_name} {place}".strip()
            why_quarantined.append(
                _("{place}: {problem}").format(place=place, problem=issue["message"])
                if place
                else str(issue["message"])
            )
    quarantined = (
        _("{n} quarantined ({reasons})").format(
            n=totals.rows_quarantined, reasons=_listed(why_quarantined)
        )
        if totals.rows_quarantined and why_quarantined
        else _("{n} quarantined").format(n=totals.rows_quarantined)
    )
    return _("{head}, {rows} rows loaded, {quarantined}, {warnings} warnings").format(
        head=head, rows=totals.rows_loaded, quarantined=quarantined, warnings=totals.warnings
    )


def final_state(report: RunReport) -> Any:
    """The report when nothing was rejected; else a Failed state whose message says what was
    rejected and why, so that Prefect notifications and automations on failed runs fire."""
    from prefect.states import Failed

    if not report.totals.rejected_anything:
        return report
    return Failed(message=failure_message(report), data=RunRejected(report))


class _ExpectedOutcomes(logging.Filter):
    """Drops Prefect's engine error for a run that ended Failed as an expected outcome.

    A deployment's run (``minsheng serve``, a worker) returns its result to Prefect's engine,
    which raises a Failed run's exception and logs it as an unexpected one with its traceback.
    A rejected row is an expected outcome: the state message, the flow run's log and the
    artifacts say what it was. Any other exception still gets its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ExpectedFailure)


def quiet_expected_outcomes() -> None:
    """Install the filter on the loggers the engine reports a run's end with (once)."""
    for name in ("prefect.flow_runs", "prefect.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ExpectedOutcomes) for f in logger.filters):
            logger.addFilter(_ExpectedOutcomes())


quiet_expected_outcomes()


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
    fetch_timeout: float | None = None,
    fetch_networks: list[str] | None = None,
    max_pages: int | None = None,
    parse_timeout: float | None = None,
    regions: dict[str, str] | None = None,
    ocr_min_confidence: float | None = None,
    replace_periods: bool = False,
    ocr_cache: bool = True,
    progress: Progress | None = None,
    checked: str | None = None,
) -> Any:
    """Parse, check and (unless ``load`` is false) load the given reports; write the report.

    ``regions`` gives some documents (by path) their own region, as ``region`` does for all.
    ``progress`` (the caller's, when the flow is called in its process; a deployment's run
    has none) is told of each document and scanned page done. ``checked`` is the token of
    documents read and checked already (``handing_over``): they are loaded as they are.

    Ends Failed, with the run's summary as the message, when a row or document was rejected.
    """
    settings = RunSettings.from_options(locals())  # the parameters, before anything else
    return final_state(
        ingest_steps(
            paths,
            settings,
            load=load,
            regions=regions,
            progress=progress or SILENT,
            checked=_handed.get(checked) if checked else None,
        )
    )
