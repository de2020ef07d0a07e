"""What a report does to a period that is already loaded: replace it, correct it, or neither.

A second report of a loaded month is either the month sent again (it holds nearly all the
items the loaded one has: it replaces the month), a correction (its file name says 更正, 修订,
补充, …: it updates exactly the items it holds), or a fragment that would wipe the month: it
is refused unless the user asks for a replacement on purpose (``--replace``). Rows that leave
``progress`` are never deleted without a trace: they are kept in ``replaced_rows`` with the
report that took them out and why (see docs/warehouse.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

    from warehouse.load import DocumentLoad

#: A report replaces a loaded month when it holds at least this share of the month's items.
FULL_REPORT_SHARE = 0.9

#: Words a clerk puts in the file name of a report that corrects part of an earlier one.
CORRECTION_WORDS: tuple[str, ...] = ("更正", "修订", "修正", "订正", "勘误", "补充", "correction")
_CORRECTION = re.compile("|".join(re.escape(w) for w in CORRECTION_WORDS), re.IGNORECASE)

#: What happens to a report of a period: ``new`` (nothing loaded yet), ``unchanged`` (these
#: bytes are the period's report already), ``replace``, ``correction`` or ``refused``.
KINDS = ("new", "unchanged", "replace", "correction", "refused")


@dataclass(frozen=True)
class PeriodChange:
    """What loading one report does to its period, decided before anything is written."""

    kind: str
    #: distinct item numbers of the incoming report (loaded or quarantined rows)
    items: tuple[int, ...] = ()
    #: distinct item numbers the period holds now
    loaded_items: tuple[int, ...] = ()
    #: source names of the reports the period's rows come from now
    loaded_from: tuple[str, ...] = ()
    #: rows that leave ``progress`` (kept in ``replaced_rows``)
    rows_out: int = 0
    #: the replace was asked for (``--replace``), not inferred from the items
    forced: bool = False

    @property
    def dropped_items(self) -> tuple[int, ...]:
        """Items of the loaded period that a replacing report does not hold."""
        if self.kind != "replace":
            return ()
        return tuple(sorted(set(self.loaded_items) - set(self.items)))


def says_correction(source_name: str) -> bool:
    """Whether a file name calls the report a correction (``…8月-更正2.txt``)."""
    return _CORRECTION.search(source_name) is not None


def report_items(progress: pd.DataFrame, quarantine: pd.DataFrame) -> tuple[int, ...]:
    """The distinct item numbers a report holds, whether its rows load or are quarantined."""
    found: set[int] = set()
    for frame in (progress, quarantine):
        if "item_no" in frame and len(frame):
            found.update(int(v) for v in frame["item_no"].dropna())
    return tuple(sorted(found))


def decide(
    *,
    items: Sequence[int],
    loaded_items: Sequence[int],
    source_name: str,
    replace: bool,
) -> str:
    """The kind of change (see ``KINDS``) for a report of a period that holds ``loaded_items``."""
    if not loaded_items:
        return "new"
    if replace:
        return "replace"
    if says_correction(source_name):
        return "correction"
    held = len(set(items) & set(loaded_items))
    if held >= math.ceil(FULL_REPORT_SHARE * len(loaded_items)):
        return "replace"
    return "refused"


def plan_changes(
    conn: duckdb.DuckDBPyConnection,
    loads: Sequence[DocumentLoad],
    *,
    replace: bool = False,
    current: set[str] | None = None,
) -> dict[str, PeriodChange]:
    """Each load's ``PeriodChange``, keyed by report id, from what the warehouse holds now.

    ``loads`` are ``warehouse.DocumentLoad``; a rejected one changes nothing (``new``).
    ``current`` is the ids of reports already loaded and not superseded: those bytes again are
    ``unchanged`` unless ``replace`` asks to write them again (bringing a month back).
    """
    if current is None:
        current = current_report_ids(conn, [load.report_id for load in loads])
    changes: dict[str, PeriodChange] = {}
    for load in loads:
        report_id: str = load.report_id
        status: str = load.status
        region, year, month = load.region, load.year, load.month
        items = report_items(load.progress, load.quarantine)
        if report_id in current and not replace:
            changes[report_id] = PeriodChange("unchanged", items)
            continue
        if status == "rejected" or region is None or year is None or month is None:
            changes[report_id] = PeriodChange("new", items)
            continue
        loaded = conn.execute(
            "SELECT p.item_no, count(*) AS n, list(DISTINCT r.source_name) AS names "
            "FROM progress p LEFT JOIN reports r USING (report_id) "
            "WHERE p.region = ? AND p.year = ? AND p.month = ? GROUP BY p.item_no "
            "ORDER BY p.item_no",
            [region, year, month],
        ).fetchall()
        loaded_items = tuple(int(row[0]) for row in loaded)
        names = sorted({str(n) for row in loaded for n in (row[2] or []) if n is not None})
        kind = decide(
            items=items,
            loaded_items=loaded_items,
            source_name=load.source_name,
            replace=replace,
        )
        if kind == "replace":
            rows_out = sum(int(row[1]) for row in loaded)
        elif kind == "correction":
            wanted = set(items)
            rows_out = sum(int(row[1]) for row in loaded if int(row[0]) in wanted)
        else:
            rows_out = 0
        changes[report_id] = PeriodChange(
            kind,
            items,
            loaded_items,
            tuple(names),
            rows_out,
            forced=replace and kind == "replace",
        )
    return changes


def current_report_ids(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are loaded reports not superseded by a later one."""
    found = conn.execute(
        "SELECT report_id FROM reports WHERE superseded_by IS NULL AND status <> 'rejected' "
        "AND list_contains(?, report_id)",
        [list(ids)],
    ).fetchall()
    return {str(row[0]) for row in found}


