"""One loader writing to a warehouse at a time, across processes on this machine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from warehouse import DatabaseBusy


def lock_path(db: str | Path) -> Path:
    """The lock file beside the database: ``minsheng.duckdb`` → ``minsheng.duckdb.lock``."""
    db = Path(db)
    return db.with_name(db.name + ".lock")


@contextmanager
def writer_lock(
    db: str | Path, *, wait_seconds: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting up to ``wait_seconds`` for another loader.

    DuckDB itself refuses a second writing process, but only while the file is open; this lock
    covers a loader's whole run (every document of it) and works the same for the command line,
    a served deployment and workers sharing a disk. Raises ``DatabaseBusy`` after the wait.
    """
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        # The same words as when DuckDB's own lock makes a connection wait (warehouse.db).
        if on_wait is not None:
            on_wait(
                f"{db} is in use by another process; waiting up to {wait_seconds:.0f} s "
                "for it to finish"
            )
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise DatabaseBusy(
                f"{db} is locked by another process for more than {wait_seconds:.0f} s; "
                "try again when it has finished"
            ) from None
        if on_wait is not None:
            on_wait(f"{db} is free now; continuing")
    try:
        yield
    finally:
        lock.release()
