"""The load stage: a run's checked and compared documents into the warehouse in one
transaction, on the connection the months were compared on (``writing`` opens it).

``validate`` ends with the dry run instead (``pipelines.core.dry_run``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from i18n import _, period
from parsers import Issue
from parsers.model import FromSource, Source
from parsers.names import printable_path
from pipelines.core.checking import (
    DocumentResult,
    issue_record,
    quarantine_frame,
    rows_as_rejected,
)
from pipelines.core.cross_month import CROSS_MONTH_CHECKS, following_month_issues
from pipelines.core.issue_rows import issue_records
from pipelines.core.settings import RunSettings
from pipelines.execution.interrupts import expect_commit
from schemas.identity import assign_item_keys
from warehouse import (
    DocumentLoad,
    LoadOutcome,
    WarehouseError,
    archive_bytes,
    archive_original,
    connect,
    load_documents,
    record_run,
)
from warehouse.history import replace_item_keys, replace_report_issues, year_item_rows
from warehouse.load import ISSUE_COLUMNS, PROGRESS_COLUMNS, make_report_id
from warehouse.replacement import PeriodChange, plan_changes

if TYPE_CHECKING:
    from warehouse import Connection

#: What a load writes no rows for.
UNWRITTEN = frozenset({"unchanged", "refused"})


@dataclass
class DocumentOutcome(FromSource):
    """What a run did with one document; ``status`` adds ``unchanged`` to the report statuses.

    ``source_name``, ``region``, ``year``, ``month`` … are its ``source``'s."""

    source: Source
    path: str
    status: str
    rows_loaded: int
    rows_quarantined: int
    report_id: str
    issues: list[dict[str, object]] = field(default_factory=list)
    replaced_report: str | None = None
    archived: str | None = None
    #: what the document did to its period: new, replace, correction (None: nothing loaded)
    load_kind: str | None = None
    #: rows of the period it took out of ``progress`` (kept in ``replaced_rows``)
    rows_replaced: int = 0


def result_report_id(result: DocumentResult) -> str:
    sha = result.source_sha256 or f"unreadable:{printable_path(result.path)}"
    return make_report_id(sha, result.region, result.year, result.month)


def _issues_frame(
    run_id: str, documents: list[tuple[str, str, list[dict[str, object]]]]
) -> pd.DataFrame:
    """One frame of every document's issues (``(report_id, source_name, records)`` each)."""
    frame = pd.DataFrame.from_records(
        [
            {**record, "report_id": report_id, "source_name": source_name}
            for report_id, source_name, records in documents
            for record in records
        ]
    )
    if frame.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS))
    frame = frame.rename(
        columns={"column": "column_name", "check": "check_name", "value": "failure_value"}
    )
    frame["run_id"] = run_id
    for column in ("source_page", "source_row", "source_line"):
        frame[column] = frame[column].astype("Int64")
    return frame.loc[:, list(ISSUE_COLUMNS)]


def outcome_of(result: DocumentResult, **done: Any) -> DocumentOutcome:
    """A checked document's outcome: what names it from ``result``, what happened ``done``
    (``status``, ``rows_loaded``, ``rows_quarantined``, ``report_id``, ``issues``, …)."""
    return DocumentOutcome(source=result.source, path=result.path, **done)


def outcome_without_loading(result: DocumentResult) -> DocumentOutcome:
    """What ingest would do with a document, for ``validate``: nothing is written."""
    return outcome_of(
        result,
        status=result.status,
        rows_loaded=len(result.rows) if result.status != "rejected" else 0,
        rows_quarantined=len(result.quarantined),
        report_id=result_report_id(result),
        issues=issue_records(result),
    )


