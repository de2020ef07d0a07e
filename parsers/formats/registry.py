"""The one list of formats: each suffix, the format it is stored as, and where its reader is.

Every list a user reads (the "not a report" message, ``ingest --help``, discovery of a
folder's files) is built from ``FORMATS``. Readers are named, not imported, so listing the
formats costs no import of pandas, lxml or the OCR engine: ``parsers.document`` imports a
reader the first time a file of its kind is read.

Adding a format is one module under ``parsers/formats/`` with a reader
``read_x(data, source_name, limits, *, layouts=None) -> TableRead`` and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from i18n import pgettext
from parsers.formats.legacy import LEGACY_FORMATS
from parsers.formats.ocr.runner import IMAGE_SUFFIXES


class Kind(StrEnum):
    """How a format is read, which is how the user-facing lists group it."""

    DIRECT = "direct"
    #: Read by OCR: the reader is handed the run's ``OcrRunner``.
    SCAN = "scan"
    #: Converted by LibreOffice first (only where it is installed).
    LEGACY = "legacy"


@dataclass(frozen=True)
class Format:
    #: As stored in ``reports.source_format``.
    name: str
    #: ``"module:function"`` of its reader, imported on first use.
    reader: str
    kind: Kind = Kind.DIRECT
    #: The reader takes the run's ``OcrRunner`` (a PDF may hold scanned pages).
    reads_scans: bool = False


FORMATS: dict[str, Format] = {
    ".txt": Format("txt", "parsers.formats.text.reader:read_text"),
    # A sheet saved as text or CSV: the text reader finds its separator (tab, comma) itself.
    ".tsv": Format("tsv", "parsers.formats.text.reader:read_text"),
    ".csv": Format("csv", "parsers.formats.text.reader:read_text"),
    ".docx": Format("docx", "parsers.formats.docx.reader:read_docx"),
    ".pdf": Format("pdf", "parsers.formats.pdf:read_pdf", reads_scans=True),
    ".html": Format("html", "parsers.formats.html:read_html_bounded"),
    ".htm": Format("html", "parsers.formats.html:read_html_bounded"),
    ".xlsx": Format("xlsx", "parsers.formats.xlsx:read_xlsx"),
    ".xlsm": Format("xlsm", "parsers.formats.xlsx:read_xlsx"),
    **{
        suffix: Format(suffix[1:], "parsers.formats.legacy:read_legacy", Kind.LEGACY)
        for suffix in LEGACY_FORMATS
    },
    **{
        suffix: Format("image-ocr", "parsers.formats.ocr:read_image_file", Kind.SCAN, True)
        for suffix in IMAGE_SUFFIXES
    },
}

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FORMATS)


def suffix_lists() -> tuple[str, str, str]:
    """The suffixes read directly, as scans and through LibreOffice, each joined in the run's
    language."""
    join = pgettext("list of file suffixes", ", ").join
    return (
        join(s for s, f in FORMATS.items() if f.kind is Kind.DIRECT),
        join(s for s, f in FORMATS.items() if f.kind is Kind.SCAN),
        join(s for s, f in FORMATS.items() if f.kind is Kind.LEGACY),
    )
