"""Writing one document's outcome: its report row, progress rows, quarantine and issues."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

PROGRESS_COLUMNS: tuple[str, ...] = (
    "report_id",
    "region",
    "year",
    "month",
    "item_no",
    "sub_no",
    "content",
    "plan_text",
    "actual_text",
    "completion_raw",
    "completion_pct",
    "is_lagging",
    "department",
    "leader",
    "department_inherited",
    "leader_inherited",
    "source_page",
    "source_row",
    "source_line",
    "note",
    "extra",
    "period_kind",
)
QUARANTINE_COLUMNS: tuple[str, ...] = (
    "report_id",
    "source_page",
    "source_row",
    "source_line",
    "raw",
    "reasons",
    "item_no",
)
ISSUE_COLUMNS: tuple[str, ...] = (
    "run_id",
    "report_id",
    "source_name",
    "source_page",
    "source_row",
    "source_line",
    "column_name",
    "check_name",
    "failure_value",
    "severity",
    "message",
    "action",
    "rule",
)


def empty_quarantine() -> pd.DataFrame:
    """A document's quarantine rows when it has none (``report_id`` is added on load)."""
    return pd.DataFrame(columns=[c for c in QUARANTINE_COLUMNS if c != "report_id"])


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
    source_url: str | None = None
    quarantine: pd.DataFrame = field(default_factory=lambda: empty_quarantine())
    archived_as: str | None = None


@dataclass(frozen=True)
class LoadOutcome:
    report_id: str
    status: str  # the document's status, or "unchanged" when these bytes were loaded before
    rows_loaded: int
    rows_quarantined: int
    replaced_report: str | None = None


def _stack(
    loads: list[DocumentLoad], attribute: str, columns: tuple[str, ...]
) -> pd.DataFrame | None:
    """One frame of every document's rows, each tagged with its report_id."""
    frames = [getattr(load, attribute) for load in loads]
    sizes = [len(frame) for frame in frames]
    if not any(sizes):
        return None
    stacked = pd.concat([f for f in frames if len(f)], ignore_index=True)
    stacked["report_id"] = [
        load.report_id for load, n in zip(loads, sizes, strict=True) for _ in range(n)
    ]
    return stacked.loc[:, list(columns)]


