"""What one document may cost to read, as the parsers see it: ``ParseLimits`` and its
defaults (defined with every other bound in the top-level ``limits``), and how a long cell
is shortened for display.

A document over a bound is rejected with a message naming the bound; the run goes on with
the others. The command line builds these from its options (``--max-pages``,
``--parse-timeout``).
"""

from __future__ import annotations

from limits import DEFAULTS, MB, ParseLimits, byte_size

__all__ = ["DEFAULT_LIMITS", "MB", "ParseLimits", "byte_size", "shorten"]

DEFAULT_LIMITS = DEFAULTS.parse


def shorten(text: str, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``text`` cut to ``limit`` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"
