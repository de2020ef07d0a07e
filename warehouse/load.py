"""Writing one document's outcome: its report row, progress rows, quarantine and issues."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from parsers.model import STORED_ROW_COLUMNS, FromSource, Source
from warehouse.replacement import PeriodChange, move_out_replaced_rows, plan_changes

if TYPE_CHECKING:
    import duckdb

#: What identifies a ``progress`` row's report, before the columns the document's rows carry.
REPORT_IDENTITY_COLUMNS: tuple[str, ...] = ("report_id", "region", "year", "month")
#: The columns of ``progress`` (and the first ones of ``replaced_rows``), in the schema's order.
PROGRESS_COLUMNS: tuple[str, ...] = (*REPORT_IDENTITY_COLUMNS, *STORED_ROW_COLUMNS)
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
class DocumentLoad(FromSource):
    """Everything to write for one document, as frames with the tables' columns.

    ``source_name``, ``region``, ``year``, ``month`` … are its ``source``'s."""

    report_id: str
    source: Source
    status: str  # loaded | partial | rejected
    progress: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=lambda: empty_quarantine())
    archived_as: str | None = None


@dataclass(frozen=True)
class LoadOutcome:
    report_id: str
    status: str  # the document's status, or "unchanged" when these bytes were loaded before
    rows_loaded: int
    rows_quarantined: int
    replaced_report: str | None = None
    #: what the document did to its period (``warehouse.replacement.KINDS``)
    kind: str | None = None
    #: rows of the period it took out of ``progress`` (kept in ``replaced_rows``)
    rows_replaced: int = 0


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
    changes: Mapping[str, PeriodChange] | None = None,
    on_written: Callable[[list[LoadOutcome]], None] | None = None,
    before_commit: Callable[[], None] | None = None,
    committed: threading.Event | None = None,
) -> list[LoadOutcome]:
    """Write a run's documents in one transaction: all of them, or (on any failure) none.

    ``changes`` (``warehouse.replacement.plan_changes``, planned on this connection) says
    what each document does to its period; without it the plan is made here, nothing forced.
    A document whose bytes are its period's report already writes nothing (``unchanged``); a
    full report replaces its period's rows and the period's earlier reports stay in
    ``reports`` with ``superseded_by`` set; a correction replaces the rows of the items it
    holds; a ``refused`` one is written as rejected. Every row taken out of ``progress`` is
    kept in ``replaced_rows``. Each table gets one bulk insert. ``issues``
    (``ISSUE_COLUMNS``) are written with the rows, except those of unchanged documents. A
    rejected document sent again is written again (a newer reader may manage it).
    ``on_written`` hears the outcomes inside the open transaction after every write (the run
    writes its validation report there, so nothing is committed without one; raising in it
    rolls the load back); then ``before_commit`` runs: crash-safety tests stop the process there.
    ``committed`` is set once the COMMIT has happened, even when an exception (an interrupt)
    comes right after it, so that the caller can say whether the load is in the warehouse.
    """
    import duckdb

    if changes is None:
        changes = plan_changes(conn, loads)
    known = {
        row[0]: row
        for row in conn.execute(
            "SELECT report_id, rows_loaded, rows_quarantined FROM reports "
            "WHERE list_contains(?, report_id)",
            [[load.report_id for load in loads if changes[load.report_id].kind == "unchanged"]],
        ).fetchall()
    }
    # The same bytes twice in one run (an identical copy under another name) share a report
    # id: the first is written, the others come back ``unchanged`` like a later run's would.
    first_of: dict[str, DocumentLoad] = {}
    for load in loads:
        if load.report_id not in known:
            first_of.setdefault(load.report_id, load)
    fresh = [
        load
        if changes[load.report_id].kind != "refused"
        else replace(load, status="rejected", progress=load.progress.iloc[0:0])
        for load in first_of.values()
    ]
    fresh = _named_as_before(conn, fresh)
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
            "source_sha256": [load.source_sha256 or "" for load in fresh],
            "source_format": [load.source_format for load in fresh],
            "status": [load.status for load in fresh],
            "rows_loaded": [len(load.progress) for load in fresh],
            "rows_quarantined": [len(load.quarantine) for load in fresh],
            "ingested_at": [now] * len(fresh),
            "run_id": [run_id] * len(fresh),
            "archived_as": [load.archived_as for load in fresh],
            "source_url": pd.Series([load.source_url for load in fresh], dtype="object"),
            "load_kind": [
                changes[load.report_id].kind if load.status != "rejected" else None
                for load in fresh
            ],
            "rows_replaced": pd.Series(
                [
                    changes[load.report_id].rows_out if load.status != "rejected" else 0
                    for load in fresh
                ],
                dtype="Int64",
            ),
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
    if replacing:
        _register(conn, "incoming_periods", periods)
        found = conn.execute(
            "SELECT p.report_id, r.report_id FROM reports r JOIN incoming_periods p "
            "ON r.region = p.region AND r.year = p.year AND r.month = p.month "
            "WHERE r.status <> 'rejected' AND r.superseded_by IS NULL "
            "AND r.report_id <> p.report_id"
        ).fetchall()
        replaced = {k: v for k, v in found if changes[k].kind == "replace"}
    outcomes = _outcomes(
        loads, first_of, known, {load.report_id: load for load in fresh}, changes, replaced
    )
    committing = False
    conn.execute("BEGIN TRANSACTION")
    try:
        if replacing:
            move_out_replaced_rows(conn, dict(changes), periods, run_id)
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
        if on_written is not None:
            on_written(outcomes)
        if before_commit is not None:
            before_commit()
        committing = True
        conn.execute("COMMIT")
        if committed is not None:
            committed.set()
    except BaseException as exc:
        try:
            conn.execute("ROLLBACK")
        except duckdb.TransactionException:
            # No transaction left: a COMMIT that failed (a full disk) rolled back by itself;
            # one that returned and was followed at once by an interrupt has committed.
            if committing and committed is not None and not isinstance(exc, duckdb.Error):
                committed.set()
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
    return outcomes


