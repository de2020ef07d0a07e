"""The terminal's progress bar over the documents of a run, and a line per scanned page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.text import Text

from i18n import _
from parsers.formats.ocr import PageDone
from pipelines.execution.progress import Progress
from pipelines.render.terminal import for_terminal


@contextmanager
def terminal_progress(console: Console, total: int, label: str) -> Iterator[Progress]:
    """The run's progress on ``console``: a bar over its documents (shown only on a terminal,
    and for more than one document) and a line per page of a scan (only on a terminal)."""
    bars = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[name]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal or total < 2,
    )
    bar = bars.add_task(label, total=total, name="")

    def advance(done: int, _total: int, name: str) -> None:
        # the column is markup: a file name with [/] in it must show as written
        bars.update(bar, completed=done, name=for_terminal(name))

    def line(done: PageDone) -> None:
        if not console.is_terminal:
            return
        console.print(
            Text(
                _("OCR {name}  page {page} of {pages}  ({seconds:.1f} s)").format(
                    name=done.source_name, page=done.page, pages=done.pages, seconds=done.seconds
                ),
                style="dim",
            )
        )

    with bars:
        yield Progress(document_done=advance, page_done=line)
