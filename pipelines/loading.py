"""Loading checked documents into the warehouse, one transaction per document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from warehouse import (
    DocumentLoad,
    archive_original,
    connect,
    load_document,
    record_issues,
    record_run,
)
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


def load_results(
    results: list[DocumentResult],
    settings: RunSettings,
    run_id: str,
    started_at: datetime,
    *,
    report_path: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[DocumentOutcome]:
    """Archive every original, then write each document in its own transaction."""
    from pipelines.identity import refresh_item_keys, renumbering_issues

    outcomes: list[DocumentOutcome] = []
    conn = connect(settings.db, wait_seconds=settings.lock_wait_seconds, on_wait=on_wait)
    touched_years: set[tuple[str, int]] = set()
    try:
        issue_frames: list[pd.DataFrame] = []
        # earlier months first, so each month is compared with the one before it
        for result in sorted(results, key=_period_order):
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
            loaded = load_document(conn, load, run_id)
            records = [issue_record(i) for i in result.issues]
            if loaded.status == "unchanged":
                records = []
            else:
                records += [issue_record(i) for i in renumbering_issues(conn, result)]
                if loaded.status != "rejected":
                    touched_years.add((str(result.region), int(result.year or 0)))
                issue_frames.append(_issues_frame(run_id, report_id, result.source_name, records))
            outcomes.append(DocumentOutcome(
                source_name=result.source_name, path=result.path, status=loaded.status,
                rows_loaded=loaded.rows_loaded, rows_quarantined=loaded.rows_quarantined,
                report_id=report_id, region=result.region, year=result.year, month=result.month,
                source_format=result.source_format, issues=records,
                replaced_report=loaded.replaced_report, archived=archived,
            ))
        for region, year in sorted(touched_years):
            refresh_item_keys(conn, region, year)
        if issue_frames:
            record_issues(conn, pd.concat(issue_frames, ignore_index=True))
        record_run(conn, run_id, "ingest", started_at, len(results), report_path)
    finally:
        conn.close()
    by_result = dict(zip(map(id, sorted(results, key=_period_order)), outcomes, strict=True))
    return [by_result[id(result)] for result in results]  # in the order given


def _period_order(result: DocumentResult) -> tuple[str, int, int]:
    return (result.region or "", result.year or 0, result.month or 0)


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in PROGRESS_COLUMNS if c != "report_id"])