def _named_as_before(
    conn: duckdb.DuckDBPyConnection, fresh: list[DocumentLoad]
) -> list[DocumentLoad]:
    """A report loaded again from its archived copy (``raw/ab/<sha256>.txt``: a month brought
    back) keeps the file name it was first sent under."""
    again = [
        load.report_id
        for load in fresh
        if load.source_sha256 and load.source_name.startswith(load.source_sha256)
    ]
    if not again:
        return fresh
    names = dict(
        conn.execute(
            "SELECT report_id, source_name FROM reports WHERE list_contains(?, report_id)",
            [again],
        ).fetchall()
    )
    return [
        replace(load, source=replace(load.source, name=names[load.report_id]))
        if load.report_id in names
        else load
        for load in fresh
    ]


def _outcomes(
    loads: list[DocumentLoad],
    first_of: dict[str, DocumentLoad],
    known: dict[str, Any],
    written: dict[str, DocumentLoad],
    changes: Mapping[str, PeriodChange],
    replaced: dict[str, str],
) -> list[LoadOutcome]:
    """What the load does with each document, known before anything is written."""
    outcomes = []
    for load in loads:
        first = first_of.get(load.report_id)
        if first is not None and first is not load:
            done = written[load.report_id]
            rows = len(done.progress) if done.status != "rejected" else 0
            outcomes.append(LoadOutcome(load.report_id, "unchanged", rows, len(done.quarantine)))
        elif load.report_id in known:
            _, rows_loaded, rows_quarantined = known[load.report_id]
            outcomes.append(
                LoadOutcome(load.report_id, "unchanged", int(rows_loaded), int(rows_quarantined))
            )
        else:
            done = written[load.report_id]
            change = changes[load.report_id]
            loaded = len(done.progress) if done.status != "rejected" else 0
            outcomes.append(
                LoadOutcome(
                    load.report_id,
                    done.status,
                    loaded,
                    len(done.quarantine),
                    replaced.get(load.report_id),
                    kind=change.kind if done.status != "rejected" else None,
                    rows_replaced=change.rows_out if done.status != "rejected" else 0,
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
