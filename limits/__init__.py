"""Every bound the pipeline puts on what an input or a query may cost, in one place.

A document (``ParseLimits``), a fetched page (``FetchLimits``), an analyst's query
(``QueryLimits``) and the warehouse's disk and lock (``WarehouseLimits``), grouped as
``Limits``; ``DEFAULTS`` holds the defaults, sized so that a real year of reports never
reaches them (a monthly report is a few hundred KB, a 7-page PDF, under a second to parse).
Each layer takes its own part (the parsers ``ParseLimits``, the warehouse ``QueryLimits``…),
so this module imports nothing of the project but ``i18n`` (the language of its messages).
The command line builds them from its options; the limits table of ``docs/security.md`` is
``python -m limits`` (a test keeps them equal).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from typing import Any

from i18n import _

MB = 1024 * 1024


def byte_size(size: int) -> str:
    """``104857600`` → ``'100 MB'``, ``1000`` → ``'1,000 bytes'``, for messages."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size // MB} MB" if size % MB == 0 else f"{size / MB:.1f} MB"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _count(value: int) -> str:
    return f"{value:,}"


def _networks(value: tuple[str, ...] | None) -> str:
    if value is None:
        return "any (`minsheng web`: public ones only)"
    return ", ".join(("public", *value))


def _bound(default: Any, what: str, set_with: str, shown: Any = str) -> Any:
    """A field with what it bounds and how a user changes it, for the table of limits."""
    return field(default=default, metadata={"what": what, "set_with": set_with, "shown": shown})


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on reading one document; over one, the document is rejected naming it."""

    max_file_bytes: int = _bound(
        100 * MB, "size of a document file", "`ParseLimits(max_file_bytes=…)`", byte_size
    )
    #: Photos included.
    max_unzipped_bytes: int = _bound(
        100 * MB,
        "what a .docx/.xlsx inflates to, all parts",
        "`ParseLimits(max_unzipped_bytes=…)`",
        byte_size,
    )
    #: The XML is parsed into memory at several times its size: this bounds a reader's memory.
    max_xml_part_bytes: int = _bound(
        20 * MB,
        "what one XML part of a .docx/.xlsx inflates to",
        "`ParseLimits(max_xml_part_bytes=…)`",
        byte_size,
    )
    #: Pages of a PDF or frames of a TIFF (a monthly report has fewer than 20).
    max_pages: int = _bound(
        300, "pages of a PDF or a scanned image file", "`--max-pages N`", _count
    )
    #: An A4 page scanned at 600 dpi has about 35 million pixels.
    max_page_pixels: int = _bound(
        60_000_000, "pixels of one scanned page", "`ParseLimits(max_page_pixels=…)`", _count
    )
    #: A report's row is one line of a few KB; one line of 95 MB of ``|`` would be split
    #: into tens of millions of cells.
    max_line_chars: int = _bound(
        1_000_000, "characters of one line of a text report", "`ParseLimits(max_line_chars=…)`",
        _count,
    )  # fmt: skip
    #: Rows × columns of a sheet up to its last cell that holds a value (a monthly sheet has
    #: a few hundred); a cell far out, or a merge over a whole sheet, would make billions.
    max_sheet_cells: int = _bound(
        1_000_000, "cells of a spreadsheet up to its last value or merge",
        "`ParseLimits(max_sheet_cells=…)`", _count,
    )  # fmt: skip
    #: Past it, the worker process parsing the document is killed, or a parse in the main
    #: thread is stopped by an alarm (``pipelines.execution.parallelism``).
    parse_seconds: float = _bound(
        120.0, "parse time of one document", "`--parse-timeout S`", _seconds
    )
    #: The warehouse keeps a cell whole; the terminal and the reports show this much of it.
    display_chars: int = _bound(
        500,
        "characters of a cell on screen and in reports",
        "`ParseLimits(display_chars=…)`",
        _count,
    )

    def __post_init__(self) -> None:
        for name in (
            "max_file_bytes",
            "max_unzipped_bytes",
            "max_xml_part_bytes",
            "max_pages",
            "max_page_pixels",
            "max_line_chars",
            "max_sheet_cells",
        ):
            if getattr(self, name) < 1:
                raise ValueError(
                    _("{name} must be 1 or more, not {value}").format(
                        name=name, value=getattr(self, name)
                    )
                )
        if not self.parse_seconds > 0:
            raise ValueError(
                _("parse_seconds must be above 0, not {parse_seconds}").format(
                    parse_seconds=self.parse_seconds
                )
            )
        if self.display_chars < 10:
            raise ValueError(
                _("display_chars must be 10 or more, not {display_chars}").format(
                    display_chars=self.display_chars
                )
            )


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on fetching one web page."""

    #: The whole fetch: connecting, headers and body, however slowly the server sends them.
    timeout_s: float = _bound(
        30.0, "time to fetch a web page, all of it", "`--fetch-timeout S`", _seconds
    )
    max_bytes: int = _bound(
        20 * MB, "size of a fetched web page", "`FetchLimits(max_bytes=…)`", byte_size
    )
    max_redirects: int = _bound(
        5, "redirects followed for a web page", "`FetchLimits(max_redirects=…)`", _count
    )
    #: None: any address (the command line fetches what its own user names). A tuple: public
    #: addresses and these networks only, checked again at every redirect; the intake page
    #: fetches for others, and its server's own network (its Prefect API, a router) must not
    #: be reachable through it.
    networks: tuple[str, ...] | None = _bound(
        None,
        "addresses a web page is fetched from",
        "`minsheng web --allow-network CIDR`",
        _networks,
    )

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError(_("fetch limits must be positive"))
        for network in self.networks or ():
            try:
                ipaddress.ip_network(network)
            except ValueError:
                raise ValueError(
                    _("{network} is not a network (give one as 10.1.0.0/16 or 10.1.2.3)").format(
                        network=network
                    )
                ) from None


