"""What a run tells of its progress while it works: each document read and checked, and each
page of a scan read by OCR in this process.

The caller passes its own ``Progress`` into the run (the command line's bar, the web page's
counters); the default, ``SILENT``, tells no one (a served deployment, a test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from parsers.formats.ocr import PageDone

DocumentDone = Callable[[int, int, str], None]  # (documents done, documents in all, file just done)
PageRead = Callable[[PageDone], None]  # a page of a scan read by OCR


def _no_document(done: int, total: int, name: str) -> None:
    pass


def _no_page(done: PageDone) -> None:
    pass


@dataclass(frozen=True)
class Progress:
    """Whom a run tells as it goes: ``document_done(done, total, name)`` as each document is
    read and checked, in the order they finish; ``page_done(page)`` as each page of a scan is
    read where the run can hear it (a scan read whole in a worker process is not heard page
    by page)."""

    document_done: DocumentDone = _no_document
    page_done: PageRead = _no_page


SILENT = Progress()