def unloaded_outcomes(results: list[DocumentResult], problem: str) -> list[DocumentOutcome]:
    """What a run that could not write the warehouse did with each document: nothing.

    Each is rejected with ``problem`` first, then what its checks found, so the validation
    report still shows the checks' work.
    """
    outcomes = []
    for result in results:
        issue = Issue(result.source_name, "warehouse_writable", problem, action="not loaded")
        checked = outcome_without_loading(result)
        outcomes.append(
            replace(
                checked,
                status="rejected",
                rows_loaded=0,
                rows_quarantined=0,
                issues=[issue_record(issue), *checked.issues],
            )
        )
    return outcomes


def _archive(result: DocumentResult, raw_dir: Path) -> str | None:
    if not result.source_sha256:
        return None
    try:
        if result.source_bytes is not None:  # a fetched page: its bytes as they came
            suffix = Path(result.source_name).suffix
            archived = archive_bytes(result.source_bytes, result.source_sha256, suffix, raw_dir)
        else:
            archived = archive_original(result.path, result.source_sha256, raw_dir)
        return str(archived.relative_to(raw_dir))
    except OSError:
        return None  # the file vanished or cannot be read again since it was parsed


def result_to_load(result: DocumentResult, archived: str | None) -> DocumentLoad:
    """A checked document as the frames the warehouse writes."""
    rows = result.rows if result.status != "rejected" else result.rows.iloc[0:0]
    progress = (
        rows.assign(region=result.region, year=result.year, month=result.month)
        if len(rows)
        else _empty_progress()
    )
    return DocumentLoad(
        report_id=result_report_id(result),
        source=result.source,
        status=result.status,
        progress=progress,
        quarantine=quarantine_frame(result),
        archived_as=archived,
    )


def _same_rows(before: DocumentResult, after: DocumentResult) -> bool:
    """Whether ``after`` (``before`` with a period change's issue) loads the same rows."""
    return (
        before.status == after.status
        and before.rows is after.rows
        and before.quarantined is after.quarantined
    )


def _item_list(items: tuple[int, ...], most: int = 12) -> str:
    """``(3), (5), (12)``, the first ``most`` of them and how many more."""
    shown = ", ".join(f"({n})" for n in items[:most])
    if len(items) > most:
        shown += " " + _("and {n} more").format(n=len(items) - most)
    return shown


def change_issue(result: DocumentResult, change: PeriodChange) -> Issue | None:
    """The line a report's effect on a loaded period gets in the CLI, the validation report and
    ``validation_issues``: which rows leave ``progress``, why, and where they are kept."""
    if change.kind not in ("replace", "correction", "refused"):
        return None
    assert result.year is not None and result.month is not None
    where = period(result.region, result.year, result.month)
    names = ", ".join(change.loaded_from)
    if change.kind == "refused":
        held = len(set(change.items) & set(change.loaded_items))
        return Issue(
            result.source_name,
            "period_coverage",
            _(
                "{period} is loaded from {names} with {loaded} items; this report holds {held} "
                "of them and would wipe the others: nothing loaded. Name the file as a correction "
                "(…-更正.txt) to update just its items, or pass --replace to replace the month "
                "with it"
            ).format(period=where, names=names, loaded=len(change.loaded_items), held=held),
            action="document rejected",
        )
    if change.kind == "correction":
        return Issue(
            result.source_name,
            "period_corrected",
            _(
                "a correction of {period}: items {items} updated ({rows} rows before, kept in "
                "replaced_rows); the other items stay as loaded from {names}"
            ).format(
                period=where, items=_item_list(change.items), rows=change.rows_out, names=names
            ),
            severity="info",
            action="rows replaced",
        )
    dropped = change.dropped_items
    if dropped:
        return Issue(
            result.source_name,
            "period_replaced",
            _(
                "replaces {period} as loaded from {names} ({rows} rows, kept in replaced_rows); "
                "items {items} are not in this report and leave the month"
            ).format(period=where, names=names, rows=change.rows_out, items=_item_list(dropped)),
            severity="warning",
            action="rows replaced",
        )
    return Issue(
        result.source_name,
        "period_replaced",
        _("replaces {period} as loaded from {names} ({rows} rows, kept in replaced_rows)").format(
            period=where, names=names, rows=change.rows_out
        ),
        severity="info",
        action="rows replaced",
    )