@dataclass(frozen=True)
class QueryLimits:
    """How long an analyst's query may run and how much of its result is fetched."""

    timeout_seconds: float = _bound(
        60.0, "time a `minsheng sql` query runs", "`minsheng sql --timeout S`", _seconds
    )
    max_rows: int = _bound(
        100_000, "rows `minsheng sql` prints", "`minsheng sql --max-rows N`", _count
    )
    #: Size of the result as CSV text; stops a few rows of huge strings as well as many rows.
    max_bytes: int = _bound(
        50 * MB, "text `minsheng sql` prints", "`QueryLimits(max_bytes=…)`", byte_size
    )
    #: DuckDB's own memory cap for the connection (sorts and joins beyond it fail, not the host).
    memory_limit: str = _bound(
        "2GB", "DuckDB memory of an analyst's connection", "`QueryLimits(memory_limit=…)`"
    )
    #: ``minsheng sql`` runs the query and prints its result in a process of its own that
    #: may take this much more memory than at its start: a function building one huge value
    #: (``repeat('x', 2000000000)``) fails at once instead of taking the host's memory.
    process_memory_bytes: int = _bound(
        2048 * MB,
        "memory a `minsheng sql` query and its printing may take",
        "`QueryLimits(process_memory_bytes=…)`",
        byte_size,
    )

    def __post_init__(self) -> None:
        if not self.timeout_seconds > 0:
            raise ValueError(
                _("timeout {timeout_seconds} is not a positive number of seconds").format(
                    timeout_seconds=self.timeout_seconds
                )
            )
        if self.max_rows < 1:
            raise ValueError(
                _("row cap {max_rows} is not a positive number of rows").format(
                    max_rows=self.max_rows
                )
            )
        if self.max_bytes < 1 or self.process_memory_bytes < 1:
            raise ValueError(
                _("byte cap {max_bytes} is not a positive number of bytes").format(
                    max_bytes=min(self.max_bytes, self.process_memory_bytes)
                )
            )


@dataclass(frozen=True)
class WarehouseLimits:
    """What a run asks of the warehouse's disk, and how long it waits for another writer
    (``check_warehouse_place`` and ``RunSettings`` take these as plain values)."""

    #: A year of reports takes a few MB; below this a write would fail half-way.
    min_free_bytes: int = _bound(
        16 * MB,
        "free space the warehouse's disk must have",
        "`warehouse.check_warehouse_place(db, min_free_bytes=…)`",
        byte_size,
    )  # fmt: skip
    lock_wait_seconds: float = _bound(
        300.0,
        "wait for another process loading the warehouse",
        "`RunSettings(lock_wait_seconds=…)`",
        _seconds,
    )
    #: Pages read by OCR, kept beside the warehouse (``parsers.formats.ocr.cache``); a page
    #: takes 0.2–2 MB. Past it, the pages used longest ago are removed.
    ocr_cache_bytes: int = _bound(
        1024 * MB,
        "disk the OCR page cache beside the warehouse may take",
        "`RunSettings(ocr_cache_bytes=…)`",
        byte_size,
    )


@dataclass(frozen=True)
class Limits:
    """All the bounds, one object: what a run, a query or a fetch may cost."""

    parse: ParseLimits = ParseLimits()
    fetch: FetchLimits = FetchLimits()
    query: QueryLimits = QueryLimits()
    warehouse: WarehouseLimits = WarehouseLimits()


DEFAULTS = Limits()


def readme_table(limits: Limits = DEFAULTS) -> str:
    """The table of limits in docs/security.md: each bound, its default and how to change it."""
    lines = ["| limit | default | change with |", "| --- | --- | --- |"]
    for group in fields(limits):
        part = getattr(limits, group.name)
        for bound in fields(part):
            meta = bound.metadata
            shown = meta["shown"](getattr(part, bound.name))
            lines.append(f"| {meta['what']} | {shown} | {meta['set_with']} |")
    return "\n".join(lines) + "\n"
