"""Who hears of each document parsed: the command line draws a progress bar from it.

A run reports each parsed document to the listeners registered here; a run with nobody
listening (a served deployment, a test) reports to no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[int, int, str], None]  # (documents done, documents in all, file just done)

_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` for each document parsed by runs started inside this block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def document_parsed(done: int, total: int, name: str) -> None:
    """Tell every listener that ``name`` is parsed, the ``done``-th of ``total``."""
    for listener in list(_listeners):
        listener(done, total, name)
