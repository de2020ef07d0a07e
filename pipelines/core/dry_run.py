"""The dry run: the last stage of ``validate``, in place of the load.

It says what ``ingest`` would do with each checked and compared document (load it, quarantine
rows, replace a period, refuse it) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.core.checking import DocumentResult
from pipelines.core.load_run import (
    DocumentOutcome,
    outcome_without_loading,
    result_to_load,
    with_period_changes,
)
from pipelines.core.settings import RunSettings
from warehouse import WarehouseError, connect
from warehouse.replacement import plan_changes

if TYPE_CHECKING:
    from warehouse import Connection


def dry_run(results: list[DocumentResult], settings: RunSettings) -> list[DocumentOutcome]:
    """Stages 3 and 4 of a ``validate`` run: compare months and say what ingest would do, as
    ``Run.last_stages`` does them."""
    from pipelines.core.run import Run  # the run's module imports this one

    return Run.start(settings, "validate").last_stages(results)


@contextmanager
def reading(settings: RunSettings) -> Iterator[Connection | None]:
    """The warehouse opened read-only for ``validate``, not waited for; None when there is
    none or it is busy: that only narrows the comparison to the documents of this run."""
    conn = None
    if Path(settings.db).exists():
        try:
            conn = connect(settings.db, read_only=True, wait_seconds=0)
        except WarehouseError:
            conn = None
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


def dry_run_compared(
    conn: Connection | None, results: list[DocumentResult], settings: RunSettings
) -> list[DocumentOutcome]:
    """Stage 4 of ``validate``, on ``reading``'s connection: what ingest would do with the
    documents, their months compared already; nothing is written."""
    if conn is not None:
        loads = [result_to_load(result, None) for result in results]
        changes = plan_changes(conn, loads, replace=settings.replace_periods)
        results = with_period_changes(results, loads, changes)
    return [outcome_without_loading(result) for result in results]
