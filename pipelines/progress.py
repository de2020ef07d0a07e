"""Telling the terminal how far the parse tasks of a run have got.

The flow reports each finished document here; the command line listens and draws a progress
bar. A run with nobody listening (a served deployment, a test) reports to no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from prefect.futures import PrefectFuture

T = TypeVar("T")
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


def gather_in_order(futures: Sequence[PrefectFuture[T]], names: Sequence[Any]) -> list[T]:
    """Wait for every future, reporting each as it finishes; results in submission order."""
    from prefect.futures import as_completed

    index = {id(future): i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for done, future in enumerate(as_completed(list(futures)), start=1):
        i = index[id(future)]
        results[i] = future.result()
        for listener in list(_listeners):
            listener(done, len(futures), str(names[i]))
    return results
