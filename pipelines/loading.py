"""Loading checked documents into the warehouse, one transaction per document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from parsers import Issue
from pipelines.locking import writer_lock
from pipelines.settings import RunSettings
from pipelines.steps import DocumentResult, issue_record, quarantine_frame
from warehouse import DocumentLoad, archive_original, connect, load_documents, record_run
from warehouse.load import ISSUE_COLUMNS, PROGRESS_COLUMNS, make_report_id


@dataclass
class DocumentOutcome:
    """What a run did with one document; ``status`` adds ``unchanged`` to the report statuses."""

    source_name: str
    path: str
    status: str
    rows_loaded: int
    rows_quarantined: int
    report_id: str
    region: str | None
    year: int | None
    month: int | None
    source_format: str | None
    issues: list[dict[str, object]] = field(default_factory=list)
    replaced_report: str | None = None
    archived: str | None = None


def result_report_id(result: DocumentResult) -> str:
    sha = result.source_sha256 or f"unreadable:{result.path}"
    return make_report_id(sha, result.region, result.year, result.month)


def _issues_frame(
    run_id: str, report_id: str, source_name: str, records: list[dict[str, object]]
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS))
    frame = frame.rename(
        columns={"column": "column_name", "check": "check_name", "value": "failure_value"}
    )
    frame["run_id"], frame["report_id"], frame["source_name"] = run_id, report_id, source_name
    for column in ("source_page", "source_row", "source_line"):
        frame[column] = frame[column].astype("Int64")
    return frame.loc[:, list(ISSUE_COLUMNS)]


def validate_results(results: list[DocumentResult], settings: RunSettings) -> list[DocumentOutcome]:
    """What ingest would do, for ``validate``: nothing is written.

    Checks across months read the warehouse, when there is one, on a read-only connection.
    """
    from pipelines.identity import renumbering_issues

    if Path(settings.db).exists():
        conn = connect(settings.db, read_only=True, wait_seconds=settings.lock_wait_seconds)
        try:
            found = renumbering_issues(conn, results)
        finally:
            conn.close()
    else:
        found = renumbering_issues(None, results)
    return [
        outcome_without_loading(result, extra) for result, extra in zip(results, found, strict=True)
    ]


def outcome_without_loading(
    result: DocumentResult, extra: list[Issue] | None = None
) -> DocumentOutcome:
    """What ingest would do with a document, for ``validate``: nothing is written."""
    return DocumentOutcome(
        source_name=result.source_name,
        path=result.path,
        status=result.status,
        rows_loaded=len(result.rows) if result.status != "rejected" else 0,
        rows_quarantined=len(result.quarantined),
        report_id=result_report_id(result),
        region=result.region,
        year=result.year,
        month=result.month,
        source_format=result.source_format,
        issues=[issue_record(i) for i in [*result.issues, *(extra or [])]],
    )


def _archive(result: DocumentResult, raw_dir: Path) -> str | None:
    if result.source_sha256 is None:
        return None
    try:
        return str(
            archive_original(result.path, result.source_sha256, raw_dir).relative_to(raw_dir)
        )
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
        region=result.region,
        year=result.year,
        month=result.month,
        source_name=result.source_name,
        source_sha256=result.source_sha256 or "",
        source_format=result.source_format,
        status=result.status,
        progress=progress,
        quarantine=quarantine_frame(result),
        archived_as=archived,
    )


def load_results(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    report_path: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[DocumentOutcome]:
    """Archive every original, then write the whole run in one transaction.

    The load holds the warehouse's writer lock: one loader at a time.
    """
    with writer_lock(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait):
        return _load_locked(
            results, settings, run_id, started_at, report_path=report_path, on_wait=on_wait
        )


def _load_locked(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    report_path: str | None,
    on_wait: Callable[[str], None] | None,
) -> list[DocumentOutcome]:
    from pipelines.identity import refresh_item_keys, renumbering_issues

    archived = [_archive(result, Path(settings.raw_dir)) for result in results]
    loads = [result_to_load(result, kept) for result, kept in zip(results, archived, strict=True)]
    conn = connect(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait)
    try:
        renumbered = renumbering_issues(conn, results)
    except BaseException:
        conn.close()
        raise
    records = [
        [issue_record(i) for i in [*result.issues, *found]]
        for result, found in zip(results, renumbered, strict=True)
    ]
    issues = (
        pd.concat(
            [
                _issues_frame(run_id, load.report_id, result.source_name, found)
                for load, result, found in zip(loads, results, records, strict=True)
            ],
            ignore_index=True,
        )
        if results
        else None
    )
    try:
        loaded = load_documents(conn, loads, run_id, issues=issues)
        refresh_item_keys(conn, loads)
        record_run(conn, run_id, "ingest", started_at, len(results), report_path)
    finally:
        conn.close()
    return [
        DocumentOutcome(
            source_name=result.source_name,
            path=result.path,
            status=done.status,
            rows_loaded=done.rows_loaded,
            rows_quarantined=done.rows_quarantined,
            report_id=done.report_id,
            region=result.region,
            year=result.year,
            month=result.month,
            source_format=result.source_format,
            issues=[] if done.status == "unchanged" else found,
            replaced_report=done.replaced_report,
            archived=kept,
        )
        for result, done, found, kept in zip(results, loaded, records, archived, strict=True)
    ]


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in PROGRESS_COLUMNS if c != "report_id"])
