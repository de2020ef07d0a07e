"""Who hears of each document parsed: the command line draws a progress bar from it.

A run reports each parsed document, and each page of a scan read by OCR, to the listeners
registered here; a run with nobody listening (a served deployment, a test) reports to no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from parsers.formats.ocr import PageDone

Listener = Callable[[int, int, str], None]  # (documents done, documents in all, file just done)
PageListener = Callable[[PageDone], None]  # a page of a scan read by OCR

_listeners: list[Listener] = []
_page_listeners: list[PageListener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` for each document parsed by runs started inside this block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


@contextmanager
def listening_to_pages(listener: PageListener) -> Iterator[None]:
    """Call ``listener`` for each scanned page OCR'd by runs started inside this block."""
    _page_listeners.append(listener)
    try:
        yield
    finally:
        _page_listeners.remove(listener)


def page_read(done: PageDone) -> None:
    """Tell every page listener that a page of a scan was read."""
    for listener in list(_page_listeners):
        listener(done)


def document_parsed(done: int, total: int, name: str) -> None:
    """Tell every listener that ``name`` is parsed, the ``done``-th of ``total``."""
    for listener in list(_listeners):
        listener(done, total, name)
