"""One run of the pipeline without Prefect: discover → read and check → cross-month → load → report.

``run_pipeline`` is what ``minsheng ingest`` and ``validate`` call when no Prefect API is
configured (nor asked for); the flows in ``pipelines.flows`` run the same steps as tasks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

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
from pipelines.core.discovery import Discovery, discover
from pipelines.core.load_run import (
    DocumentOutcome,
    ReportNotWritten,
    load_results,
    unloaded_outcomes,
    validate_results,
)
from pipelines.core.settings import PeriodOptions, RunSettings
from pipelines.execution.listeners import document_parsed, page_read
from pipelines.execution.parallelism import (
    Parallelism,
    has_workers,
    map_in_order,
    map_in_workers,
    worker_processes,
)
from pipelines.render.validation import build_run_report, new_run_id, write_report
from warehouse import WarehouseError, check_warehouse_place


class RunFailed(Exception):
    """A run that could not write the warehouse: ``message`` says why in one line naming the
    path; ``report`` is the run's validation report, written when its folder allows
    (``report_files`` None otherwise, and ``report_error`` says why)."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message, report)  # both in args: the error survives pickling
        self.message = message
        self.report = report

    def __str__(self) -> str:
        return self.message


def check_documents(
    paths: Sequence[str | Path],
    settings: RunSettings,
    skipped: Sequence[tuple[Path, str]] = (),
    regions: Mapping[str, str] | None = None,
) -> list[DocumentResult]:
    """Read and check each document, in order; a period reported twice keeps the first.

    ``regions`` gives some documents (by path) their own region, as ``--region`` would: a
    folder's ``regions.toml``.

    ``skipped`` files (links out of the folder, FIFOs, …) are never opened: each becomes a
    rejected document saying why. A document still parsing after ``limits.parse_seconds`` is
    stopped (its worker process killed) and rejected. With worker processes, a scan of several
    pages is read here after the other documents, its pages spread over the workers one page
    each, each page bounded by the same time.
    """
    seconds = settings.limits.parse_seconds
    done = 0

    def parsed(index: int) -> None:
        nonlocal done
        done += 1
        document_parsed(done, len(paths), str(paths[index]))

    def period_of(path: str | Path) -> PeriodOptions:
        region = (regions or {}).get(str(path))
        return settings.period if region is None else replace(settings.period, region=region)

    ocr = OcrRunner(on_page=page_read, min_confidence=settings.ocr_min_confidence)
    scans = {
        i for i, p in enumerate(paths) if isinstance(p, Path) and has_workers() and ocr_pages(p) > 1
    }
    others = [i for i in range(len(paths)) if i not in scans]
    results: dict[int, DocumentResult] = dict(
        zip(
            others,
            map_in_order(
                check_document,
                [
                    (str(paths[i]), period_of(paths[i]), settings.fetch, settings.limits, ocr)
                    for i in others
                ],
                lambda k: parsed(others[k]),
                timeout=seconds,
                timed_out=lambda k: parse_timed_out(paths[others[k]], seconds),
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
            replace(ocr, map=partial(map_in_workers, timeout=seconds)),
        )
        parsed(i)
    return reject_repeated_periods(
        [
            *(results[i] for i in range(len(paths))),
            *(skipped_document(path, reason) for path, reason in skipped),
        ]
    )


def outcomes_of(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    load: bool,
    on_wait: Callable[[str], None] | None = None,
) -> list[DocumentOutcome]:
    """Load the checked documents (``ingest``), or say what loading would do (``validate``)."""
    if load:
        return load_results(results, settings, run_id, started_at, on_wait=on_wait)
    return validate_results(results, settings)


def run_report(
    run_id: str,
    started_at: datetime,
    outcomes: list[DocumentOutcome],
    settings: RunSettings,
    *,
    load: bool,
) -> dict[str, Any]:
    """The run's validation report (``report_files`` not yet set)."""
    report = build_run_report(
        run_id,
        started_at,
        "ingest" if load else "validate",
        outcomes,
        database=str(settings.db) if load else None,
    )
    report["committed"] = load  # a failed run says otherwise
    return report


def failed_run(
    error: WarehouseError,
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    load: bool,
) -> RunFailed:
    """The error to raise for a run whose warehouse could not be written, its validation
    report written first: every document not loaded, saying why, with what its checks found."""
    report = run_report(
        run_id, started_at, unloaded_outcomes(results, str(error)), settings, load=load
    )
    report["error"] = str(error)
    report["committed"] = False
    if isinstance(error, ReportNotWritten):  # its message says so already
        report["report_files"] = None
        return RunFailed(str(error), report)
    try:
        json_path, html_path = write_report(report, settings.reports_dir)
    except OSError as exc:
        report["report_files"] = None
        report["report_error"] = _(
            "the validation report could not be written in {folder} ({problem})"
        ).format(folder=settings.reports_dir, problem=exc.strerror or exc)
    else:
        report["report_files"] = {"json": str(json_path), "html": str(html_path)}
    return RunFailed(str(error), report)


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


def check_place_or_fail(
    found: Discovery,
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    load: bool = True,
) -> None:
    """Before any parsing: raise ``RunFailed`` if the validation report's folder cannot be
    written (nothing is done then: a run never loads without its report), or if the
    warehouse's place cannot be written (its report written); the documents are listed, none
    read. ``load`` false (``validate``) checks the reports' folder only."""
    unread = [
        *(unread_document(path) for path in found.documents),
        *(skipped_document(path, reason) for path, reason in found.skipped),
    ]
    problem = reports_dir_problem(Path(settings.reports_dir))
    if problem is not None:
        report = run_report(
            run_id, started_at, unloaded_outcomes(unread, problem), settings, load=load
        )
        report.update(error=problem, committed=False, report_files=None)
        raise RunFailed(problem, report)
    if not load:
        return
    try:
        check_warehouse_place(settings.db)
    except WarehouseError as exc:
        raise failed_run(exc, unread, settings, run_id, started_at, load=True) from None


def run_pipeline(
    paths: Sequence[str | Path],
    settings: RunSettings,
    *,
    load: bool,
    parallelism: Parallelism | None = None,
    on_wait: Callable[[str], None] | None = None,
    regions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run every step in this process and return the validation report, as written.

    ``regions`` maps documents (by path) to their region (``mapped_regions``).

    Raises ``RunFailed`` when the warehouse cannot be written (checked before parsing, or met
    while loading); its validation report is written all the same.
    """
    started_at = datetime.now()
    run_id = new_run_id(started_at)
    found = discover(list(paths))
    check_place_or_fail(found, settings, run_id, started_at, load=load)  # before the parse
    with worker_processes(parallelism or Parallelism()):
        results = check_documents(found.documents, settings, found.skipped, regions)
    try:
        outcomes = outcomes_of(results, settings, run_id, started_at, load=load, on_wait=on_wait)
    except WarehouseError as exc:
        raise failed_run(exc, results, settings, run_id, started_at, load=load) from None
    report = run_report(run_id, started_at, outcomes, settings, load=load)
    json_path, html_path = write_report(report, settings.reports_dir)
    report["report_files"] = {"json": str(json_path), "html": str(html_path)}
    return report
