"""Opening the DuckDB file: schema on write connections, read-only for queries, lock waits.

The words a waiting process prints are defined here once; ``warehouse.locking`` uses them too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd

from i18n import _

if TYPE_CHECKING:
    import duckdb


class WarehouseError(Exception):
    """A database problem, with a message fit to show a user."""


class DatabaseBusy(WarehouseError):
    """Another process holds the database's write lock for longer than we wait."""


if TYPE_CHECKING:
    #: An open warehouse, as ``connect`` returns it; the layers above name it by this (in
    #: type hints only: importing DuckDB is left to what opens the warehouse).
    Connection: TypeAlias = duckdb.DuckDBPyConnection


@contextmanager
def write_failures_as_warehouse_errors(db: str | Path) -> Iterator[None]:
    """A full or read-only disk met while writing ``db`` (the transaction rolled back) as a
    ``WarehouseError`` naming the file and DuckDB's or the system's first line: the caller
    never sees DuckDB's own exceptions."""
    import duckdb

    try:
        yield
    except (duckdb.IOException, duckdb.TransactionException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseError(_("cannot write {db}: {first}").format(db=db, first=first)) from None


@contextmanager
def transaction(conn: Connection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises.

    An interrupt can land between a COMMIT that returned and the end of the block: there is
    nothing left to roll back, and DuckDB's "no transaction is active" must not replace the
    interrupt (a run that committed would then say it could not write).
    """
    import duckdb

    conn.execute("BEGIN TRANSACTION")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass
        raise


def waiting_message(path: str | Path, wait_seconds: float) -> str:
    """What a process says when another one holds the warehouse (DuckDB's or our lock)."""
    return _(
        "{path} is in use by another process; waiting up to {seconds:.0f} s for it to finish"
    ).format(path=path, seconds=wait_seconds)


def free_message(path: str | Path) -> str:
    """What a waiting process says when the warehouse is free again."""
    return _("{path} is free now; continuing").format(path=path)


def busy_error(path: str | Path, wait_seconds: float) -> DatabaseBusy:
    """The error when the warehouse stayed locked for longer than we wait."""
    return DatabaseBusy(
        _(
            "{path} is locked by another process for more than {seconds:.0f} s; try again when "
            "it has finished"
        ).format(path=path, seconds=wait_seconds)
    )


def load_sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return resources.files("warehouse").joinpath("sql", f"{name}.sql").read_text("utf-8")


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_seconds: float = 120.0,
    on_wait: Callable[[str], None] | None = None,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a write connection creates the tables and views if needed.

    DuckDB lets one process at a time open a file for writing. If another holds it, wait
    and retry (telling ``on_wait`` once) for up to ``wait_seconds`` before giving up.
    ``config`` holds DuckDB settings applied as the connection opens.
    """
    import duckdb

    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(
            _("no database at {path}: run 'minsheng ingest' first or pass --db").format(path=path)
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    told = False
    delay = 0.1
    while True:
        try:
            conn = duckdb.connect(str(path), read_only=read_only, config=config or {})
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(
                    _("cannot open {path}: {error}").format(path=path, error=exc)
                ) from None
            if time.monotonic() >= deadline:
                raise busy_error(path, wait_seconds) from None
            if on_wait is not None and not told:
                on_wait(waiting_message(path, wait_seconds))
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        except duckdb.Error as exc:
            raise WarehouseError(
                _("cannot open {path}: {error}").format(path=path, error=exc)
            ) from None
    if told and on_wait is not None:
        on_wait(free_message(path))
    if not read_only:
        _allow_info_severity(conn)
        conn.execute(load_sql("schema"))
        conn.execute(load_sql("views"))
    return conn


def _allow_info_severity(conn: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``validation_issues`` of a warehouse whose severity check lacks 'info'.

    DuckDB cannot drop a CHECK constraint, so the table is renamed, made again from the
    schema, and refilled, in one transaction.
    """
    old = conn.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'validation_issues' "
        "AND constraint_type = 'CHECK' AND expression LIKE '%''warning''%' "
        "AND expression NOT LIKE '%''info''%'"
    ).fetchone()
    if not old or not old[0]:
        return
    with transaction(conn):
        conn.execute("ALTER TABLE validation_issues RENAME TO validation_issues_before_info")
        conn.execute(load_sql("schema"))
        conn.execute(
            "INSERT INTO validation_issues BY NAME SELECT * FROM validation_issues_before_info"
        )
        conn.execute("DROP TABLE validation_issues_before_info")


def read_only_query(
    path: str | Path, statement: str, *, on_wait: Callable[[str], None] | None = None
) -> pd.DataFrame:
    """Run one statement on a read-only connection; errors come back as WarehouseError.

    While an ingest writes, DuckDB refuses even readers: ``on_wait`` hears that we wait.
    """
    import duckdb

    conn = connect(path, read_only=True, on_wait=on_wait)
    try:
        return conn.execute(statement).df()
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseError(message) from None
    finally:
        conn.close()
