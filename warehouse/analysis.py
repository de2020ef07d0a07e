"""The analysts' sandbox: one query on a connection that can read the warehouse and nothing else.

DuckDB's ``read_only`` protects only the warehouse file: such a connection still writes other
files (``COPY … TO``), reads any file (``read_csv('/etc/passwd')``), attaches other databases
for writing, installs extensions and changes settings. So the analysts' connection also turns
external access off, autoinstall and autoload off, spills into a private temp folder, and
then locks the configuration, so no statement can turn them back on. The one exception: the
folders ``minsheng export`` wrote Parquet to (recorded beside the warehouse) stay readable, so
analysts can check an export. On top of that ``run_analysis_query`` takes exactly one statement
(split by DuckDB's own parser), only of a querying kind, stops it after a timeout with
``interrupt()``, and fetches no more than a row and byte cap.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from i18n import _
from limits import DEFAULTS, QueryLimits
from warehouse.db import WarehouseError, connect
from warehouse.export import exported_folders

#: Statement kinds an analyst may run: SELECT covers WITH, FROM-first, SHOW, DESCRIBE,
#: SUMMARIZE and VALUES; PRAGMA and CALL cover ``PRAGMA show_tables``, ``CALL pragma_version()``.
QUERY_STATEMENTS = frozenset(
    {
        duckdb.StatementType.SELECT,
        duckdb.StatementType.EXPLAIN,
        duckdb.StatementType.PRAGMA,
        duckdb.StatementType.CALL,
    }
)


class QueryRefused(WarehouseError):
    """A statement the analysts' sandbox does not run (not one query, or not a query)."""


class QueryTimeout(WarehouseError):
    """A query stopped because it ran longer than its timeout."""


@dataclass(frozen=True)
class QueryResult:
    """The fetched rows; ``cut`` says whether the query had more than the caps let through."""

    frame: pd.DataFrame
    cut: str | None = None


