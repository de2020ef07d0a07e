"""Loading checked documents into the warehouse, one transaction per document."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
from parsers import Issue
from schemas.history import compare_months
from warehouse import (
    DocumentLoad,
    WarehouseError,
    archive_original,
    connect,
    load_document,
    record_run,
)
from warehouse.history import previous_month_rows
from warehouse.load import ISSUE_COLUMNS, PROGRESS_COLUMNS, make_report_id

from pipelines.settings import RunSettings
from pipelines.steps import DocumentResult, issue_record, quarantine_frame


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


def _issues_frame(run_id: str, report_id: str, source_name: str,
                  records: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS))
    frame = frame.rename(columns={"column": "column_name", "check": "check_name",
                                  "value": "failure_value"})
    frame["run_id"], frame["report_id"], frame["source_name"] = run_id, report_id, source_name
    for column in ("source_page", "source_row", "source_line"):
        frame[column] = frame[column].astype("Int64")
    return frame.loc[:, list(ISSUE_COLUMNS)]


def outcome_without_loading(result: DocumentResult) -> DocumentOutcome:
    """What ingest would do with a document, for ``validate``: nothing is written."""
    return DocumentOutcome(
        source_name=result.source_name, path=result.path, status=result.status,
        rows_loaded=len(result.rows) if result.status != "rejected" else 0,
        rows_quarantined=len(result.quarantined), report_id=result_report_id(result),
        region=result.region, year=result.year, month=result.month,
        source_format=result.source_format,
        issues=[issue_record(i) for i in result.issues],
    )


def _archive(result: DocumentResult, raw_dir: Path) -> str | None:
    if result.source_sha256 is None:
        return None
    try:
        return str(archive_original(result.path, result.source_sha256, raw_dir).relative_to(raw_dir))
    except OSError:
        return None  # the file vanished or cannot be read again since it was parsed


def month_over_month(conn: duckdb.DuckDBPyConnection, result: DocumentResult) -> list[Issue]:
    """Warnings comparing a document with the previous reported month in the warehouse."""
    if result.status == "rejected" or None in result.period:
        return []
    region, year, month = str(result.region), int(result.year or 0), int(result.month or 0)
    previous, rows = previous_month_rows(conn, region, year, month)
    if previous is None:
        return []
    return compare_months(
        rows, result.rows, source_name=result.source_name,
        previous_label=f"{year}年{previous}月",
        quarantined_items=frozenset(r.item_no for r in result.quarantined
                                    if r.item_no is not None),
    )


def with_month_over_month(results: list[DocumentResult], db: Path) -> list[DocumentResult]:
    """For ``validate``: add month-over-month warnings if the warehouse exists (read-only).

    A missing or busy warehouse only means the comparison is skipped: validate loads nothing
    and must not wait for or fail on another run.
    """
    if not Path(db).exists():
        return results
    try:
        conn = connect(db, read_only=True, wait_seconds=0)
    except WarehouseError:
        return results
    try:
        return [replace(r, issues=[*r.issues, *month_over_month(conn, r)]) for r in results]
    finally:
        conn.close()


def _pause_before_commit(seconds: float) -> Callable[[], None] | None:
    """Fault injection for tests of crash safety: hold the open transaction for a while."""
    if seconds <= 0:
        return None

    def pause() -> None:
        print(f"fault injection: pausing {seconds:g} s before commit", file=sys.stderr,
              flush=True)
        time.sleep(seconds)

    return pause


def _period_order(results: list[DocumentResult]) -> list[int]:
    """Indexes of ``results`` by period, so that each month is compared with the one before."""
    return sorted(range(len(results)),
                  key=lambda i: (results[i].region or "", results[i].year or 0,
                                 results[i].month or 0, i))


def load_results(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    report_path: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[DocumentOutcome]:
    """Archive every original, then write each document in its own transaction.

    Documents are written in period order so that each is compared with the month before
    it, even when both come in one run; the outcomes keep the order of ``results``.
    """
    outcomes: dict[int, DocumentOutcome] = {}
    pause = _pause_before_commit(settings.fault_pause_before_commit)
    conn = connect(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait)
    try:
        for index in _period_order(results):
            result = results[index]
            result = replace(result, issues=[*result.issues, *month_over_month(conn, result)])
            archived = _archive(result, Path(settings.raw_dir))
            report_id = result_report_id(result)
            rows = result.rows if result.status != "rejected" else result.rows.iloc[0:0]
            progress = (
                rows.assign(region=result.region, year=result.year, month=result.month)
                if len(rows) else _empty_progress()
            )
            load = DocumentLoad(
                report_id=report_id, region=result.region, year=result.year, month=result.month,
                source_name=result.source_name, source_sha256=result.source_sha256 or "",
                source_format=result.source_format, status=result.status,
                progress=progress,
                quarantine=quarantine_frame(result), archived_as=archived,
            )
            records = [issue_record(i) for i in result.issues]
            # The issues go in with the document's rows, in its transaction: a crash keeps both
            # or neither.
            loaded = load_document(
                conn, load, run_id,
                issues=_issues_frame(run_id, report_id, result.source_name, records),
                before_commit=pause,
            )
            if loaded.status == "unchanged":
                records = []
            outcomes[index] = DocumentOutcome(
                source_name=result.source_name, path=result.path, status=loaded.status,
                rows_loaded=loaded.rows_loaded, rows_quarantined=loaded.rows_quarantined,
                report_id=report_id, region=result.region, year=result.year, month=result.month,
                source_format=result.source_format, issues=records,
                replaced_report=loaded.replaced_report, archived=archived,
            )
        record_run(conn, run_id, "ingest", started_at, len(results), report_path)
    finally:
        conn.close()
    return [outcomes[i] for i in range(len(results))]


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in PROGRESS_COLUMNS if c != "report_id"])
