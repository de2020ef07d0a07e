"""Writing one document's outcome: its report row, progress rows, quarantine and issues."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

PROGRESS_COLUMNS: tuple[str, ...] = (
    "report_id", "region", "year", "month", "item_no", "sub_no", "content", "plan_text",
    "actual_text", "completion_raw", "completion_pct", "is_lagging", "department", "leader",
    "department_inherited", "leader_inherited", "source_page", "source_row", "source_line",
)
QUARANTINE_COLUMNS: tuple[str, ...] = (
    "report_id", "source_page", "source_row", "source_line", "raw", "reasons", "item_no",
)
ISSUE_COLUMNS: tuple[str, ...] = (
    "run_id", "report_id", "source_name", "source_page", "source_row", "source_line",
    "column_name", "check_name", "failure_value", "severity", "message", "action", "rule",
)


def make_report_id(sha256: str, region: str | None, year: int | None, month: int | None) -> str:
    """A stable id for these bytes read as this period: same input, same id."""
    key = f"{sha256}|{region or ''}|{year or ''}|{month or ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class DocumentLoad:
    """Everything to write for one document, as frames with the tables' columns."""

    report_id: str
    region: str | None
    year: int | None
    month: int | None
    source_name: str
    source_sha256: str
    source_format: str | None
    status: str  # loaded | partial | rejected
    progress: pd.DataFrame
    quarantine: pd.DataFrame
    archived_as: str | None = None


@dataclass(frozen=True)
class LoadOutcome:
    report_id: str
    status: str  # the document's status, or "unchanged" when these bytes were loaded before
    rows_loaded: int
    rows_quarantined: int
    replaced_report: str | None = None


def _unchanged(conn: duckdb.DuckDBPyConnection, load: DocumentLoad) -> LoadOutcome | None:
    found = conn.execute(
        "SELECT status, rows_loaded, rows_quarantined FROM reports "
        "WHERE report_id = ? AND superseded_by IS NULL AND status <> 'rejected'",
        [load.report_id],
    ).fetchone()
    if found is None:
        return None
    return LoadOutcome(load.report_id, "unchanged", int(found[1]), int(found[2]))


def load_document(
    conn: duckdb.DuckDBPyConnection,
    load: DocumentLoad,
    run_id: str,
    *,
    issues: pd.DataFrame | None = None,
    before_commit: Callable[[], None] | None = None,
) -> LoadOutcome:
    """Write one document and its issues in one transaction, replacing the period's report.

    The same bytes for the same period a second time write nothing, unless they were
    rejected: a rejected document is read again (a newer reader may manage it). ``before_commit`` runs
    inside the open transaction, after every write: crash-safety tests use it to stop there.
    """
    existing = _unchanged(conn, load)
    if existing is not None:
        return existing
    progress = load.progress.assign(report_id=load.report_id).loc[:, list(PROGRESS_COLUMNS)]
    quarantine = load.quarantine.assign(report_id=load.report_id).loc[:, list(QUARANTINE_COLUMNS)]
    replaced: str | None = None
    conn.execute("BEGIN TRANSACTION")
    try:
        if load.status != "rejected":
            previous = conn.execute(
                "SELECT report_id FROM reports WHERE region = ? AND year = ? AND month = ? "
                "AND status <> 'rejected' AND superseded_by IS NULL",
                [load.region, load.year, load.month],
            ).fetchall()
            replaced = previous[0][0] if previous else None
            conn.execute(
                "UPDATE reports SET superseded_by = ? WHERE region = ? AND year = ? AND month = ? "
                "AND superseded_by IS NULL AND report_id <> ?",
                [load.report_id, load.region, load.year, load.month, load.report_id],
            )
            conn.execute(
                "DELETE FROM quarantine WHERE report_id IN (SELECT report_id FROM reports "
                "WHERE region = ? AND year = ? AND month = ?)",
                [load.region, load.year, load.month],
            )
            conn.execute(
                "DELETE FROM progress WHERE region = ? AND year = ? AND month = ?",
                [load.region, load.year, load.month],
            )
        conn.execute("DELETE FROM quarantine WHERE report_id = ?", [load.report_id])
        conn.execute("DELETE FROM reports WHERE report_id = ?", [load.report_id])
        conn.execute(
            "INSERT INTO reports (report_id, region, year, month, source_name, source_sha256, "
            "source_format, status, rows_loaded, rows_quarantined, ingested_at, run_id, "
            "archived_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [load.report_id, load.region, load.year, load.month, load.source_name,
             load.source_sha256, load.source_format, load.status, len(progress),
             len(quarantine), datetime.now(), run_id, load.archived_as],
        )
        if len(progress):
            conn.register("incoming_progress", progress)
            conn.execute("INSERT INTO progress BY NAME SELECT * FROM incoming_progress")
            conn.unregister("incoming_progress")
        if len(quarantine):
            conn.register("incoming_quarantine", quarantine)
            conn.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_quarantine")
            conn.unregister("incoming_quarantine")
        if issues is not None:
            record_issues(conn, issues)
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return LoadOutcome(load.report_id, load.status, len(progress), len(quarantine), replaced)


def record_issues(conn: duckdb.DuckDBPyConnection, issues: pd.DataFrame) -> None:
    """Append a run's issues (a frame with ``ISSUE_COLUMNS``) in one statement."""
    if issues.empty:
        return
    frame = issues.loc[:, list(ISSUE_COLUMNS)]
    conn.register("incoming_issues", frame)
    try:
        conn.execute("INSERT INTO validation_issues BY NAME SELECT * FROM incoming_issues")
    finally:
        conn.unregister("incoming_issues")


def record_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    command: str,
    started_at: datetime,
    documents: int,
    report_path: str | None,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
        [run_id, command, started_at, datetime.now(), documents, report_path],
    )
