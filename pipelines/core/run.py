"""One run of the pipeline: discover → read and check → compare months → load (or dry run)
→ report, as the stages of ``Run``.

``run_pipeline`` runs them in this process: what ``minsheng ingest`` and ``validate`` call
when no Prefect API is configured (nor asked for); the flows in ``pipelines.flows`` call the
same stages, the reading as a task per document and the load as a task.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from i18n import _
from parsers.formats.ocr import OcrRunner, ocr_pages
from pipelines.core.checking import (
    DocumentResult,
    check_document,
    parse_timed_out,
    reject_repeated_periods,
    skipped_document,
    unread_document,
)
from pipelines.core.cross_month import with_cross_month_issues
from pipelines.core.discovery import Discovery, discover
from pipelines.core.dry_run import dry_run_compared, reading
from pipelines.core.load_run import (
    DocumentOutcome,
    ReportNotWritten,
    load_compared,
    unloaded_outcomes,
    writing,
)
from pipelines.core.run_report import ReportFiles, RunReport, new_run_id
from pipelines.core.settings import PeriodOptions, RunSettings
from pipelines.execution.parallelism import (
    Parallelism,
    has_workers,
    map_in_order,
    map_in_workers,
    parse_weight,
    worker_processes,
)
from pipelines.execution.preload import import_meanwhile
from pipelines.execution.progress import SILENT, Progress
from pipelines.render.validation import write_report
from warehouse import WarehouseError, check_warehouse_place

if TYPE_CHECKING:
    from warehouse import Connection

#: What an ``ingest`` imports once its documents are read: DuckDB and the warehouse's writer.
_LOAD_MODULES = ("duckdb", "warehouse.db", "warehouse.load")


class RunFailed(Exception):
    """A run that could not write the warehouse: ``message`` says why in one line naming the
    path; ``report`` is the run's validation report, written when its folder allows
    (``report_files`` None otherwise, and ``report_error`` says why)."""

    def __init__(self, message: str, report: RunReport) -> None:
        super().__init__(message, report)  # both in args: the error survives pickling
        self.message = message
        self.report = report

    def __str__(self) -> str:
        return self.message


def check_documents(
    paths: Sequence[str | Path],
    settings: RunSettings,
    regions: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
) -> list[DocumentResult]:
    """Stage 2 in this process: read and check each document, in order (``Run.checked``
    then applies the run-wide rules); ``progress`` is told of each document and page done.

    ``regions`` gives some documents (by path) their own region, as ``--region`` would: a
    folder's ``regions.toml``.

    A document still parsing after ``limits.parse_seconds`` is
    stopped (its worker process killed) and rejected. With worker processes, a scan of several
    pages is read here after the other documents, its pages spread over the workers one page
    each, each page bounded by the same time.
    """
    seconds = settings.limits.parse_seconds
    done = 0

    def parsed(index: int) -> None:
        nonlocal done
        done += 1
        progress.document_done(done, len(paths), str(paths[index]))

    def period_of(path: str | Path) -> PeriodOptions:
        region = (regions or {}).get(str(path))
        return settings.period if region is None else replace(settings.period, region=region)

    ocr = OcrRunner(min_confidence=settings.ocr_min_confidence, cache=settings.page_cache())
    # A page is heard where it is read: here, not in a worker process (nor pickled to one).
    # So a scan, even of one page, is read here with its pages spread over the workers.
    heard = replace(ocr, on_page=progress.page_done)
    scans = {
        i for i, p in enumerate(paths) if isinstance(p, Path) and has_workers() and ocr_pages(p)
    }
    others = [i for i in range(len(paths)) if i not in scans]
    results: dict[int, DocumentResult] = dict(
        zip(
            others,
            map_in_order(
                check_document,
                [
                    (
                        str(paths[i]),
                        period_of(paths[i]),
                        settings.fetch,
                        settings.limits,
                        ocr if has_workers() else heard,
                        settings.faults,
                    )
                    for i in others
                ],
                lambda k: parsed(others[k]),
                timeout=seconds,
                timed_out=lambda k: parse_timed_out(paths[others[k]], seconds),
                weight=lambda k: parse_weight(paths[others[k]]),
            ),
            strict=True,
        )
    )
    for i in sorted(scans):
        results[i] = check_document(
            paths[i],
            period_of(paths[i]),
            settings.fetch,
            settings.limits,
            replace(heard, map=partial(map_in_workers, timeout=seconds)),
            settings.faults,
        )
        parsed(i)
    return [results[i] for i in range(len(paths))]


def reports_dir_problem(folder: Path) -> str | None:
    """Why validation reports cannot be written in ``folder`` (tried with a file), or None."""
    if folder.exists() and not folder.is_dir():
        problem = _("it is a file, not a folder")
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".minsheng-write-test-"):
                pass
            return None
        except OSError as exc:
            problem = exc.strerror or str(exc)
    return _(
        "cannot write validation reports in {folder} ({problem}): nothing was read or loaded; "
        "pass --reports-dir with a folder you can write"
    ).format(folder=folder, problem=problem)


Command = Literal["ingest", "validate"]


@dataclass(frozen=True)
class Run:
    """One ``ingest`` or ``validate`` run, and its stages in the order they run:

    1. ``discover`` the documents, then ``check_places``: the places the run writes (before
       any parsing);
    2. read and check each document (``check_documents`` here, one task per document in the
       flow), then ``checked``: the run-wide rule of one report per period;
    3. ``compare_months``: each document against its region's previous month;
    4. the load (``ingest``) or the dry run (``validate``) that says what loading would do
       and writes nothing; 3 and 4 run on one ``warehouse`` (``last_stages``, or ``finish``,
       which turns a warehouse failure into ``RunFailed``);
    5. ``report``: the validation report, written.

    The in-process run (``run_pipeline``) and the Prefect flow (``pipelines.flows.ingest``,
    whose tasks wrap these same stages) both go through them; what differs between ingest and
    validate is decided once, here: the warehouse they open, the last stage and the
    warehouse's place check.
    """

    settings: RunSettings
    command: Command
    run_id: str
    started_at: datetime

    @classmethod
    def start(cls, settings: RunSettings, command: Command) -> Run:
        started_at = datetime.now()
        return cls(settings, command, new_run_id(started_at), started_at)

    @property
    def loads(self) -> bool:
        """Whether the run writes the warehouse (``ingest``)."""
        return self.command == "ingest"

    def discover(
        self, paths: Sequence[str | Path], skipped: Sequence[tuple[Path, str]] = ()
    ) -> Discovery:
        """Stage 1: the documents ``paths`` name (files, folders, addresses) and the files
        skipped with why (``skipped`` adds those a caller's own scan found). Nothing is read;
        ``check_places`` comes next, before any parsing."""
        found = discover(list(paths))
        found.skipped.extend(skipped)
        return found

    def check_places(self, found: Discovery) -> None:
        """Raise ``RunFailed`` if the validation report's folder cannot be written (nothing is
        done then: a run never loads without its report), or, for ``ingest``, if the
        warehouse's place cannot be written (its report written); the documents are listed,
        none read."""
        unread = [
            *(unread_document(path) for path in found.documents),
            *(skipped_document(path, reason) for path, reason in found.skipped),
        ]
        problem = reports_dir_problem(Path(self.settings.reports_dir))
        if problem is not None:
            report = self.report_of(unloaded_outcomes(unread, problem), error=problem)
            raise RunFailed(problem, report)
        if not self.loads:
            return
        try:
            check_warehouse_place(self.settings.db)
        except WarehouseError as exc:
            raise self.failed(exc, unread) from None

    def checked(
        self, parsed: Sequence[DocumentResult], skipped: Sequence[tuple[Path, str]]
    ) -> list[DocumentResult]:
        """The end of stage 2: the documents read, then those skipped (each rejected saying
        why), with a period reported twice kept for the first document only."""
        unread = [skipped_document(path, reason) for path, reason in skipped]
        return reject_repeated_periods([*parsed, *unread])

    def warehouse(
        self, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[Connection | None]:
        """The warehouse stages 3 and 4 share: for ``ingest`` opened to write, under its
        writer lock, so that months are compared on the state the load writes to; for
        ``validate`` read-only, or None when there is none (or it is busy)."""
        if self.loads:
            return writing(self.settings, on_wait)
        return reading(self.settings)

    def compare_months(
        self, conn: Connection | None, results: list[DocumentResult]
    ) -> list[DocumentResult]:
        """Stage 3: each document compared with its region's previous reported month, in the
        warehouse (``conn``) or in this run; what differs is a warning on the document."""
        return with_cross_month_issues(conn, results)

    def last_stages(
        self, results: list[DocumentResult], *, on_wait: Callable[[str], None] | None = None
    ) -> list[DocumentOutcome]:
        """Stages 3 and 4 on one ``warehouse``: compare months, then load (``ingest``, in one
        transaction) or the dry run (``validate``). Raises ``WarehouseError`` when the
        warehouse cannot be written."""
        with self.warehouse(on_wait) as conn:
            compared = self.compare_months(conn, results)
            if conn is not None and self.loads:
                return load_compared(conn, compared, self.settings, self.run_id, self.started_at)
            return dry_run_compared(conn, compared, self.settings)

    def finish(
        self, results: list[DocumentResult], *, on_wait: Callable[[str], None] | None = None
    ) -> list[DocumentOutcome]:
        """``last_stages``, raising ``RunFailed`` (its report written) when the warehouse
        cannot be written."""
        try:
            return self.last_stages(results, on_wait=on_wait)
        except WarehouseError as exc:
            raise self.failed(exc, results) from None

    def report_of(self, outcomes: list[DocumentOutcome], *, error: str | None = None) -> RunReport:
        """The run's validation report, not yet written; ``error``: the run could not write
        the warehouse, and why (nothing committed)."""
        report = RunReport.of(
            self.run_id,
            self.started_at,
            self.command,
            outcomes,
            database=str(self.settings.db) if self.loads else None,
            committed=self.loads and error is None,
        )
        return report if error is None else replace(report, error=error)

    def written(self, report: RunReport) -> RunReport:
        """``report`` written as JSON and HTML; ``report_files`` says where."""
        json_path, html_path = write_report(
            report.as_json(as_written=True), self.settings.reports_dir
        )
        return replace(report, report_files=ReportFiles(str(json_path), str(html_path)))

    def report(self, outcomes: list[DocumentOutcome]) -> RunReport:
        """Stage 5: the validation report, written as JSON and HTML; ``report_files`` says
        where."""
        return self.written(self.report_of(outcomes))

    def after_reading(
        self,
        parsed: Sequence[DocumentResult],
        skipped: Sequence[tuple[Path, str]],
        *,
        on_wait: Callable[[str], None] | None = None,
    ) -> RunReport:
        """The stages after the documents were read and checked (``parsed``, in discovery
        order): the run-wide rule (``checked``), months compared and the load or dry run
        (``finish``), the report written."""
        return self.report(self.finish(self.checked(parsed, skipped), on_wait=on_wait))

    def failed(self, error: WarehouseError, results: list[DocumentResult]) -> RunFailed:
        """The error to raise for a run whose warehouse could not be written, its validation
        report written first: every document not loaded, saying why, with what its checks
        found."""
        report = self.report_of(unloaded_outcomes(results, str(error)), error=str(error))
        if isinstance(error, ReportNotWritten):  # its message says so already
            return RunFailed(str(error), report)
        try:
            report = self.written(report)
        except OSError as exc:
            report = replace(
                report,
                report_error=_(
                    "the validation report could not be written in {folder} ({problem})"
                ).format(folder=self.settings.reports_dir, problem=exc.strerror or exc),
            )
        return RunFailed(str(error), report)


def run_discovered(
    run: Run,
    found: Discovery,
    *,
    parallelism: Parallelism | None = None,
    on_wait: Callable[[str], None] | None = None,
    regions: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
) -> RunReport:
    """The stages after discovery, in this process; the validation report, as written."""
    parsed = read_documents(run, found, parallelism=parallelism, regions=regions, progress=progress)
    return run.after_reading(parsed, found.skipped, on_wait=on_wait)


def read_documents(
    run: Run,
    found: Discovery,
    *,
    parallelism: Parallelism | None = None,
    regions: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
) -> list[DocumentResult]:
    """Stage 2's reading and checking of each document ``found``, in this process, parsing
    in worker processes (``parallelism``)."""
    parallelism = parallelism or Parallelism()
    with worker_processes(parallelism, found.documents):
        if parallelism.mode == "processes" and run.loads:
            import_meanwhile(_LOAD_MODULES)
        return check_documents(found.documents, run.settings, regions, progress)


def load_checked(
    paths: Sequence[str | Path],
    checked: Sequence[DocumentResult],
    settings: RunSettings,
    *,
    on_wait: Callable[[str], None] | None = None,
) -> RunReport:
    """``ingest`` of ``paths`` whose documents were read and checked already, in this
    process: ``checked`` are their results in discovery order, of the bytes they hold now
    (``checked_from_same_bytes``). Stage 1 runs (the places checked), stage 2's reading does
    not: a scan is not OCR'd again."""
    run = Run.start(settings, "ingest")
    found = run.discover(paths)
    run.check_places(found)
    if [r.path for r in checked] != [str(p) for p in found.documents]:
        raise ValueError("the checked documents are not the ones these paths name")
    return run.after_reading(checked, found.skipped, on_wait=on_wait)


def run_pipeline(
    paths: Sequence[str | Path],
    settings: RunSettings,
    *,
    load: bool,
    parallelism: Parallelism | None = None,
    on_wait: Callable[[str], None] | None = None,
    regions: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
) -> RunReport:
    """Run every stage in this process and return the validation report, as written:
    ``ingest`` (``load``) or ``validate``.

    ``regions`` maps documents (by path) to their region (``mapped_regions``); ``progress``
    is told of each document and scanned page done.

    Raises ``RunFailed`` when the warehouse cannot be written (checked before parsing, or met
    while loading); its validation report is written all the same.
    """
    run = Run.start(settings, "ingest" if load else "validate")
    found = run.discover(paths)
    run.check_places(found)  # before the parse
    return run_discovered(
        run, found, parallelism=parallelism, on_wait=on_wait, regions=regions, progress=progress
    )
