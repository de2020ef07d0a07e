"""pandera schemas of the progress rows. Pure: imports neither Prefect nor DuckDB."""

from __future__ import annotations

from schemas.progress import (
    CHECK_MESSAGES,
    ERROR_SCHEMA,
    KEY,
    WARNING_SCHEMA,
    Validated,
    validate_rows,
)

__all__ = [
    "CHECK_MESSAGES",
    "ERROR_SCHEMA",
    "KEY",
    "WARNING_SCHEMA",
    "Validated",
    "validate_rows",
]
