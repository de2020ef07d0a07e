"""The project's exception hierarchy.

::

    ReportError                 anything wrong with a report the user gave us
    └── DocumentError           one document cannot be read at all
        ├── UnsupportedFormat   not a format read here (or LibreOffice is missing for it)
        ├── UnreadableDocument  corrupt, encrypted, scanned, undecodable
        ├── LimitExceeded       beyond a bound on size, inflation, pages or parse time
        ├── TableNotFound       readable, but no progress table in it
        │   └── AmbiguousColumns  several columns name one field, none this month's
        ├── ColumnsImplausible  a table whose columns hold another column's values
        └── PeriodError         year, month or region missing or contradictory

Every error carries the document's name and, where known, the place in it, and its
message says what to do next when there is something to do.
"""

from __future__ import annotations


class ReportError(Exception):
    """Base class of every error this project raises about its input."""


class DocumentError(ReportError):
    """A document that cannot be read as a progress report."""

    check = "document"

    def __init__(self, source_name: str, problem: str, *, where: str | None = None) -> None:
        self.source_name = source_name
        self.problem = problem
        self.where = where
        from parsers.model import in_document

        super().__init__(in_document(source_name, where, problem))


class UnsupportedFormat(DocumentError):
    check = "format"


class UnreadableDocument(DocumentError):
    check = "readable"


class LimitExceeded(DocumentError):
    """A document beyond one of ``parsers.limits.ParseLimits``; the message names the limit."""

    check = "within_limits"


class TableNotFound(DocumentError):
    check = "table_found"


class ColumnsImplausible(DocumentError):
    """The header matched, but a column's cells are another column's (a shifted table)."""

    check = "column_plausible"


class PeriodError(DocumentError):
    """A period that cannot be resolved; ``period`` keeps what was read of it (region, year,
    month; None where unknown), so a missing region is not reported as a missing period."""

    check = "period"

    def __init__(
        self,
        source_name: str,
        problem: str,
        *,
        where: str | None = None,
        period: tuple[str | None, int | None, int | None] = (None, None, None),
    ) -> None:
        super().__init__(source_name, problem, where=where)
        self.period = period


class AmbiguousColumns(TableNotFound):
    """Several columns name one field and none is clearly the report's month's."""

    check = "several_columns"
