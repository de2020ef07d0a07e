"""Checks across months: each document against its region's previous reported month.

One entry point, ``with_cross_month_issues``: the month-over-month changes
(``schemas.history``) and items whose number now names another project (``schemas.identity``).
The previous month is the latest earlier one of the same region and year, in the warehouse or
in the same run. Every finding is a warning; the rows load anyway. Before comparing, a scanned
document's OCR near-misses of that month's departments and leaders are corrected
(``parsers.formats.ocr.correct``; an info issue each), so a misread is not taken for a change.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from i18n import month_year
from parsers import Issue
from pipelines.core.checking import DocumentResult
from schemas.history import compare_months
from schemas.identity import identity_issues
from warehouse.history import (
    following_period,
    previous_period_rows,
    quarantined_items,
    report_rows,
)

if TYPE_CHECKING:
    from warehouse import Connection

Period = tuple[str, int, int]

#: The checks that compare a month with the one before it: done again for a stored month
#: when a run loads or replaces the month before it.
CROSS_MONTH_CHECKS = (
    "completion_went_down",
    "item_vanished",
    "item_appeared",
    "department_changed",
    "leader_changed",
    "item_count_changed",
    "item_renumbered",
    "item_text_changed",
)


class PreviousMonths:
    """Finds, for each document of a run, the month before it and that month's rows.

    The month is the latest earlier one of the same region and year, in the warehouse
    (``conn``; None when there is none) or in this same run; a month the run brings replaces
    the warehouse's copy of it, so it wins a tie. Each warehouse month is read once a run,
    however many checks ask for it.
    """

    def __init__(self, conn: Connection | None, results: list[DocumentResult]) -> None:
        self._conn = conn
        self._in_run: dict[Period, pd.DataFrame] = {
            (str(r.region), int(r.year or 0), int(r.month or 0)): r.rows
            for r in results
            if r.status != "rejected" and None not in r.period and not r.rows.empty
        }
        self._stored: dict[Period, tuple[int, pd.DataFrame] | None] = {}

    def of(self, result: DocumentResult) -> tuple[int, pd.DataFrame] | None:
        """``(month, rows)`` of the month before ``result``'s, or None if there is none."""
        if result.status == "rejected" or None in result.period:
            return None
        region, year, month = str(result.region), int(result.year or 0), int(result.month or 0)
        key = (region, year, month)
        if key not in self._stored:
            found = None
            if self._conn is not None:
                rows = previous_period_rows(self._conn, region, year, month)
                found = (int(rows["month"].iloc[0]), rows) if len(rows) else None
            self._stored[key] = found
        best = self._stored[key]
        for (other_region, other_year, other_month), rows in self._in_run.items():
            if (other_region, other_year) == (region, year) and other_month < month:
                if best is None or other_month >= best[0]:
                    best = (other_month, rows)
        return best


def with_cross_month_issues(
    conn: Connection | None, results: list[DocumentResult]
) -> list[DocumentResult]:
    """Each result with its cross-month warnings added to its issues.

    ``conn`` is the warehouse (None when there is none); each of its months is read once.
    Month-over-month warnings join the document's issues in document order; warnings about
    renumbered items follow them.
    """
    previous = PreviousMonths(conn, results)
    results = [with_ocr_corrections(previous, result) for result in results]
    return [
        replace(
            result,
            issues=[
                *sorted(
                    [*result.issues, *month_over_month(previous, result)],
                    key=lambda i: i.location.sort_key(),
                ),
                *renumbering_issues(previous, result),
            ],
        )
        for result in results
    ]


def with_ocr_corrections(previous: PreviousMonths, result: DocumentResult) -> DocumentResult:
    """A scanned document with OCR near-misses of the previous month's names corrected."""
    if not result.ocr_cells or result.rows.empty:
        return result
    found = previous.of(result)
    if found is None:
        return result
    from parsers.formats.ocr.correct import CORRECTED_COLUMNS, KnownNames, correct_near_misses

    month, rows = found
    names = {column: set(rows[column].dropna().astype(str)) for column in CORRECTED_COLUMNS}
    corrected, issues = correct_near_misses(
        result.rows,
        result.ocr_cells,
        [KnownNames(names, f"in {result.year}年{month}月")],
        result.source_name,
    )
    if not issues:
        return result
    return replace(
        result,
        rows=corrected,
        issues=sorted([*result.issues, *issues], key=lambda i: i.location.sort_key()),
    )


def month_over_month(previous: PreviousMonths, result: DocumentResult) -> list[Issue]:
    """Warnings comparing a document with the previous reported month of its region and year."""
    found = previous.of(result)
    if found is None:
        return []
    month, rows = found
    assert result.year is not None  # a previous month was found for the document's period
    return compare_months(
        rows,
        result.rows,
        source_name=result.source_name,
        previous_label=month_year(result.year, month),
        quarantined_items=frozenset(r.item_no for r in result.quarantined if r.item_no is not None),
    )


def renumbering_issues(previous: PreviousMonths, result: DocumentResult) -> list[Issue]:
    """Warnings where an item's project differs from the previous month's under its number."""
    if result.rows.empty:
        return []
    earlier = previous.of(result)
    if earlier is None:
        return []
    month, rows = earlier
    return identity_issues(rows, result.rows, source_name=result.source_name, previous_month=month)


def following_month_issues(
    conn: Connection,
    region: str,
    year: int,
    month: int,
    *,
    compared: Container[tuple[str, int, int]] = (),
) -> tuple[str, str, int, list[Issue]] | None:
    """The month after ``month`` in the warehouse, checked again against the month before it.

    ``(report_id, source_name, month, issues)`` of the region's next loaded month of ``year``,
    with its cross-month warnings as they are now that ``month`` is loaded (or replaced), so
    that the warnings do not depend on the order months arrived in; None when there is no
    later month, or when it is one of ``compared`` (``(region, year, month)``: months this run
    compared already). (A scan's OCR corrections are not redone: they were made when it was
    read.)
    """
    following = following_period(conn, region, year, month)
    if following is None:
        return None
    report_id, source_name, later = following
    if (region, year, later) in compared:
        return None
    rows = report_rows(conn, report_id)
    previous = previous_period_rows(conn, region, year, later)
    if previous.empty or rows.empty:
        return report_id, source_name, later, []
    before = int(previous["month"].iloc[0])
    issues = [
        *sorted(
            compare_months(
                previous,
                rows,
                source_name=source_name,
                previous_label=month_year(year, before),
                quarantined_items=quarantined_items(conn, report_id),
            ),
            key=lambda i: i.location.sort_key(),
        ),
        *identity_issues(previous, rows, source_name=source_name, previous_month=before),
    ]
    return report_id, source_name, later, issues
