"""The DuckDB warehouse: the only package that opens the database or holds SQL."""

from __future__ import annotations

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