def _register(conn: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    conn.register(name, frame)


def load_documents(
    conn: duckdb.DuckDBPyConnection,
    loads: list[DocumentLoad],
    run_id: str,
    *,
    issues: pd.DataFrame | None = None,
    before_commit: Callable[[], None] | None = None,
) -> list[LoadOutcome]:
    """Write a run's documents in one transaction: all of them, or (on any failure) none.

    A document whose bytes were loaded before for the same period writes nothing
    (``unchanged``); any other replaces its period's rows, and the period's earlier report
    stays in ``reports`` with ``superseded_by`` set. Each table gets one bulk insert.
    ``issues`` (``ISSUE_COLUMNS``) are written with the rows, except those of unchanged
    documents. A rejected document sent again is written again (a newer reader may manage
    it). ``before_commit`` runs inside the open transaction after every write: crash-safety
    tests stop the process there.
    """
    ids = [load.report_id for load in loads]
    known = {
        row[0]: row
        for row in conn.execute(
            "SELECT report_id, rows_loaded, rows_quarantined FROM reports "
            "WHERE superseded_by IS NULL AND status <> 'rejected' AND list_contains(?, report_id)",
            [ids],
        ).fetchall()
    }
    # The same bytes twice in one run (an identical copy under another name) share a report
    # id: the first is written, the others come back ``unchanged`` like a later run's would.
    first_of: dict[str, DocumentLoad] = {}
    for load in loads:
        if load.report_id not in known:
            first_of.setdefault(load.report_id, load)
    fresh = list(first_of.values())
    fresh_ids = [load.report_id for load in fresh]
    replacing = [load for load in fresh if load.status != "rejected"]
    now = datetime.now()
    reports = pd.DataFrame(
        {
            "report_id": fresh_ids,
            "region": [load.region for load in fresh],
            "year": pd.Series([load.year for load in fresh], dtype="Int64"),
            "month": pd.Series([load.month for load in fresh], dtype="Int64"),
            "source_name": [load.source_name for load in fresh],
            "source_sha256": [load.source_sha256 for load in fresh],
            "source_format": [load.source_format for load in fresh],
            "status": [load.status for load in fresh],
            "rows_loaded": [len(load.progress) for load in fresh],
            "rows_quarantined": [len(load.quarantine) for load in fresh],
            "ingested_at": [now] * len(fresh),
            "run_id": [run_id] * len(fresh),
            "archived_as": [load.archived_as for load in fresh],
            "source_url": pd.Series([load.source_url for load in fresh], dtype="object"),
        }
    )
    progress = _stack(replacing, "progress", PROGRESS_COLUMNS)
    quarantine = _stack(fresh, "quarantine", QUARANTINE_COLUMNS)
    periods = pd.DataFrame(
        {
            "report_id": [load.report_id for load in replacing],
            "region": [load.region for load in replacing],
            "year": pd.Series([load.year for load in replacing], dtype="Int64"),
            "month": pd.Series([load.month for load in replacing], dtype="Int64"),
        }
    )
    replaced: dict[str, str] = {}
    conn.execute("BEGIN TRANSACTION")
    try:
        if replacing:
            _register(conn, "incoming_periods", periods)
            replaced = dict(
                conn.execute(
                    "SELECT p.report_id, r.report_id FROM reports r JOIN incoming_periods p "
                    "ON r.region = p.region AND r.year = p.year AND r.month = p.month "
                    "WHERE r.status <> 'rejected' AND r.superseded_by IS NULL "
                    "AND r.report_id <> p.report_id"
                ).fetchall()
            )
            conn.execute(
                "UPDATE reports SET superseded_by = p.report_id FROM incoming_periods p "
                "WHERE reports.region = p.region AND reports.year = p.year "
                "AND reports.month = p.month AND reports.superseded_by IS NULL "
                "AND reports.report_id <> p.report_id"
            )
            conn.execute(
                "DELETE FROM quarantine WHERE report_id IN (SELECT r.report_id FROM reports r "
                "JOIN incoming_periods p ON r.region = p.region AND r.year = p.year "
                "AND r.month = p.month)"
            )
            conn.execute(
                "DELETE FROM progress USING incoming_periods p WHERE progress.region = p.region "
                "AND progress.year = p.year AND progress.month = p.month"
            )
        if fresh_ids:
            conn.execute("DELETE FROM quarantine WHERE list_contains(?, report_id)", [fresh_ids])
            conn.execute("DELETE FROM reports WHERE list_contains(?, report_id)", [fresh_ids])
            _register(conn, "incoming_reports", reports)
            conn.execute("INSERT INTO reports BY NAME SELECT * FROM incoming_reports")
        if progress is not None:
            _register(conn, "incoming_progress", progress)
            conn.execute("INSERT INTO progress BY NAME SELECT * FROM incoming_progress")
        if quarantine is not None:
            _register(conn, "incoming_quarantine", quarantine)
            conn.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_quarantine")
        if issues is not None and len(issues):
            kept = issues[~issues["report_id"].isin(list(known))].loc[:, list(ISSUE_COLUMNS)]
            _register(conn, "incoming_issues", kept)
            conn.execute("INSERT INTO validation_issues BY NAME SELECT * FROM incoming_issues")
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass  # a COMMIT that failed (a full disk) has already rolled back
        raise
    finally:
        for name in (
            "incoming_periods",
            "incoming_reports",
            "incoming_progress",
            "incoming_quarantine",
            "incoming_issues",
        ):
            try:
                conn.unregister(name)
            except duckdb.Error:
                pass
    outcomes = []
    for load in loads:
        first = first_of.get(load.report_id)
        if first is not None and first is not load:
            written = len(first.progress) if first.status != "rejected" else 0
            outcomes.append(
                LoadOutcome(load.report_id, "unchanged", written, len(first.quarantine))
            )
        elif load.report_id in known:
            _, rows_loaded, rows_quarantined = known[load.report_id]
            outcomes.append(
                LoadOutcome(load.report_id, "unchanged", int(rows_loaded), int(rows_quarantined))
            )
        else:
            loaded = len(load.progress) if load.status != "rejected" else 0
            outcomes.append(
                LoadOutcome(
                    load.report_id,
                    load.status,
                    loaded,
                    len(load.quarantine),
                    replaced.get(load.report_id),
                )
            )
    return outcomes


def load_document(conn: duckdb.DuckDBPyConnection, load: DocumentLoad, run_id: str) -> LoadOutcome:
    """Write one document in its own transaction (see ``load_documents``)."""
    return load_documents(conn, [load], run_id)[0]


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
