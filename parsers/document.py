"""``parse_document``: one entry point for every format, one row shape out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from i18n import _
from parsers.candidates import choose_columns
from parsers.errors import LimitExceeded, UnreadableDocument, UnsupportedFormat
from parsers.formats.ocr.runner import SERIAL, OcrRunner
from parsers.formats.registry import FORMATS, Format, suffix_lists
from parsers.grid import grid_to_rows
from parsers.layouts import Layouts, builtin_layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits, byte_size
from parsers.model import Issue, ParsedDocument, RejectedRow, Source, TableRead
from parsers.names import source_name_of
from parsers.normalize import normalize_text
from parsers.period import (
    PeriodHint,
    hint_from_filename,
    hint_from_title,
    period_kind,
    resolve_period,
)
from parsers.reconcile import unaccounted_rows
from parsers.table import Header

if TYPE_CHECKING:
    import pandas as pd

#: A format reader: ``reader(data, source_name, limits, layouts=layouts) -> TableRead``.
Reader = Callable[..., TableRead]


def _reader(target: str) -> Reader:
    """The reader named ``"module:function"`` in the format table, imported on first use, so
    reading a .txt never pays for lxml, openpyxl or the OCR engine."""
    module, name = target.split(":")

    def read(*args: object, **kwargs: object) -> TableRead:
        import importlib

        read_module: Reader = getattr(importlib.import_module(module), name)
        return read_module(*args, **kwargs)

    return read


#: Suffix → its format and reader, from the one table of formats.
READERS: dict[str, tuple[Format, Reader]] = {
    suffix: (fmt, _reader(fmt.reader)) for suffix, fmt in FORMATS.items()
}


def _named_lists() -> dict[str, str]:
    direct, scans, legacy = suffix_lists()
    return {"direct": direct, "scans": scans, "legacy": legacy}


def source_format(path: str | Path) -> str | None:
    """The format of a supported file name (``'docx'``, ``'html'``, ``'xls'``, …), else None."""
    entry = FORMATS.get(Path(path).suffix.lower())
    return entry.name if entry else None


def parse_bytes(
    data: bytes,
    source_name: str,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    layouts: Layouts | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
    ocr: OcrRunner = SERIAL,
) -> ParsedDocument:
    """Parse a document held in memory; ``source_name`` gives its format and period hints.

    ``layouts`` adds header words to the built-in synonyms table (``load_layouts(FILE)``).
    A document beyond one of ``limits`` raises LimitExceeded naming that limit. Scanned pages
    and image files are read by OCR through ``ocr`` (serially by default).
    """
    suffix = Path(source_name).suffix.lower()
    if suffix not in READERS:
        raise UnsupportedFormat(
            source_name,
            _(
                "'{suffix}' files are not reports: use {direct}, a scan ({scans}), or (with "
                "LibreOffice installed) {legacy}"
            ).format(suffix=suffix or _("(none)"), **_named_lists()),
        )
    if len(data) > limits.max_file_bytes:
        raise _too_large(source_name, len(data), limits)
    fmt, reader = READERS[suffix]
    if fmt.reads_scans:
        table = reader(data, source_name, limits, ocr=ocr, layouts=layouts)
    else:
        table = reader(data, source_name, limits, layouts=layouts)
    title_hint = hint_from_title(table.title or "")
    filename_hint = hint_from_filename(Path(source_name).name)
    resolved_region, resolved_year, resolved_month, period_issues = resolve_period(
        source_name,
        option=PeriodHint(region, year, month),
        title=title_hint,
        filename=filename_hint,
        header_month=table.header_month,
    )
    # Several columns for one field (7月完成率, 8月完成率): the report's month chooses.
    table, column_issues = choose_columns(table, source_name, resolved_month, layouts)

    def read_grid(
        read_rejected: list[RejectedRow],
    ) -> tuple[pd.DataFrame, list[RejectedRow], list[Issue], list[RejectedRow]]:
        """Rows, rejected rows, issues, and the rows the document shows that none of them is."""
        rows, rejected, row_issues = grid_to_rows(
            table.grid,
            source_name,
            empty_cells_merge=table.empty_cells_merge,
            read_rejected=read_rejected,
        )
        issues = [*column_issues, *table.issues, *row_issues]
        if table.ocr_cells:
            rows, issues, unsure = _checked_ocr(rows, issues, table, source_name, ocr)
            rejected = [*rejected, *unsure]
        rejected = [*table.rejected, *rejected]
        return rows, rejected, issues, unaccounted_rows(table.seen, rows, rejected, source_name)

    rows, rejected, issues, unaccounted = read_grid(table.rejected)
    # A line or Word row that no reader took (a line written with full-width bars) is a
    # rejected row like any other: a merged cell below it must not reach past it to the row
    # above. Such a document is read again with it among the rejected.
    by_place = {row.location for row in table.seen if row.by_place}
    unread = [r for r in unaccounted if r.location in by_place]
    if unread:
        rows, rejected, issues, unaccounted = read_grid([*table.rejected, *unread])
    rejected += unaccounted
    rejected = sorted(
        rejected,
        key=lambda r: r.location.sort_key(),
    )
    kind = period_kind(title_hint, filename_hint)
    rows["period_kind"] = kind
    source = Source(
        name=source_name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=table.source_format or fmt.name,
        region=resolved_region,
        year=resolved_year,
        month=resolved_month,
    )
    return ParsedDocument(
        source=source,
        rows=rows,
        rejected=rejected,
        issues=[*period_issues, *header_issues(table.header, source_name, layouts), *issues],
        title=normalize_text(table.title) if table.title else None,
        ocr_cells=table.ocr_cells,
        period_kind=kind,
    )


def _checked_ocr(
    rows: pd.DataFrame, issues: list[Issue], table: TableRead, source_name: str, ocr: OcrRunner
) -> tuple[pd.DataFrame, list[Issue], list[RejectedRow]]:
    """A scan's rows with OCR near-misses of the document's own names corrected, less the
    rows with a key cell OCR was unsure of and nothing corroborates (quarantined; their
    low-confidence warnings give way to the error)."""
    from parsers.formats.ocr.correct import correct_near_misses, document_names
    from parsers.formats.ocr.unsure import unsure_rows

    known = document_names(rows, table.ocr_cells)
    rows, corrections = correct_near_misses(rows, table.ocr_cells, [known], source_name)
    rows, unsure = unsure_rows(rows, table.ocr_cells, [known], source_name, ocr.unsure_below)
    quarantined = {
        (issue.location.page, issue.location.row, issue.column)
        for row in unsure
        for issue in row.issues
    }
    issues = [
        issue
        for issue in [*issues, *corrections]
        if issue.check != "ocr_low_confidence"
        or (issue.location.page, issue.location.row, issue.column) not in quarantined
    ]
    return rows, issues, unsure


def parse_document(
    path: str | Path,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    layouts: Layouts | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
    ocr: OcrRunner = SERIAL,
) -> ParsedDocument:
    """Parse one report (a file of ``SUPPORTED_SUFFIXES``) into rows, without Prefect or DuckDB."""
    path = Path(path)
    name = source_name_of(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:  # before reading it into memory
            raise _too_large(name, size, limits)
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(
            name, _("cannot read the file ({error})").format(error=exc.strerror)
        ) from None
    return parse_bytes(
        data,
        name,
        region=region,
        year=year,
        month=month,
        layouts=layouts,
        limits=limits,
        ocr=ocr,
    )


def header_issues(
    header: Header | None, source_name: str, layouts: Layouts | None = None
) -> list[Issue]:
    """A warning per header column that names no known column: its values go to ``extra``;
    and one when no column holds the completion rate, so that a month of empty rates (a
    header word nobody knows) is not taken for a month of no lagging item."""
    if header is None:
        return []
    labels = (layouts or builtin_layouts()).labels
    known = _(", ").join(labels.values())
    no_rates = (
        []
        if header.has("completion")
        else [
            Issue(
                source_name,
                "no_completion_column",
                _(
                    "no column of the table is the {label} column (its header: {cells}): this "
                    "month's completion rates are not loaded, and no item is seen lagging"
                ).format(
                    label=labels["completion"], cells=" | ".join(c for c in header.cells if c)
                ),
                severity="warning",
                column=labels["completion"],
                action="not loaded",
            )
        ]
    )
    return no_rates + [
        Issue(
            source_name,
            "unknown_column",
            _(
                "column {n} `{text}` is not a known column (known: {known}); its values are kept "
                "in extra"
            ).format(n=position + 1, text=text, known=known),
            severity="warning",
            column=text,
            value=text,
            action="column kept in extra",
        )
        for position, text in header.unknown()
    ]


def _too_large(source_name: str, size: int, limits: ParseLimits) -> LimitExceeded:
    return LimitExceeded(
        source_name,
        _("the file is {size}, more than {limit} (the limit for one document): not read").format(
            size=byte_size(size), limit=byte_size(limits.max_file_bytes)
        ),
    )
