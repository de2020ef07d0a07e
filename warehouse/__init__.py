"""The DuckDB warehouse: the only package that opens the database or holds SQL."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warehouse.analysis import (
        QueryLimits,
        QueryRefused,
        QueryResult,
        QueryTimeout,
        connect_for_analysis,
        run_analysis_query,
    )
    from warehouse.archive import archive_bytes, archive_original
    from warehouse.catalog import loaded_periods, period_reports, seen_sha256s
    from warehouse.db import (
        Connection,
        DatabaseBusy,
        WarehouseError,
        connect,
        read_only_query,
        write_failures_as_warehouse_errors,
    )
    from warehouse.export import export_periods
    from warehouse.load import (
        DocumentLoad,
        LoadOutcome,
        load_document,
        load_documents,
        record_issues,
        record_run,
    )
    from warehouse.locking import writer_lock
    from warehouse.place import check_warehouse_place

#: Where each name lives: a submodule is imported when its name is first used, so a run that
#: opens no warehouse (``validate`` without one, ``--help``) does not import DuckDB.
#: (``Connection`` is a name for type hints only.)
_HOMES = {
    "DatabaseBusy": "warehouse.db",
    "DocumentLoad": "warehouse.load",
    "LoadOutcome": "warehouse.load",
    "QueryLimits": "warehouse.analysis",
    "QueryRefused": "warehouse.analysis",
    "QueryResult": "warehouse.analysis",
    "QueryTimeout": "warehouse.analysis",
    "WarehouseError": "warehouse.db",
    "archive_bytes": "warehouse.archive",
    "archive_original": "warehouse.archive",
    "check_warehouse_place": "warehouse.place",
    "connect": "warehouse.db",
    "connect_for_analysis": "warehouse.analysis",
    "export_periods": "warehouse.export",
    "load_document": "warehouse.load",
    "load_documents": "warehouse.load",
    "loaded_periods": "warehouse.catalog",
    "period_reports": "warehouse.catalog",
    "read_only_query": "warehouse.db",
    "record_issues": "warehouse.load",
    "record_run": "warehouse.load",
    "run_analysis_query": "warehouse.analysis",
    "seen_sha256s": "warehouse.catalog",
    "write_failures_as_warehouse_errors": "warehouse.db",
    "writer_lock": "warehouse.locking",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")


__all__ = [
    "Connection",
    "DatabaseBusy",
    "DocumentLoad",
    "LoadOutcome",
    "QueryLimits",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "WarehouseError",
    "archive_bytes",
    "archive_original",
    "check_warehouse_place",
    "connect",
    "connect_for_analysis",
    "export_periods",
    "load_document",
    "load_documents",
    "loaded_periods",
    "period_reports",
    "read_only_query",
    "record_issues",
    "record_run",
    "run_analysis_query",
    "seen_sha256s",
    "write_failures_as_warehouse_errors",
    "writer_lock",
]
