"""Reading and checking one document, and the run-wide rule of one report per period."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from i18n import _, period
from parsers import (
    DocumentError,
    Issue,
    LimitExceeded,
    Location,
    ParsedDocument,
    RejectedRow,
    parse_bytes,
    parse_document,
)
from parsers.formats.ocr import SERIAL, OcrRunner
from parsers.layouts import Layouts, load_layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import FromSource, OcrCells, Source
from parsers.names import source_name_of
from pipelines.core.fetching import FetchError, FetchLimits, fetch_page, page_name, web_address
from pipelines.core.settings import PeriodOptions
from pipelines.execution.faults import NO_FAULTS, Faults
from pipelines.execution.workers import TimedOut
from schemas.checks import describe_rule

log = logging.getLogger(__name__)


@dataclass
class DocumentResult(FromSource):
    """One document after parsing and validation: what would load and what would not.

    ``source_name``, ``region``, ``year``, ``month`` … are its ``source``'s."""

    path: str
    source: Source
    status: str  # loaded | partial | rejected
    rows: pd.DataFrame
    quarantined: list[RejectedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    problem: str | None = None  # why a whole document was rejected
    ocr_cells: OcrCells = field(default_factory=dict)  # how OCR read a scan's key cells
    # A fetched page's bytes, archived as any file's are; files are archived from ``path``.
    source_bytes: bytes | None = field(default=None, repr=False)


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as file:  # in blocks: a rejected file may be too large to hold
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def rejected_document(
    path: Path,
    check: str,
    problem: str,
    *,
    sha256: str | None = None,
    fmt: str | None = None,
    period: tuple = (None, None, None),
) -> DocumentResult:
    """A result for a document that cannot be used at all, with the one issue that says why."""
    from parsers import source_format

    region, year, month = period
    unread = unread_document(path)
    return replace(
        unread,
        source=replace(
            unread.source,
            format=fmt or source_format(path),
            sha256=sha256 if sha256 is not None else _sha256(path),
            region=region,
            year=year,
            month=month,
        ),
        issues=[Issue(source_name_of(path), check, problem, action="document rejected")],
        problem=problem,
    )


def layouts_of(period: PeriodOptions) -> Layouts | None:
    """The run's layouts (None: the built-in ones); the file was checked by the settings."""
    return _load_layouts(period.layouts) if period.layouts else None


@lru_cache(maxsize=8)
def _load_layouts(path: str) -> Layouts:
    return load_layouts(path)


def skipped_document(path: Path, reason: str) -> DocumentResult:
    """A file the folder scan did not read (a link out of the folder, a FIFO, …).

    Rejected like an unreadable document but never opened: no checksum, nothing archived.
    """
    return replace(
        unread_document(path),
        issues=[Issue(source_name_of(path), "regular_file", reason, action="document rejected")],
        problem=reason,
    )


def unread_document(path: str | Path) -> DocumentResult:
    """A document a run lists without opening it (no checksum, no rows, no issue yet)."""
    url = web_address(path)
    name = source_name_of(Path(page_name(url))) if url is not None else source_name_of(path)
    return DocumentResult(
        path=str(path), source=Source(name, url=url), status="rejected", rows=pd.DataFrame()
    )


def check_document(
    path: str | Path,
    period: PeriodOptions,
    fetch: FetchLimits | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
    ocr: OcrRunner = SERIAL,
    faults: Faults = NO_FAULTS,
) -> DocumentResult:
    """Parse and validate one document (a file, or a page a web address names); never raises
    for a bad document. Scanned pages are OCR'd through ``ocr`` (here, one after another, by
    default); ``faults`` are a test's (``pipelines.execution.faults``)."""
    url = web_address(path)
    if url is not None:
        return _check_web_page(url, period, fetch or FetchLimits(), limits)
    path = Path(path)
    faults.hang_if_named(path)
    try:
        doc = parse_document(
            path,
            region=period.region,
            year=period.year,
            month=period.month,
            layouts=layouts_of(period),
            limits=limits,
            ocr=ocr,
        )
    except DocumentError as exc:
        # a period error keeps what was read of the period (a missing region only)
        read = getattr(exc, "period", (None, None, None))
        return rejected_document(path, exc.check, exc.problem, period=read)
    except TimedOut:  # a page of a scan read by a worker that was stopped
        return parse_timed_out(path, limits.parse_seconds)
    except Exception as exc:  # a reader's own failure on a malformed file: still the file's fault
        log.debug("unexpected error reading %s", path, exc_info=True)
        return rejected_document(
            path,
            "readable",
            _("could not be read ({name}: {exc})").format(name=type(exc).__name__, exc=exc),
        )
    return checked_document(doc, path)


def parse_timed_out(path: str | Path, seconds: float) -> DocumentResult:
    """A document whose parse ran past ``ParseLimits.parse_seconds``: stopped and rejected."""
    problem = _(
        "parsing took longer than {seconds:g} s (the limit, --parse-timeout): stopped; "
        "a monthly report parses in seconds"
    ).format(seconds=seconds)
    url = web_address(path)
    if url is None:
        return rejected_document(Path(path), LimitExceeded.check, problem)
    rejected = rejected_document(Path(page_name(url)), LimitExceeded.check, problem, sha256="")
    return fetched_from(url, rejected)


def checked_document(doc: ParsedDocument, path: Path) -> DocumentResult:
    """A parsed document's rows validated: what loads, what is quarantined, every issue."""
    # pandera: imported where rows are validated (a worker process, or a run in threads)
    from schemas.progress import validate_rows

    known_items = frozenset(r.item_no for r in doc.rejected if r.item_no is not None)
    validated = validate_rows(
        doc.rows,
        region=str(doc.region),
        year=int(doc.year or 0),
        month=int(doc.month or 0),
        source_name=doc.source_name,
        known_items=known_items,
    )
    quarantined = sorted(
        [*doc.rejected, *validated.quarantined],
        key=lambda r: r.location.sort_key(),
    )
    parse_issues = [issue for row in doc.rejected for issue in row.issues]
    # In document order, as someone checking the file reads it; whole-document issues first.
    issues = sorted(
        [*doc.issues, *parse_issues, *validated.issues],
        key=lambda i: i.location.sort_key(),
    )
    kept = len(validated.rows)
    if kept == 0 and not quarantined:
        return rejected_document(
            path,
            "table_rows",
            _("the table has a header but no rows"),
            sha256=doc.source_sha256,
            fmt=doc.source_format,
            period=(doc.region, doc.year, doc.month),
        )
    status = "loaded" if not quarantined else ("partial" if kept else "rejected")
    return DocumentResult(
        path=str(path),
        source=doc.source,
        status=status,
        rows=validated.rows,
        quarantined=quarantined,
        issues=issues,
        ocr_cells=doc.ocr_cells,
    )


def _check_web_page(
    url: str, period: PeriodOptions, fetch: FetchLimits, limits: ParseLimits
) -> DocumentResult:
    """Fetch the page and check it as a document named after its address."""
    try:
        page = fetch_page(url, fetch)
    except FetchError as exc:
        rejected = rejected_document(Path(page_name(url)), exc.check, exc.problem, sha256="")
        return fetched_from(url, rejected)
    try:
        doc = parse_bytes(
            page.data,
            page.name,
            region=period.region,
            year=period.year,
            month=period.month,
            layouts=layouts_of(period),
            limits=limits,
        )
    except DocumentError as exc:
        rejected = rejected_document(
            Path(page.name), exc.check, exc.problem, sha256=hashlib.sha256(page.data).hexdigest()
        )
        return fetched_from(url, rejected, page.data)
    return fetched_from(url, checked_document(doc, Path(page.name)), page.data)


def fetched_from(url: str, result: DocumentResult, data: bytes | None = None) -> DocumentResult:
    """A page's result as a result of its address: its path and source's ``url`` are ``url``,
    its bytes (``data``) kept to be archived."""
    return replace(result, path=url, source=replace(result.source, url=url), source_bytes=data)


def checked_from_same_bytes(
    documents: Sequence[str | Path], checked: Mapping[str, DocumentResult]
) -> list[DocumentResult] | None:
    """The results in ``checked`` (by path) of ``documents``, in their order, when every one
    was read from the bytes it holds now: a file's sha256 now is the one read, a fetched page
    is loaded from the bytes kept when it was read. None when any document has no such
    result (a file changed, a page not fetched): they are to be read and checked again."""
    found = []
    for document in documents:
        result = checked.get(str(document))
        if result is None or not result.source_sha256:
            return None
        now: str | None = None
        if result.source_bytes is not None:
            now = hashlib.sha256(result.source_bytes).hexdigest()
        elif result.source_url is None:
            now = _sha256(Path(document))
        if now != result.source_sha256:
            return None
        found.append(result)
    return found


def _period_label(result: DocumentResult) -> str:
    assert result.year is not None and result.month is not None  # a period to repeat is known
    return period(result.region, result.year, result.month)


def reject_repeated_periods(results: list[DocumentResult]) -> list[DocumentResult]:
    """A period reported by two documents in one run: the first is used, the others rejected.

    An identical copy of a document (same bytes) is rejected too, with a message that says so.
    """
    seen: dict[tuple, DocumentResult] = {}
    out: list[DocumentResult] = []
    for result in results:
        if result.status == "rejected" and result.region is None:
            out.append(result)
            continue
        first = seen.get(result.period)
        if first is None:
            seen[result.period] = result
            out.append(result)
            continue
        if first.source_sha256 == result.source_sha256:
            problem = _("identical to {source_name} in this run; read once").format(
                source_name=first.source_name
            )
        else:
            problem = _(
                "{period} is also reported by {source_name} in this run; ingest one report "
                "per period (the later one replaces the earlier)"
            ).format(period=_period_label(result), source_name=first.source_name)
        issue = Issue(result.source_name, "period_repeated", problem, action="document rejected")
        # Nothing read is dropped: a different report of the period keeps its rows in quarantine.
        kept = (
            []
            if first.source_sha256 == result.source_sha256
            else [*rows_as_rejected(result.rows, issue), *result.quarantined]
        )
        out.append(
            replace(
                result,
                status="rejected",
                rows=result.rows.iloc[0:0],
                quarantined=kept,
                issues=[issue],
                problem=problem,
            )
        )
    return out


def rows_as_rejected(rows: pd.DataFrame, issue: Issue) -> list[RejectedRow]:
    """Parsed rows that are not loaded, as quarantine rows carrying ``issue`` as the reason."""

    return [
        RejectedRow(
            Location.of_row(row),
            str(row.get("raw")),
            (issue,),
            item_no=None if pd.isna(row.get("item_no")) else int(row["item_no"]),
        )
        for row in rows.to_dict("records")
    ]


def quarantine_frame(result: DocumentResult) -> pd.DataFrame:
    """The rejected rows of a document as ``quarantine`` table rows."""
    return pd.DataFrame(
        {
            "source_page": pd.Series([r.location.page for r in result.quarantined], dtype="Int64"),
            "source_row": pd.Series([r.location.row for r in result.quarantined], dtype="Int64"),
            "source_line": pd.Series([r.location.line for r in result.quarantined], dtype="Int64"),
            "raw": pd.Series([r.raw for r in result.quarantined], dtype="object"),
            "reasons": pd.Series([r.reasons for r in result.quarantined], dtype="object"),
            "item_no": pd.Series([r.item_no for r in result.quarantined], dtype="Int64"),
        }
    )


def issue_record(issue: Issue) -> dict[str, object]:
    """An issue as the validation report and ``validation_issues`` show it."""
    loc: Location = issue.location
    return {
        "source_page": loc.page,
        "source_row": loc.row,
        "source_line": loc.line,
        "column": issue.column,
        "check": issue.check,
        "value": issue.value,
        "severity": issue.severity,
        "message": issue.message,
        "action": issue.action,
        "rule": describe_rule(issue.check),
        "image": issue.image,
    }