def with_period_changes(
    results: list[DocumentResult], loads: list[DocumentLoad], changes: dict[str, PeriodChange]
) -> list[DocumentResult]:
    """Each result with the issue its effect on a loaded period gets; a refused one rejected,
    its rows kept in quarantine (nothing read is dropped)."""
    out = []
    for result, load in zip(results, loads, strict=True):
        change = changes[load.report_id]
        issue = change_issue(result, change)
        if issue is None:
            out.append(result)
        elif change.kind == "refused":
            out.append(
                replace(
                    result,
                    status="rejected",
                    rows=result.rows.iloc[0:0],
                    quarantined=[*rows_as_rejected(result.rows, issue), *result.quarantined],
                    issues=[issue, *result.issues],
                    problem=issue.message,
                )
            )
        else:
            out.append(replace(result, issues=[*result.issues, issue]))
    return out


def load_results(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    on_wait: Callable[[str], None] | None = None,
) -> list[DocumentOutcome]:
    """Stages 3 and 4 of an ``ingest`` run named ``run_id``: compare months and load, as
    ``Run.last_stages`` does them."""
    from pipelines.core.run import Run  # the run's module imports this one

    return Run(settings, "ingest", run_id, started_at).last_stages(results, on_wait=on_wait)


@contextmanager
def writing(
    settings: RunSettings, on_wait: Callable[[str], None] | None = None
) -> Iterator[Connection]:
    """The warehouse opened to load, for the months to be compared on the state the load
    writes to: its writer lock held (one loader at a time), DuckDB's write failures raised as
    ``WarehouseError``; one connection (DuckDB lets one process hold the file)."""
    from warehouse import write_failures_as_warehouse_errors  # imports DuckDB: only a load does
    from warehouse.locking import writer_lock  # filelock: only a load takes the lock

    with (
        writer_lock(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait),
        write_failures_as_warehouse_errors(settings.db),
    ):
        conn = connect(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait)
        try:
            yield conn
        finally:
            conn.close()


def load_compared(
    conn: Connection,
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    report_path: str | None = None,
) -> list[DocumentOutcome]:
    """Stage 4 of ``ingest``, on ``writing``'s connection: archive every original, then write
    the documents, their months compared already, in one transaction."""
    archived = [_archive(result, Path(settings.raw_dir)) for result in results]
    loads = [result_to_load(result, kept) for result, kept in zip(results, archived, strict=True)]
    changes = plan_changes(conn, loads, replace=settings.replace_periods)
    planned = results
    results = with_period_changes(results, loads, changes)
    # Only a refused document's load changes (its rows go to quarantine); an issue added
    # to the others leaves their frames as they are.
    loads = [
        load if _same_rows(before, after) else result_to_load(after, kept)
        for before, after, load, kept in zip(planned, results, loads, archived, strict=True)
    ]
    records = [issue_records(result) for result in results]
    issues = _issues_frame(
        run_id,
        [
            (load.report_id, result.source_name, found)
            for load, result, found in zip(loads, results, records, strict=True)
        ],
    )

    def outcomes(loaded: list[LoadOutcome]) -> list[DocumentOutcome]:
        # An identical copy in the run shares its original's report_id, so the warehouse
        # writes it once and calls the copy unchanged; it was rejected here, and says why.
        loaded = [
            LoadOutcome(done.report_id, "rejected", 0, 0)
            if result.status == "rejected" and done.status == "unchanged"
            else done
            for result, done in zip(results, loaded, strict=True)
        ]
        return [
            outcome_of(
                result,
                status=done.status,
                rows_loaded=done.rows_loaded,
                rows_quarantined=done.rows_quarantined,
                report_id=done.report_id,
                issues=[] if done.status == "unchanged" else found,
                replaced_report=done.replaced_report,
                archived=kept,
                load_kind=done.kind,
                rows_replaced=done.rows_replaced,
            )
            for result, done, found, kept in zip(results, loaded, records, archived, strict=True)
        ]

    def report_before_commit(loaded: list[LoadOutcome]) -> None:
        write_uncommitted_report(outcomes(loaded), settings, run_id, started_at)

    to_write = [
        load
        for load in loads
        if load.status != "rejected" and changes[load.report_id].kind not in UNWRITTEN
    ]
    committed = threading.Event()
    expect_commit(
        committed,
        sum(len(load.progress) for load in {w.report_id: w for w in to_write}.values()),
        rejected_any=any(r.status != "loaded" or len(r.quarantined) for r in results),
        reports_dir=str(settings.reports_dir),
    )
    loaded = load_documents(
        conn,
        loads,
        run_id,
        issues=issues,
        changes=changes,
        on_written=report_before_commit,
        before_commit=settings.faults.pause("before"),
        committed=committed,
    )
    after_commit = settings.faults.pause("after")
    if after_commit is not None:
        after_commit()
    refresh_item_keys(conn, loads)
    recheck_following_months(conn, loads, loaded, run_id)
    record_run(conn, run_id, "ingest", started_at, len(results), report_path)
    return outcomes(loaded)


