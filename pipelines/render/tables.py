"""Printing query results: aligned tables (CJK-width aware), CSV or JSON.

What the warehouse holds came from documents: each format shows it as written and acts on
nothing. A table shows control characters and direction marks as escapes
(``parsers.controls``); CSV keeps line breaks and tabs inside quoted cells, escapes the other
controls and, for spreadsheets, starts a text cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) with ``'``, as OWASP advises
(``formula_guard=False`` for machine readers); JSON escapes controls as JSON does.
"""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from i18n import ngettext
from parsers.controls import LAYOUT, show_controls
from parsers.limits import shorten

#: What a spreadsheet takes as the start of a formula in a cell (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Text columns are cut to this many terminal cells (a CJK character takes two) unless
#: ``full`` is asked for; in a narrow terminal they are cut further, down to ``MIN_TEXT``.
TEXT_WIDTH = 36
MIN_TEXT = 12
_UNLIMITED = 100_000


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    # even with --full: a cell kept whole in the warehouse is not a screenful here
    return show_controls(shorten(str(value)), keep="\n")  # a line break shows as one


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def frame_to_table(frame: pd.DataFrame, text_width: int | None, *, plain: bool = False) -> Table:
    """A rich table of ``frame``: numbers right-aligned, text cut at ``text_width`` cells."""
    table = Table(
        show_lines=False,
        header_style="bold",
        expand=False,
        box=box.SIMPLE_HEAD if plain else box.HEAVY_HEAD,
        show_edge=not plain,
    )
    for column in frame.columns:
        numeric = _is_numeric(frame[column])
        table.add_column(
            Text(show_controls(str(column))),
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=len(str(column)),
            max_width=None if numeric or text_width is None else max(text_width, len(str(column))),
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(Text(_cell(v)) for v in row))
    return table


def _natural_width(console: Console, table: Table) -> int:
    return console.measure(table, options=console.options.update(max_width=_UNLIMITED)).maximum


def guard_formula(text: str) -> str:
    """A CSV cell a spreadsheet opens as text: ``'`` before a formula's first character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def frame_to_csv(frame: pd.DataFrame, *, formula_guard: bool = True) -> str:
    """``frame`` as CSV: text cells with their controls escaped (line breaks and tabs kept,
    quoted) and, with ``formula_guard``, formula starts neutralised; numbers as they are."""

    def cell(value: object) -> object:
        if not isinstance(value, str):
            return value
        text = show_controls(value, keep=LAYOUT)
        return guard_formula(text) if formula_guard else text

    safe = frame.copy()
    safe.columns = [cell(str(c)) for c in frame.columns]
    for column in safe.columns[[not _is_numeric(safe[c]) for c in safe.columns]]:
        safe[column] = safe[column].map(cell, na_action="ignore")
    return safe.to_csv(index=False)


def print_frame(
    frame: pd.DataFrame,
    fmt: str,
    console: Console,
    *,
    full: bool = False,
    formula_guard: bool = True,
) -> None:
    """Print a result as ``table``, ``csv`` or ``json``.

    A table is never squeezed below its natural width: columns collapsing to nothing help
    nobody. Piped into a file or ``less -S`` it is printed at full width with a light
    frame; in a terminal, long texts are cut further to fit when they can. ``full`` prints
    every text whole. ``formula_guard`` (CSV) is described in the module's docstring.
    """
    if fmt == "csv":
        console.file.write(frame_to_csv(frame, formula_guard=formula_guard))
        return
    if fmt == "json":
        console.file.write(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
        console.file.write("\n")
        return
    print_table(frame, console, None if full else TEXT_WIDTH)
    rows = ngettext("{n} row", "{n} rows", len(frame)).format(n=len(frame))
    console.print(f"[dim]{rows}[/]")


def print_table(frame: pd.DataFrame, console: Console, text_width: int | None) -> None:
    """Print ``frame`` as a table at its natural width (see ``print_frame``)."""
    plain = not console.is_terminal
    table = frame_to_table(frame, text_width, plain=plain)
    width = _natural_width(console, table)
    while not plain and text_width is not None and width > console.width and text_width > MIN_TEXT:
        text_width = max(MIN_TEXT, text_width - 4)
        table = frame_to_table(frame, text_width, plain=plain)
        width = _natural_width(console, table)
    # Console.print caps a renderable's width at the console's: widen the console instead
    saved = console.width
    console.width = max(width, saved) if plain else max(width, 1)
    try:
        console.print(table, crop=False)
    finally:
        console.width = saved