def move_out_replaced_rows(
    conn: duckdb.DuckDBPyConnection,
    changes: dict[str, PeriodChange],
    periods: pd.DataFrame,
    run_id: str,
) -> None:
    """Inside the load's transaction: keep in ``replaced_rows`` and take out of ``progress``
    the rows each replacing or correcting report takes the place of.

    ``periods`` has ``report_id, region, year, month`` of the loads that write rows. A
    replacement takes the whole period (its rows are ``replaced``, or ``dropped`` when the new
    report lacks their item); a correction only the items it holds (``corrected``).
    """
    scope = periods[
        periods["report_id"].map(lambda r: changes[r].kind in ("replace", "correction"))
    ]
    if scope.empty:
        return
    scope = scope.assign(kind=[changes[r].kind for r in scope["report_id"]])
    items = pd.DataFrame(
        [(r, i) for r in scope["report_id"] for i in changes[r].items],
        columns=["report_id", "item_no"],
    ).astype({"item_no": "int64"})
    conn.register("changing_periods", scope)
    conn.register("changing_items", items)
    try:
        # a row goes when its period is replaced, or its item is in the correction
        goes = (
            "EXISTS (SELECT 1 FROM changing_periods c WHERE c.region = progress.region "
            "AND c.year = progress.year AND c.month = progress.month AND (c.kind = 'replace' "
            "OR EXISTS (SELECT 1 FROM changing_items i WHERE i.report_id = c.report_id "
            "AND i.item_no = progress.item_no)))"
        )
        conn.execute(
            "INSERT INTO replaced_rows BY NAME SELECT p.*, c.report_id AS replaced_by, "
            "? AS replaced_in_run, now()::TIMESTAMP AS replaced_at, "
            "CASE WHEN c.kind = 'correction' THEN 'corrected' "
            "WHEN i.item_no IS NOT NULL THEN 'replaced' ELSE 'dropped' END AS reason "
            "FROM progress p JOIN changing_periods c ON c.region = p.region "
            "AND c.year = p.year AND c.month = p.month "
            "LEFT JOIN changing_items i ON i.report_id = c.report_id AND i.item_no = p.item_no "
            "WHERE c.kind = 'replace' OR i.item_no IS NOT NULL",
            [run_id],
        )
        conn.execute(f"DELETE FROM progress WHERE {goes}")
        conn.execute(
            "UPDATE reports SET superseded_by = c.report_id FROM changing_periods c "
            "WHERE c.kind = 'replace' AND reports.region = c.region AND reports.year = c.year "
            "AND reports.month = c.month AND reports.superseded_by IS NULL "
            "AND reports.report_id <> c.report_id"
        )
    finally:
        conn.unregister("changing_periods")
        conn.unregister("changing_items")