class ReportNotWritten(WarehouseError):
    """The validation report could not be written before the commit: nothing was loaded."""


def write_uncommitted_report(
    outcomes: list[DocumentOutcome], settings: RunSettings, run_id: str, started_at: datetime
) -> None:
    """Write the run's validation report while the load is still uncommitted (``committed``
    false): there is never committed data without a report. The run writes it again, final,
    after the commit; if the report cannot be written the load is rolled back."""
    from pipelines.core.run_report import RunReport
    from pipelines.render.validation import write_report

    report = RunReport.of(run_id, started_at, "ingest", outcomes, database=str(settings.db))
    try:
        write_report(report.as_json(as_written=True), settings.reports_dir)
    except OSError as exc:
        raise ReportNotWritten(
            _(
                "the validation report could not be written in {folder} ({problem}): nothing "
                "was loaded"
            ).format(folder=settings.reports_dir, problem=exc.strerror or exc)
        ) from None


def recheck_following_months(
    conn: Connection,
    loads: list[DocumentLoad],
    loaded: list[LoadOutcome],
    run_id: str,
) -> None:
    """Check again the stored month after each month this run loaded or replaced: it is now
    compared with another month (September loaded before August is checked against August
    when August comes). Months of this run were checked against each other already."""
    in_run = {
        (str(load.region), int(load.year), int(load.month))
        for load in loads
        if load.region is not None and load.year is not None and load.month is not None
    }
    changed = sorted(
        {
            (str(load.region), int(load.year), int(load.month))
            for load, done in zip(loads, loaded, strict=True)
            if done.status in ("loaded", "partial")
            and load.region is not None
            and load.year is not None
            and load.month is not None
        }
    )
    for region, year, month in changed:
        found = following_month_issues(conn, region, year, month, compared=in_run)
        if found is None:
            continue
        report_id, source_name, _later, issues = found
        frame = _issues_frame(run_id, [(report_id, source_name, [issue_record(i) for i in issues])])
        replace_report_issues(conn, report_id, CROSS_MONTH_CHECKS, frame)


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in PROGRESS_COLUMNS if c != "report_id"])


def refresh_item_keys(conn: Connection, loads: list[DocumentLoad]) -> None:
    """Recompute item keys of every year a run loaded, from all its months (any order)."""
    years = {
        (str(load.region), int(load.year))
        for load in loads
        if load.status != "rejected" and load.region is not None and load.year is not None
    }
    for region, year in sorted(years):
        replace_item_keys(conn, region, year, assign_item_keys(year_item_rows(conn, region, year)))