def connect_for_analysis(
    path: str | Path,
    *,
    memory_limit: str = QueryLimits.memory_limit,
    wait_seconds: float = 120.0,
    on_wait: Callable[[str], None] | None = None,
    temp_directory: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse that cannot reach any other file or setting.

    For notebooks: ``con = warehouse.connect_for_analysis("data/minsheng.duckdb")`` then
    ``con.sql("SELECT * FROM lagging_items").df()``. File functions (``read_csv``, ``glob``,
    ``COPY … TO``), ``ATTACH``, ``INSTALL``/``LOAD`` and ``SET`` fail on it, except that the
    folders ``minsheng export`` wrote Parquet to from this warehouse can be read.

    DuckDB lets even a locked-down connection read its temp folder (``<db>.tmp`` by default,
    where anyone who can write beside the warehouse could put a file): this one spills into
    ``temp_directory``, by default a new empty folder of its own removed at exit.
    """
    conn = connect(
        path,
        read_only=True,
        wait_seconds=wait_seconds,
        on_wait=on_wait,
        config={
            "temp_directory": temp_directory or _private_temp_folder(),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": memory_limit,
        },
    )
    try:
        _close_file_access(conn, exported_folders(path))
    except duckdb.Error:
        conn.close()
        raise
    return conn


def _close_file_access(conn: duckdb.DuckDBPyConnection, readable: list[Path]) -> None:
    """External access off but for ``readable`` folders, then the configuration locked.

    DuckDB takes the allowed folders only on a started database with external access still
    on, so they are set first, before any statement of the analyst's; once locked, no
    statement can change any setting of the connection.
    """
    if readable:
        conn.execute(
            "SET allowed_directories = ?",
            [[str(folder.resolve()).rstrip("/") + "/" for folder in readable]],
        )
    conn.execute("SET enable_external_access = false")
    conn.execute("SET lock_configuration = true")


_SPILL_PREFIX = "minsheng-sql-"


def _new_spill_folder() -> str:
    """A new empty folder only this user can enter, named by this process.

    A process killed outright leaves its folder behind; the next sandbox removes the folders
    of this user's processes that no longer exist, so they do not pile up in the temp folder.
    """
    for folder in Path(tempfile.gettempdir()).glob(f"{_SPILL_PREFIX}*-*"):
        pid = folder.name[len(_SPILL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and _mine(folder):
            shutil.rmtree(folder, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{_SPILL_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mine(folder: Path) -> bool:
    try:
        return folder.is_dir() and folder.stat().st_uid == os.getuid()
    except OSError:
        return False


def _private_temp_folder() -> str:
    """A new spill folder removed when the process ends."""
    folder = _new_spill_folder()
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def single_query(conn: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one querying statement in ``sql``, or QueryRefused saying why not.

    Split with DuckDB's own parser, so a ``;`` inside a string or comment is no separator.
    """
    try:
        statements = conn.extract_statements(sql)
    except duckdb.Error as exc:
        raise WarehouseError(_first_line(exc)) from None
    if not statements:
        raise QueryRefused(_("no SQL statement given"))
    if len(statements) > 1:
        raise QueryRefused(
            _("{n} statements given; minsheng sql runs exactly one per call").format(
                n=len(statements)
            )
        )
    statement = statements[0]
    if statement.type not in QUERY_STATEMENTS:
        kind = statement.type.name.replace("_", " ")
        if statement.type == duckdb.StatementType.LOAD:
            kind = "INSTALL and LOAD"
        raise QueryRefused(
            _(
                "{kind} statements are refused: minsheng sql runs queries (SELECT, WITH, SHOW, "
                "DESCRIBE, EXPLAIN) on a read-only connection without access to other files or "
                "settings"
            ).format(kind=kind)
        )
    return statement.query


def run_analysis_query(
    path: str | Path,
    sql: str,
    limits: QueryLimits = DEFAULTS.query,
    *,
    on_wait: Callable[[str], None] | None = None,
) -> QueryResult:
    """Run one query in the sandbox, stopped after ``limits.timeout_seconds``.

    Rows are fetched a chunk at a time and fetching stops at the row or byte cap, so a query
    that returns billions of rows costs no more memory than the caps.
    """
    spill = _new_spill_folder()
    try:
        conn = connect_for_analysis(
            path, memory_limit=limits.memory_limit, on_wait=on_wait, temp_directory=spill
        )
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        conn.interrupt()

    timer = threading.Timer(limits.timeout_seconds, stop)
    try:
        query = single_query(conn, sql)
        timer.start()
        conn.execute(query)
        return _fetch_capped(conn, limits)
    except duckdb.Error as exc:
        if timed_out.is_set():
            raise QueryTimeout(
                _(
                    "query stopped after {timeout_seconds:g} s (the timeout): narrow it with "
                    "WHERE or LIMIT, or pass a longer --timeout"
                ).format(timeout_seconds=limits.timeout_seconds)
            ) from None
        raise WarehouseError(_refusal_or_error(exc)) from None
    finally:
        timer.cancel()
        conn.close()
        shutil.rmtree(spill, ignore_errors=True)


def _refusal_or_error(exc: duckdb.Error) -> str:
    message = _first_line(exc)
    if "disabled by configuration" in message or "disabled through configuration" in message:
        return _(
            "{message} (minsheng sql reads the warehouse and the Parquet that minsheng export "
            "wrote from it; no other files)"
        ).format(message=message)
    if "configuration has been locked" in message:
        return _("{message} (settings cannot be changed from minsheng sql)").format(message=message)
    return message


def _fetch_capped(conn: duckdb.DuckDBPyConnection, limits: QueryLimits) -> QueryResult:
    chunks: list[pd.DataFrame] = []
    rows = 0
    size = 0
    while True:
        chunk = conn.fetch_df_chunk(1)
        if len(chunk) == 0:
            return QueryResult(_concat(chunks, chunk))
        if rows + len(chunk) > limits.max_rows:
            chunks.append(chunk.iloc[: limits.max_rows - rows])
            return QueryResult(
                _concat(chunks, chunk),
                _(
                    "output stopped at {max_rows:,} rows; the query returned more: narrow it "
                    "(WHERE, LIMIT) or pass --max-rows"
                ).format(max_rows=limits.max_rows),
            )
        ends = (size + _row_sizes(chunk).cumsum()).tolist()
        if ends[-1] > limits.max_bytes:
            kept = sum(1 for end in ends if end <= limits.max_bytes)
            chunks.append(chunk.iloc[:kept])
            return QueryResult(
                _concat(chunks, chunk),
                _(
                    "output stopped at {rows:,} rows, {max_bytes:,} bytes of text; the query "
                    "returned more: select fewer or shorter columns, or fewer rows"
                ).format(rows=rows + kept, max_bytes=limits.max_bytes),
            )
        chunks.append(chunk)
        rows += len(chunk)
        size = ends[-1]


def _row_sizes(chunk: pd.DataFrame) -> pd.Series:
    """Bytes of each row as UTF-8 text (one separator per value), without writing it out."""
    sizes = pd.Series(0, index=chunk.index, dtype="int64")
    for column in chunk.columns:
        sizes += chunk[column].map(_text_size).astype("int64")
    return sizes


def _text_size(value: object) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass")) + 1
    return len(str(value)) + 1


def _concat(chunks: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    kept = [c for c in chunks if len(c)]
    if not kept:
        return empty.iloc[:0]
    return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)
