"""Printing query results: aligned tables (CJK-width aware), CSV or JSON."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def print_frame(frame: pd.DataFrame, fmt: str, console: Console) -> None:
    """Print a result as ``table`` (rich measures CJK characters as two columns), csv or json."""
    if fmt == "csv":
        console.file.write(frame.to_csv(index=False))
        return
    if fmt == "json":
        console.file.write(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
        console.file.write("\n")
        return
    table = Table(show_lines=False, header_style="bold", expand=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        table.add_column(
            str(column),
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=len(str(column)),
            max_width=None if numeric else 36,
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)
    console.print(f"[dim]{len(frame)} row{'s' if len(frame) != 1 else ''}[/]")
