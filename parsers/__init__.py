"""Read monthly progress reports (text, Word, PDF, web pages, spreadsheets, scans) into rows.

Pure: bytes or a path in, rows out. Imports neither Prefect nor DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parsers.errors import (
    DocumentError,
    LimitExceeded,
    PeriodError,
    ReportError,
    TableNotFound,
    UnreadableDocument,
    UnsupportedFormat,
)

if TYPE_CHECKING:
    from parsers.document import parse_bytes, parse_document, source_format
    from parsers.formats.registry import SUPPORTED_SUFFIXES
    from parsers.model import ROW_COLUMNS, Issue, Location, ParsedDocument, RejectedRow, Source

# The readers and the row model import pandas: they are loaded when first asked for, so that
# a module that only needs a name or an error type (``parsers.names``, the CLI's --help)
# does not pay for it.
_LAZY = {
    "SUPPORTED_SUFFIXES": "parsers.formats.registry",
    "parse_bytes": "parsers.document",
    "parse_document": "parsers.document",
    "source_format": "parsers.document",
    "ROW_COLUMNS": "parsers.model",
    "Issue": "parsers.model",
    "Location": "parsers.model",
    "ParsedDocument": "parsers.model",
    "RejectedRow": "parsers.model",
    "Source": "parsers.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'parsers' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ROW_COLUMNS",
    "SUPPORTED_SUFFIXES",
    "DocumentError",
    "Issue",
    "LimitExceeded",
    "Location",
    "ParsedDocument",
    "PeriodError",
    "RejectedRow",
    "ReportError",
    "Source",
    "TableNotFound",
    "UnreadableDocument",
    "UnsupportedFormat",
    "parse_bytes",
    "parse_document",
    "source_format",
]
