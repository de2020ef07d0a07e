"""The warehouse's writer lock: one loader at a time, across processes on this machine."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from i18n import _
from warehouse.db import WarehouseError, busy_error, free_message, waiting_message


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # filelock takes a lock file it cannot create for one held by someone else and waits:
        # open it first, so that only a real lock makes us wait.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        raise WarehouseError(
            _("cannot create the lock file {path}: {strerror}").format(
                path=path, strerror=exc.strerror
            )
        ) from None
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(waiting_message(db, wait_seconds))
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise busy_error(db, wait_seconds) from None
        if on_wait is not None:
            on_wait(free_message(db))
    try:
        yield
    finally:
        lock.release()
