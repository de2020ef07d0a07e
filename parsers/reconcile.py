"""Prove that nothing was lost: every row the document shows is a row read or quarantined.

Each reader also counts, apart from reading its table, what the document shows: the item
markers ``(N)`` that start a line of a PDF's text layer, the lines of a text report, the
rows (``w:tr``) of a Word table. After the grid step, every one of them must be in the
rows or among the rejected rows; one that is not becomes a rejected row of its own (an
error, so it lands in ``quarantine`` with the text seen), never silence.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from i18n import N_, _
from parsers.model import Issue, Location, RejectedRow, SeenRow

UNACCOUNTED = N_("row seen in the document but not read as a table row")


def _place(location: Location) -> tuple[int | None, int | None, int | None]:
    return (location.page, location.row, location.line)


def unaccounted_rows(
    seen: Iterable[SeenRow],
    rows: pd.DataFrame,
    rejected: Iterable[RejectedRow],
    source_name: str,
) -> list[RejectedRow]:
    """The seen rows that are neither in ``rows`` nor in ``rejected``, as rejected rows."""
    rejected = list(rejected)
    items = {int(n) for n in rows["item_no"].dropna()} | {
        r.item_no for r in rejected if r.item_no is not None
    }
    places = {
        (
            None if pd.isna(page) else int(page),
            None if pd.isna(row) else int(row),
            None if pd.isna(line) else int(line),
        )
        for page, row, line in zip(
            rows["source_page"], rows["source_row"], rows["source_line"], strict=True
        )
    } | {_place(r.location) for r in rejected}
    missing: list[RejectedRow] = []
    reported: set[int] = set()
    for row in seen:
        if row.by_place:
            if _place(row.location) in places:
                continue
        elif row.item_no is None or row.item_no in items or row.item_no in reported:
            continue
        if row.item_no is not None:
            reported.add(row.item_no)
        message = (
            _("item ({item}): row seen in the document but not read as a table row").format(
                item=row.item_no
            )
            if row.item_no is not None
            else _(UNACCOUNTED)
        )
        issue = Issue(
            source_name,
            "row_unaccounted",
            message,
            location=row.location,
            column="row",
            value=row.text[:60],
        )
        missing.append(RejectedRow(row.location, row.text, (issue,), item_no=row.item_no))
    return missing
