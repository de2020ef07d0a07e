"""An analyst's query and the printing of its result in a process of its own, bounded.

DuckDB's ``interrupt()`` and its ``memory_limit`` do not reach inside one scalar function:
``repeat('x', 2000000000)`` builds its 2 GB string past both (23 s and 4 GB measured with a
5 s timeout and a 2 GB limit). So ``minsheng sql`` runs the query, and renders what it
prints, in a forked child whose address space may grow by ``process_memory_bytes`` only (an
allocation past it fails at once, as DuckDB's "Out of Memory Error") and which is killed at
``timeout_seconds`` whatever it is doing — printing included.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

from i18n import _
from limits import QueryLimits, byte_size
from warehouse.analysis import QueryTimeout
from warehouse.db import WarehouseError

T = TypeVar("T")


class QueryTooLarge(WarehouseError):
    """A query (or its printing) needed more memory than its process may take."""


def _address_space() -> int:
    """This process's virtual size in bytes (what ``RLIMIT_AS`` counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(work: Callable[[], T], memory_bytes: int, sender: Connection) -> None:
    limit = _address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        outcome: tuple[str, object] = ("ok", work())
    except MemoryError:
        outcome = ("memory", None)
    except WarehouseError as exc:
        text = str(exc)
        outcome = ("memory", None) if "Out of Memory" in text else ("error", exc)
    except BaseException as exc:  # sent back whole: the parent says it in one line
        outcome = ("error", WarehouseError(f"{type(exc).__name__}: {exc}"))
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    sender.close()


def run_bounded(work: Callable[[], T], limits: QueryLimits) -> T:
    """``work()`` in a forked child bounded by ``limits`` (time and memory); its result.

    A ``WarehouseError`` raised by ``work`` is raised here; past the time the child is killed
    and ``QueryTimeout`` raised; past the memory, ``QueryTooLarge``.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(work, limits.process_memory_bytes, sender), daemon=True
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + limits.timeout_seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout(timeout_message(limits))
            if receiver.poll(min(left, 0.5)):
                try:
                    kind, value = receiver.recv()
                except EOFError:  # the child died without a word (killed by the kernel)
                    raise QueryTooLarge(memory_message(limits)) from None
                break
            if not child.is_alive() and not receiver.poll(0):
                raise QueryTooLarge(memory_message(limits))
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if kind == "memory":
        raise QueryTooLarge(memory_message(limits))
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def timeout_message(limits: QueryLimits) -> str:
    """The same words as a query DuckDB interrupts (the time counts the printing too)."""
    return _(
        "query stopped after {timeout_seconds:g} s (the timeout): narrow it with "
        "WHERE or LIMIT, or pass a longer --timeout"
    ).format(timeout_seconds=limits.timeout_seconds)


def memory_message(limits: QueryLimits) -> str:
    return _(
        "query stopped: it needed more than {size} of memory (the limit, "
        "QueryLimits.process_memory_bytes); build smaller values (repeat, lpad, range, …) or "
        "select fewer rows"
    ).format(size=byte_size(limits.process_memory_bytes))
