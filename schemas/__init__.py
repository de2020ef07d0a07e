"""pandera schemas of the progress rows. Pure: imports neither Prefect nor DuckDB."""

from __future__ import annotations

from schemas.checks import CHECKS, describe_rule
from schemas.progress import (
    ERROR_SCHEMA,
    KEY,
    WARNING_SCHEMA,
    Validated,
    validate_rows,
)

__all__ = [
    "CHECKS",
    "ERROR_SCHEMA",
    "KEY",
    "WARNING_SCHEMA",
    "Validated",
    "describe_rule",
    "validate_rows",
]
