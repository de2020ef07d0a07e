"""Text from documents and the warehouse for the terminal, shown exactly as written.

rich reads ``[...]`` in a printed string as markup (``[/]`` raises, ``[red]`` recolours),
a line break inside a file name or cell would break the line layout, an escape sequence or
a direction override would act on the terminal (``parsers.controls``), and a long cell would
fill the screen. Every value from outside goes through ``for_terminal`` once, where it is
printed; our own markup around it stays.
"""

from __future__ import annotations

from rich.markup import escape

from parsers.controls import show_controls
from parsers.limits import DEFAULT_LIMITS, shorten
from parsers.names import printable


def for_terminal(value: object, limit: int = DEFAULT_LIMITS.display_chars) -> str:
    """``value`` as rich markup that prints it literally on one line, shortened past ``limit``."""
    return escape(show_controls(shorten(printable(str(value)), limit)))
