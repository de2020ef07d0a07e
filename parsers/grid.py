"""Turn six-cell grid rows into progress rows: item numbers, merged cells, completion rates.

Every format's parser ends here, so the rules of the table live in one place: every cell
is normalised first (``parsers.normalize``: NFKC and CJK radicals folded), then a project
cell starts with ``(N)``; a project cell covered by a merge makes the row another row of
the item above; department and leader cells covered by a merge take the value above.
``raw`` keeps the row as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from parsers.model import (
    ROW_COLUMNS,
    ROW_DTYPES,
    GridRow,
    Issue,
    RejectedRow,
    empty_rows,
)
from parsers.normalize import normalize_cell

#: An item number as reports write it: ``(12)``, ``（12）``; up to six digits, so ``(1000)``
#: is an item while the number still fits the warehouse's INTEGER column.
ITEM_NUMBER = r"[(（]\s*(\d{1,6})\s*[)）]"
_MARKER = re.compile(rf"^\s*{ITEM_NUMBER}\s*")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]")
_NO_PLAN = {"", "∕", "/", "／", "-", "—", "无"}
LAGGING_MARK = "滞后"


def split_marker(cell: str) -> tuple[int | None, str]:
    """``'(12)新改建农村公路…'`` → ``(12, '新改建农村公路…')``; no marker → ``(None, cell)``."""
    match = _MARKER.match(cell)
    if match is None:
        return None, cell.strip()
    return int(match.group(1)), cell[match.end() :].strip()


def parse_completion(cell: str) -> float | None:
    """The percentage a completion cell starts with (``'63%,…滞后进度'`` → 63.0), else None."""
    match = _PERCENT.match(cell)
    return float(match.group(1)) if match else None


def plan_or_none(cell: str) -> str | None:
    """A plan cell, or None where the report has nothing planned (``∕``, ``/``, empty)."""
    text = cell.strip()
    return None if text in _NO_PLAN else text


@dataclass
class _Inherited:
    item_no: int | None = None
    content: str | None = None
    sub_no: int = 0
    department: str | None = None
    leader: str | None = None


def grid_to_rows(
    grid: Iterable[GridRow], source_name: str
) -> tuple[pd.DataFrame, list[RejectedRow]]:
    """Resolve merged cells and item numbers; rows that cannot be read are rejected, not guessed."""
    records: list[dict[str, object]] = []
    rejected: list[RejectedRow] = []
    above = _Inherited()

    for grid_row in grid:
        content, plan, actual, completion, department, leader = (
            normalize_cell(cell) for cell in grid_row.cells
        )
        problems: list[Issue] = []

        def problem(
            column: str,
            check: str,
            message: str,
            value: str | None = None,
            problems: list[Issue] = problems,
            grid_row: GridRow = grid_row,
        ) -> None:
            problems.append(
                Issue(
                    source_name,
                    check,
                    message,
                    location=grid_row.location,
                    column=column,
                    value=value,
                )
            )

        if content is None:
            if above.item_no is None:
                problem(
                    "content",
                    "item_continuation",
                    "row has no project cell and no item above to continue",
                )
                item_no, text, sub_no = None, None, 1
            else:
                item_no, text, sub_no = above.item_no, above.content, above.sub_no + 1
        else:
            item_no, text = split_marker(content)
            sub_no = 1
            if item_no is None:
                problem(
                    "content",
                    "item_marker",
                    "project cell does not start with an item number such as (1)",
                    content[:40],
                )

        department_inherited = department is None
        if department is None:
            department = above.department
            if department is None:
                problem(
                    "department",
                    "merged_cell",
                    "department cell is merged from above, but no row above has one",
                )
        leader_inherited = leader is None
        if leader is None:
            leader = above.leader
            if leader is None:
                problem(
                    "leader",
                    "merged_cell",
                    "leader cell is merged from above, but no row above has one",
                )

        # Later rows inherit from this one even if it is rejected: a merged cell above them
        # is what the document says, whatever else is wrong with this row.
        if item_no is not None:
            above.item_no, above.content, above.sub_no = item_no, text, sub_no
        above.department, above.leader = department, leader

        if problems:
            rejected.append(
                RejectedRow(grid_row.location, grid_row.raw, tuple(problems), item_no=item_no)
            )
            continue

        completion_text = (completion or "").strip()
        records.append(
            {
                "item_no": item_no,
                "sub_no": sub_no,
                "content": text,
                "plan_text": plan_or_none(plan or ""),
                "actual_text": (actual or "").strip(),
                "completion_raw": completion_text,
                "completion_pct": parse_completion(completion_text),
                "is_lagging": LAGGING_MARK in completion_text,
                "department": (department or "").strip(),
                "leader": (leader or "").strip(),
                "department_inherited": department_inherited,
                "leader_inherited": leader_inherited,
                "source_page": grid_row.location.page,
                "source_row": grid_row.location.row,
                "source_line": grid_row.location.line,
                "raw": grid_row.raw,
            }
        )

    return records_to_frame(records), rejected


def records_to_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Row dicts → a frame with the fixed columns and dtypes of ``ROW_COLUMNS``."""
    if not records:
        return empty_rows()
    frame = pd.DataFrame.from_records(records, columns=list(ROW_COLUMNS))
    return frame.astype(ROW_DTYPES)
