"""``parse_document``: one entry point for every format, one row shape out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from parsers.errors import UnreadableDocument, UnsupportedFormat
from parsers.grid import grid_to_rows
from parsers.layouts import Layouts, builtin_layouts
from parsers.model import Issue, ParsedDocument, TableRead
from parsers.period import (
    PeriodHint,
    hint_from_filename,
    hint_from_title,
    period_kind,
    resolve_period,
)
from parsers.table import Header
from parsers.text import read_text

#: A format reader: ``reader(data, source_name, layouts=layouts) -> TableRead``.
Reader = Callable[..., TableRead]


def _readers() -> dict[str, tuple[str, Reader]]:
    readers: dict[str, tuple[str, Reader]] = {".txt": ("txt", read_text)}
    try:
        from parsers.docx import read_docx
    except ImportError:  # pragma: no cover - the format module is optional while it is built
        pass
    else:
        readers[".docx"] = ("docx", read_docx)
    try:
        from parsers.pdf import read_pdf
    except ImportError:  # pragma: no cover
        pass
    else:
        readers[".pdf"] = ("pdf", read_pdf)
    return readers


SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf")


def source_format(path: str | Path) -> str | None:
    """``'txt'``, ``'docx'`` or ``'pdf'`` for a supported file name, else None."""
    suffix = Path(path).suffix.lower()
    return suffix[1:] if suffix in SUPPORTED_SUFFIXES else None


def parse_bytes(
    data: bytes,
    source_name: str,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    layouts: Layouts | None = None,
) -> ParsedDocument:
    """Parse a document held in memory; ``source_name`` gives its format and period hints.

    ``layouts`` adds header words to the built-in synonyms table (``load_layouts(FILE)``).
    """
    suffix = Path(source_name).suffix.lower()
    readers = _readers()
    if suffix == ".doc":
        raise UnsupportedFormat(
            source_name, "an old Word (.doc) file: open it in Word and save it as .docx"
        )
    if suffix not in readers:
        raise UnsupportedFormat(
            source_name,
            f"'{suffix or '(none)'}' files are not reports: use .txt, .docx or .pdf",
        )
    fmt, reader = readers[suffix]
    table = reader(data, source_name, layouts=layouts)
    rows, rejected, row_issues = grid_to_rows(
        table.grid, source_name, empty_cells_merge=table.empty_cells_merge
    )
    rejected = sorted(
        [*table.rejected, *rejected],
        key=lambda r: r.location.sort_key(),
    )
    title_hint = hint_from_title(table.title or "")
    filename_hint = hint_from_filename(Path(source_name).name)
    resolved_region, resolved_year, resolved_month, period_issues = resolve_period(
        source_name,
        option=PeriodHint(region, year, month),
        title=title_hint,
        filename=filename_hint,
        header_month=table.header_month,
    )
    kind = period_kind(title_hint, filename_hint)
    rows["period_kind"] = kind
    return ParsedDocument(
        source_name=source_name,
        source_format=fmt,
        source_sha256=hashlib.sha256(data).hexdigest(),
        region=resolved_region,
        year=resolved_year,
        month=resolved_month,
        rows=rows,
        rejected=rejected,
        issues=[
            *period_issues,
            *header_issues(table.header, source_name, layouts),
            *table.issues,
            *row_issues,
        ],
        title=table.title,
        period_kind=kind,
    )


def parse_document(
    path: str | Path,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    layouts: Layouts | None = None,
) -> ParsedDocument:
    """Parse one .txt, .docx or .pdf report into progress rows, without Prefect or DuckDB."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(path.name, f"cannot read the file ({exc.strerror})") from None
    return parse_bytes(data, path.name, region=region, year=year, month=month, layouts=layouts)


def header_issues(
    header: Header | None, source_name: str, layouts: Layouts | None = None
) -> list[Issue]:
    """A warning per header column that names no known column: its values go to ``extra``."""
    if header is None:
        return []
    known = ", ".join((layouts or builtin_layouts()).labels.values())
    return [
        Issue(
            source_name,
            "unknown_column",
            f"column {position + 1} `{text}` is not a known column (known: {known}); "
            "its values are kept in extra",
            severity="warning",
            column=text,
            value=text,
            action="column kept in extra",
        )
        for position, text in header.unknown()
    ]
