"""Markdown for Prefect artifacts: text from documents shown as written, never as markup.

A cell of a report may hold raw HTML (``<script>``), a link (``[x](javascript:…)``), a
``|`` that would end a table cell or a line break that would end a table row. HTML is
written as entities, line breaks as spaces, other control characters and direction marks as
escapes (``\\x1b``, ``\\u202e``), and the punctuation that makes inline markup
is backslash-escaped, so what a document says is what the Prefect UI shows.
"""

from __future__ import annotations

import html
import re

from parsers.controls import show_controls
from parsers.limits import DEFAULT_LIMITS, shorten

# What makes markup inside a table cell: emphasis with *, code, links and images (a link needs its
# [text] first), strikethrough, the cell separator; < and & are written as entities.
_PUNCTUATION = re.compile(r"([\\`*\[\]|~!])")
_BREAKS = re.compile(r"[\r\n\t\v\f]+")


def markdown_text(value: object, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``value`` as Markdown that shows it literally, on one line, shortened past ``limit``."""
    text = show_controls(_BREAKS.sub(" ", shorten(str(value), limit)))
    return _PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))
