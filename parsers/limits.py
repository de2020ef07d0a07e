"""What one document may cost to read: size, inflation, pages, time, and how long a cell shows.

Every bound a hostile or broken file can hit is here, with a default that a real year of
reports never reaches (a monthly report is a few hundred KB, a 7-page PDF, under a second
to parse). A document over a bound is rejected with a message naming the bound; the run
goes on with the others. The command line builds these from its options (``--max-pages``,
``--parse-timeout``).
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n import _
from parsers.errors import LimitExceeded

MB = 1024 * 1024


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on reading one document; see the README's "Security and limits"."""

    #: Size of the file as given.
    max_file_bytes: int = 100 * MB
    #: What the parts of a .docx/.xlsx inflate to together (photos included).
    max_unzipped_bytes: int = 100 * MB
    #: What one XML part of a .docx/.xlsx inflates to: the XML is parsed into memory, which
    #: takes several times its size, so this is what bounds a reader's memory.
    max_xml_part_bytes: int = 20 * MB
    #: Pages of a PDF or frames of a TIFF (a monthly report has fewer than 20).
    max_pages: int = 300
    #: Pixels of one scanned page image (an A4 page scanned at 600 dpi has about 35 million).
    max_page_pixels: int = 60_000_000
    #: Seconds one document may take to parse (``--parse-timeout``): past it, the worker
    #: process parsing it is killed, or a parse in the main thread is stopped by an alarm
    #: (``pipelines.core.parallelism``).
    parse_seconds: float = 120.0
    #: Characters of a cell shown on the terminal and in reports; the warehouse keeps it whole.
    display_chars: int = 500

    def __post_init__(self) -> None:
        for name in (
            "max_file_bytes",
            "max_unzipped_bytes",
            "max_xml_part_bytes",
            "max_pages",
            "max_page_pixels",
        ):
            if getattr(self, name) < 1:
                raise ValueError(
                    _("{name} must be 1 or more, not {value}").format(
                        name=name, value=getattr(self, name)
                    )
                )
        if not self.parse_seconds > 0:
            raise ValueError(
                _("parse_seconds must be above 0, not {parse_seconds}").format(
                    parse_seconds=self.parse_seconds
                )
            )
        if self.display_chars < 10:
            raise ValueError(
                _("display_chars must be 10 or more, not {display_chars}").format(
                    display_chars=self.display_chars
                )
            )


DEFAULT_LIMITS = ParseLimits()


def too_many_pages(
    source_name: str, pages: int, limits: ParseLimits, kind: str = "PDF"
) -> LimitExceeded:
    """A PDF (``kind`` "PDF") or a multi-page image file (``kind`` "image file") too long."""
    problem = (
        _(
            "the PDF has {pages:,} pages, more than {max_pages:,} (the limit, --max-pages): a "
            "monthly report has far fewer; not read"
        )
        if kind == "PDF"
        else _(
            "the image file has {pages:,} pages, more than {max_pages:,} (the limit, "
            "--max-pages): a monthly report has far fewer; not read"
        )
    )
    return LimitExceeded(source_name, problem.format(pages=pages, max_pages=limits.max_pages))


def byte_size(size: int) -> str:
    """``104857600`` → ``'100 MB'``, ``1000`` → ``'1,000 bytes'``, for messages."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size // MB} MB" if size % MB == 0 else f"{size / MB:.1f} MB"


def shorten(text: str, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``text`` cut to ``limit`` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return _("{text}… ({more:,} more characters)").format(text=text[:limit], more=len(text) - limit)
