"""Read monthly progress reports (text, Word, PDF, web pages, spreadsheets) into one row shape.

Pure: bytes or a path in, rows out. Imports neither Prefect nor DuckDB.
"""

from __future__ import annotations

from parsers.document import (
    SUPPORTED_SUFFIXES,
    parse_bytes,
    parse_document,
    source_format,
)
from parsers.errors import (
    DocumentError,
    LimitExceeded,
    PeriodError,
    ReportError,
    TableNotFound,
    UnreadableDocument,
    UnsupportedFormat,
)
from parsers.model import ROW_COLUMNS, Issue, Location, ParsedDocument, RejectedRow

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
    "TableNotFound",
    "UnreadableDocument",
    "UnsupportedFormat",
    "parse_bytes",
    "parse_document",
    "source_format",
]
