"""Text from documents and the warehouse for the terminal, shown exactly as written.

rich reads ``[...]`` in a printed string as markup (``[/]`` raises, ``[red]`` recolours),
a line break inside a file name or cell would break the line layout, and a long cell would
fill the screen. Every value from outside goes through ``for_terminal`` once, where it is
printed; our own markup around it stays.
"""

from __future__ import annotations

import re

from rich.markup import escape

from parsers.limits import DEFAULT_LIMITS, shorten
from parsers.names import printable

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def for_terminal(value: object, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``value`` as rich markup that prints it literally on one line, shortened past ``limit``."""
    text = shorten(printable(str(value)), limit)
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return escape(text)
