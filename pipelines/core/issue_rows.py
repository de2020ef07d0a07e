"""What a clerk needs beside each issue to fix the report: the item, its project text, the
row as it was read (all its cells) and what to do.

An issue names a place (``line 7``, ``page 3, row 5``); in a Word file, a PDF or a scan that
place alone does not find the cell. The checked document still holds every row, loaded or
quarantined, with its place and its cells as written, so each issue is matched to its row
here, once, when the report's records are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from parsers import Location
from parsers.cells import split_marker
from parsers.formats.text.bar_table import split_cells
from pipelines.core.checking import DocumentResult, issue_record
from schemas.checks import describe_fix

#: How much of a project's text names it beside its item number.
CONTENT_CHARS = 30


@dataclass(frozen=True)
class RowRead:
    """One table row as the reader saw it."""

    item_no: int | None
    content: str | None
    cells: list[str]


def raw_to_cells(raw: str, source_format: str | None) -> list[str]:
    """A row's cells from its ``raw`` text: a text file's line split as the text reader splits
    it, other formats' cells joined with `` | `` by their readers."""
    if source_format == "txt":
        return split_cells(raw)
    return [cell.strip() for cell in raw.split(" | ")]


def content_start(text: str | None) -> str | None:
    """The first characters of a project text, enough to recognise the item."""
    if text is None or not text.strip():
        return None
    text = " ".join(text.split())
    return text if len(text) <= CONTENT_CHARS else text[:CONTENT_CHARS] + "…"


def _content_of(cells: list[str], item_no: int | None) -> str | None:
    """A quarantined row's project text: the cell that starts with its ``(N)``."""
    for cell in cells:
        number, text = split_marker(cell)
        if number is not None and (item_no is None or number == item_no):
            return text
    return None


def _key(location: Location) -> tuple[int | None, int | None, int | None]:
    return (location.page, location.row, location.line)


def rows_by_place(result: DocumentResult) -> dict[tuple[int | None, ...], RowRead]:
    """Every row of a checked document, loaded or quarantined, by its place."""
    found: dict[tuple[int | None, ...], RowRead] = {}
    fmt = result.source_format
    if len(result.rows) and "raw" in result.rows:
        for row in result.rows.to_dict("records"):
            raw = row.get("raw")
            if not isinstance(raw, str):
                continue
            item = row.get("item_no")
            found[_key(Location.of_row(row))] = RowRead(
                item_no=None if item is None or pd.isna(item) else int(item),
                content=content_start(row.get("content")),
                cells=raw_to_cells(raw, fmt),
            )
    for rejected in result.quarantined:
        cells = raw_to_cells(rejected.raw, fmt)
        found.setdefault(
            _key(rejected.location),
            RowRead(
                item_no=rejected.item_no,
                content=content_start(_content_of(cells, rejected.item_no)),
                cells=cells,
            ),
        )
    return found


def issue_records(result: DocumentResult) -> list[dict[str, Any]]:
    """The document's issues as report records, each with its row: ``item_no``, ``content``
    (its start), ``row_cells`` (None for a whole-document issue) and ``fix``, what to do."""
    rows = rows_by_place(result)
    records = []
    for issue in result.issues:
        record = issue_record(issue)
        row = rows.get(_key(issue.location)) if issue.location != Location() else None
        record["item_no"] = row.item_no if row else None
        record["content"] = row.content if row else None
        record["row_cells"] = row.cells if row else None
        record["fix"] = describe_fix(issue.check)
        records.append(record)
    return records
