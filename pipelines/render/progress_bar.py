"""The terminal's progress bar over the documents of a run, and a line per scanned page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from i18n import _
from parsers.formats.ocr import PageDone
from pipelines.execution.listeners import Listener, listening_to_pages
from pipelines.render.terminal import for_terminal


@contextmanager
def parse_progress(console: Console, total: int, label: str) -> Iterator[Listener]:
    """A bar on ``console`` (shown only on a terminal, and for more than one document)."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[name]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal or total < 2,
    )
    bar = progress.add_task(label, total=total, name="")

    def advance(done: int, _total: int, name: str) -> None:
        # the column is markup: a file name with [/] in it must show as written
        progress.update(bar, completed=done, name=for_terminal(name))

    with progress:
        yield advance


@contextmanager
def page_progress(console: Console) -> Iterator[None]:
    """A line on ``console`` for each page of a scan read by OCR (only on a terminal)."""
    if not console.is_terminal:
        yield
        return

    def line(done: PageDone) -> None:
        console.print(
            Text(
                _("OCR {name}  page {page} of {pages}  ({seconds:.1f} s)").format(
                    name=done.source_name, page=done.page, pages=done.pages, seconds=done.seconds
                ),
                style="dim",
            )
        )

    with listening_to_pages(line):
        yield
