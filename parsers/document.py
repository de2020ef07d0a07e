"""``parse_document``: one entry point for every format, one row shape out."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from parsers.errors import UnreadableDocument, UnsupportedFormat
from parsers.grid import grid_to_rows
from parsers.model import ParsedDocument, TableRead
from parsers.ocr.runner import IMAGE_SUFFIXES, SERIAL, OcrRunner, require_ocr
from parsers.period import (
    PeriodHint,
    hint_from_filename,
    hint_from_title,
    resolve_period,
)
from parsers.text import read_text

Reader = Callable[[bytes, str], TableRead]


def _read_image(data: bytes, source_name: str, ocr: OcrRunner = SERIAL) -> TableRead:
    require_ocr(source_name)
    from parsers.ocr.reader import read_image

    return read_image(data, source_name, ocr)


def _readers(ocr: OcrRunner = SERIAL) -> dict[str, tuple[str, Reader]]:
    readers: dict[str, tuple[str, Reader]] = {".txt": ("txt", read_text)}
    for suffix in IMAGE_SUFFIXES:
        readers[suffix] = ("image-ocr", functools.partial(_read_image, ocr=ocr))
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
        readers[".pdf"] = ("pdf", functools.partial(read_pdf, ocr=ocr))
    return readers


SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf", *IMAGE_SUFFIXES)


def source_format(path: str | Path) -> str | None:
    """``'txt'``, ``'docx'``, ``'pdf'`` or ``'image-ocr'`` for a supported file name, else None.

    A PDF read by OCR is ``'pdf-ocr'``; only reading it tells.
    """
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image-ocr"
    return suffix[1:] if suffix in SUPPORTED_SUFFIXES else None


def parse_bytes(
    data: bytes,
    source_name: str,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    ocr: OcrRunner = SERIAL,
) -> ParsedDocument:
    """Parse a document held in memory; ``source_name`` gives its format and period hints.

    Scanned pages and image files are read by OCR through ``ocr`` (serially by default).
    """
    suffix = Path(source_name).suffix.lower()
    readers = _readers(ocr)
    if suffix == ".doc":
        raise UnsupportedFormat(
            source_name, "an old Word (.doc) file: open it in Word and save it as .docx"
        )
    if suffix not in readers:
        raise UnsupportedFormat(
            source_name,
            f"'{suffix or '(none)'}' files are not reports: use .txt, .docx, .pdf or a scan "
            "(.png, .jpg, .tif)",
        )
    fmt, reader = readers[suffix]
    table = reader(data, source_name)
    rows, rejected = grid_to_rows(table.grid, source_name)
    issues = list(table.issues)
    if table.ocr_cells:
        from parsers.ocr.correct import correct_near_misses, document_names

        rows, corrections = correct_near_misses(
            rows, table.ocr_cells, [document_names(rows, table.ocr_cells)], source_name
        )
        issues += corrections
    rejected = sorted(
        [*table.rejected, *rejected],
        key=lambda r: r.location.sort_key(),
    )
    resolved_region, resolved_year, resolved_month, period_issues = resolve_period(
        source_name,
        option=PeriodHint(region, year, month),
        title=hint_from_title(table.title or ""),
        filename=hint_from_filename(Path(source_name).name),
        header_month=table.header_month,
    )
    return ParsedDocument(
        source_name=source_name,
        source_format=table.source_format or fmt,
        source_sha256=hashlib.sha256(data).hexdigest(),
        region=resolved_region,
        year=resolved_year,
        month=resolved_month,
        rows=rows,
        rejected=rejected,
        issues=[*period_issues, *issues],
        title=table.title,
        ocr_cells=table.ocr_cells,
    )


def parse_document(
    path: str | Path,
    *,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
    ocr: OcrRunner = SERIAL,
) -> ParsedDocument:
    """Parse one report (.txt, .docx, .pdf or a scan) into progress rows, without Prefect or
    DuckDB."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(path.name, f"cannot read the file ({exc.strerror})") from None
    return parse_bytes(data, path.name, region=region, year=year, month=month, ocr=ocr)
