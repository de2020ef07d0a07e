"""The terminal's progress bar over the documents of a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines.cli.terminal import for_terminal
from pipelines.core.listeners import Listener


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
