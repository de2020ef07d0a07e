"""What one document may cost to read, as the parsers see it: ``ParseLimits`` and its
defaults (defined with every other bound in the top-level ``limits``), and how a long cell
is shortened for display.

A document over a bound is rejected with a message naming the bound; the run goes on with
the others. The command line builds these from its options (``--max-pages``,
``--parse-timeout``).
"""

from __future__ import annotations

from i18n import _
from limits import DEFAULTS, MB, ParseLimits, byte_size
from parsers.errors import LimitExceeded

__all__ = ["DEFAULT_LIMITS", "MB", "ParseLimits", "byte_size", "shorten", "too_many_pages"]

DEFAULT_LIMITS = DEFAULTS.parse


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


def shorten(text: str, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``text`` cut to ``limit`` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return _("{text}… ({more:,} more characters)").format(text=text[:limit], more=len(text) - limit)
