"""pandera schemas of the progress rows. Pure: imports neither Prefect nor DuckDB.

The schemas (``schemas.progress``) import pandera, 16 MB and a fifth of a second; they are
imported on first use, so that a run whose rows are validated in worker processes, and the
month checks, item identity and rule texts, do not carry pandera in the run's own process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.checks import CHECKS, describe_rule

if TYPE_CHECKING:
    from schemas.progress import ERROR_SCHEMA, KEY, WARNING_SCHEMA, Validated, validate_rows

_FROM_PROGRESS = ("ERROR_SCHEMA", "KEY", "WARNING_SCHEMA", "Validated", "validate_rows")

__all__ = [
    "CHECKS",
    "ERROR_SCHEMA",
    "KEY",
    "WARNING_SCHEMA",
    "Validated",
    "describe_rule",
    "validate_rows",
]


def __getattr__(name: str) -> Any:
    if name in _FROM_PROGRESS:
        from schemas import progress

        return getattr(progress, name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
