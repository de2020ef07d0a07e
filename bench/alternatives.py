"""The naive ways to read the same tables, to measure our parsers against."""

from __future__ import annotations

from pathlib import Path


def pdf_extract_tables(path: Path) -> list[list[list[str | None]]]:
    """pdfplumber alone: ``page.extract_tables()`` on every page, nothing joined."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [table for page in pdf.pages for table in page.extract_tables()]


def camelot_lattice(path: Path) -> list[object] | None:
    """camelot's lattice mode on every page, or None when camelot is not installed."""
    try:
        import camelot
    except Exception:  # not installed, or its native parts missing
        return None
    return list(camelot.read_pdf(str(path), pages="all", flavor="lattice"))
