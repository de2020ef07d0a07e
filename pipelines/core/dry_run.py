"""The dry run: the last stage of ``validate``, in place of the load.

It says what ``ingest`` would do with each checked document (load it, quarantine rows, replace
a period, refuse it) and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.core.checking import DocumentResult
from pipelines.core.cross_month import with_cross_month_issues
from pipelines.core.load_run import (
    DocumentOutcome,
    outcome_without_loading,
    result_to_load,
    with_period_changes,
)
from pipelines.core.settings import RunSettings
from warehouse import WarehouseError, connect
from warehouse.replacement import plan_changes


def dry_run(results: list[DocumentResult], settings: RunSettings) -> list[DocumentOutcome]:
    """The last stage of ``validate``: what ingest would do, with nothing written.

    The checks across months compare with the warehouse when there is one, opened read-only
    and not waited for: a missing or busy warehouse only narrows the comparison to the
    documents of this run.
    """
    conn = None
    if Path(settings.db).exists():
        try:
            conn = connect(settings.db, read_only=True, wait_seconds=0)
        except WarehouseError:
            conn = None
    try:
        results = with_cross_month_issues(conn, results)
        if conn is not None:
            loads = [result_to_load(result, None) for result in results]
            changes = plan_changes(conn, loads, replace=settings.replace_periods)
            results = with_period_changes(results, loads, changes)
    finally:
        if conn is not None:
            conn.close()
    return [outcome_without_loading(result) for result in results]
