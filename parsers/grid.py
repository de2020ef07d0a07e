"""Turn grid rows into progress rows: item numbers, merged cells, completion rates.

Every format's reader ends here, so the rules of the table live in one place. A reader hands
over ``GridRow``s (cells by canonical column name, see ``parsers.model.GridRow``; build them
with ``parsers.table.Header.grid_row``) and says whether its format writes merged cells as
explicit empty cells (``empty_cells_merge``); ``grid_to_rows`` returns the rows, the rows it
rejected, and issues about what it read into the rows. Every cell is normalised first
(``parsers.normalize``: NFKC and CJK radicals folded); ``raw`` keeps the row as written.

- a project cell starts with ``(N)``; without it, the ``序号`` column gives the number (both
  given and different: the ``(N)`` wins, with a warning);
- a project cell covered by a merge (``None``), or saying ``同上``, makes the row another row
  of the item above (``sub_no`` 2, 3, …);
- department and leader cells covered by a merge, or saying ``同上``/``同 上``/``〃``/``仝上``
  (with an info issue), take the value above and are flagged inherited; with
  ``empty_cells_merge``, so does an empty one under a filled one (with a warning);
- a column the layout lacks loads as NULL: no completion column, NULL ``completion_raw`` and
  ``completion_pct``; ``is_lagging`` then comes from the ``备注`` column (``滞后``), else False;
- ``备注`` goes to ``note``, columns without a canonical name to ``extra`` (JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from i18n import _, column_text
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


def extra_cells(cells: list[str] | list[str | None], width: int) -> str | None:
    """The cells of a row past the header's ``width``, as written (``'多余'``), for a row
    with a cell too many: the value a clerk deletes. None for a row with too few cells."""
    if len(cells) <= width:
        return None
    return " | ".join(cell or "" for cell in cells[width:])


def parse_completion(cell: str) -> float | None:
    """The percentage a completion cell starts with (``'63%,…滞后进度'`` → 63.0), else None."""
    match = _PERCENT.match(cell)
    return float(match.group(1)) if match else None


def plan_or_none(cell: str) -> str | None:
    """A plan cell, or None where the report has nothing planned (``∕``, ``/``, empty)."""
    text = cell.strip()
    return None if text in _NO_PLAN else text


_SAME_AS_ABOVE = frozenset({"同上", "〃", "仝上", "同上。", "″"})
_SERIAL = re.compile(r"^\s*[(（]?\s*(\d{1,3})\s*[)）.、．]?\s*$")


def is_same_as_above(cell: str | None) -> bool:
    """``'同上'``, ``'同 上'``, ``'〃'``, ``'仝上'``: the cell repeats the value above it."""
    return cell is not None and "".join(cell.split()) in _SAME_AS_ABOVE


def parse_serial(cell: str | None) -> int | None:
    """A ``序号`` cell's number: ``'12'``, ``'12.'``, ``'(12)'`` → 12; else None."""
    match = _SERIAL.match(cell or "")
    return int(match.group(1)) if match else None


@dataclass
class _Inherited:
    item_no: int | None = None
    content: str | None = None
    sub_no: int = 0
    department: str | None = None
    leader: str | None = None


class RowsRead(NamedTuple):
    """What the grid step made of a table: rows, rejected rows, and issues about kept rows."""

    rows: pd.DataFrame
    rejected: list[RejectedRow]
    issues: list[Issue]


def grid_to_rows(
    grid: Iterable[GridRow], source_name: str, *, empty_cells_merge: bool = False
) -> RowsRead:
    """Resolve merged cells and item numbers; rows that cannot be read are rejected, not guessed."""
    records: list[dict[str, object]] = []
    rejected: list[RejectedRow] = []
    notes: list[Issue] = []
    above = _Inherited()

    for grid_row in grid:
        cells = {column: normalize_cell(cell) for column, cell in grid_row.cells.items()}
        content = cells.get("content")
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

        def note(
            column: str,
            check: str,
            message: str,
            value: str | None,
            severity: str,
            grid_row: GridRow = grid_row,
        ) -> None:
            notes.append(
                Issue(
                    source_name,
                    check,
                    message,
                    severity=severity,
                    location=grid_row.location,
                    column=column,
                    value=value,
                    action="value inherited" if check != "serial_mismatch" else "row loaded",
                )
            )

        serial_cell = cells.get("item_no")
        serial = parse_serial(serial_cell)
        if (
            empty_cells_merge
            and content is not None
            and not content.strip()
            and not (serial_cell or "").strip()
            and above.item_no is not None
        ):
            note(
                "content",
                "empty_cell_merged",
                _("project cell is empty: read as another row of item ({item})").format(
                    item=above.item_no
                ),
                "",
                "warning",
            )
            content = None
        if content is None or is_same_as_above(content):
            if content is not None and above.item_no is not None:
                note(
                    "content",
                    "same_as_above",
                    _("project cell says {value}: another row of item ({item})").format(
                        value=content.strip(), item=above.item_no
                    ),
                    content.strip(),
                    "info",
                )
            if above.item_no is None:
                problem(
                    "content",
                    "item_continuation",
                    _("row has no project cell and no item above to continue"),
                )
                item_no, text, sub_no = None, None, 1
            else:
                item_no, text, sub_no = above.item_no, above.content, above.sub_no + 1
        else:
            item_no, text = split_marker(content)
            sub_no = 1
            if item_no is not None and serial is not None and serial != item_no:
                note(
                    "item_no",
                    "serial_mismatch",
                    _(
                        "序号 says {serial} but the project text starts with ({item}); using "
                        "({item})"
                    ).format(serial=serial, item=item_no),
                    (serial_cell or "").strip(),
                    "warning",
                )
            if item_no is None:
                item_no = serial
            if (
                item_no is None
                and serial_cell is None
                and "item_no" in cells
                and (above.item_no is not None)
            ):
                # 序号 merged over two rows, the project text not: another row of that item.
                item_no, sub_no = above.item_no, above.sub_no + 1
            if item_no is None:
                problem(
                    "content",
                    "item_marker",
                    _(
                        "project cell does not start with an item number such as (1) and 序号 "
                        "gives none"
                    )
                    if "item_no" in cells
                    else _("project cell does not start with an item number such as (1)"),
                    content[:40],
                )

        resolved: dict[str, str | None] = {}
        inherited: dict[str, bool] = {}
        for column in ("department", "leader"):
            value = cells.get(column, _ABSENT)
            before = getattr(above, column)
            inherited[column] = False
            if value is _ABSENT:
                resolved[column] = None
                continue
            if value is None or is_same_as_above(value):
                inherited[column] = True
                if before is None:
                    problem(
                        column,
                        "merged_cell",
                        _("{column} cell is merged from above, but no row above has one").format(
                            column=column_text(column)
                        )
                        if value is None
                        else _("{column} cell is {value!r}, but no row above has one").format(
                            column=column_text(column), value=value.strip()
                        ),
                    )
                elif value is not None:
                    note(
                        column,
                        "same_as_above",
                        _("{column} says {value}: read as {before} from the row above").format(
                            column=column_text(column), value=value.strip(), before=before
                        ),
                        value.strip(),
                        "info",
                    )
                value = before
            elif empty_cells_merge and not value.strip() and before:
                inherited[column] = True
                note(
                    column,
                    "empty_cell_merged",
                    _(
                        "{column} cell is empty under {before}: read as merged from the row above"
                    ).format(column=column_text(column), before=before),
                    "",
                    "warning",
                )
                value = before
            resolved[column] = value
            # Later rows inherit from this one even if it is rejected: a merged cell above
            # them is what the document says, whatever else is wrong with this row.
            setattr(above, column, value)

        if item_no is not None:
            above.item_no, above.content, above.sub_no = item_no, text, sub_no

        if problems:
            rejected.append(
                RejectedRow(grid_row.location, grid_row.raw, tuple(problems), item_no=item_no)
            )
            continue

        records.append(
            {
                "item_no": item_no,
                "sub_no": sub_no,
                "content": text,
                **_texts(cells),
                "department": _strip(resolved["department"]),
                "leader": _strip(resolved["leader"]),
                "department_inherited": inherited["department"],
                "leader_inherited": inherited["leader"],
                "source_page": grid_row.location.page,
                "source_row": grid_row.location.row,
                "source_line": grid_row.location.line,
                "extra": _extra_json({k: normalize_cell(v) for k, v in grid_row.extra.items()}),
                "raw": grid_row.raw,
            }
        )

    return RowsRead(records_to_frame(records), rejected, notes)


_ABSENT: Any = object()


def _strip(value: str | None) -> str | None:
    return None if value is None else value.strip()


def _texts(cells: dict[str, str | None]) -> dict[str, object]:
    """Plan, actual, completion and note fields; NULL where the layout has no such column."""
    out: dict[str, object] = {
        "plan_text": plan_or_none(cells.get("plan") or "") if "plan" in cells else None,
        "actual_text": (cells.get("actual") or "").strip() if "actual" in cells else None,
        "note": (cells.get("note") or "").strip() if "note" in cells else None,
    }
    if "completion" in cells:
        completion = (cells.get("completion") or "").strip()
        out.update(
            completion_raw=completion,
            completion_pct=parse_completion(completion),
            is_lagging=LAGGING_MARK in completion,
        )
    else:
        out.update(
            completion_raw=None,
            completion_pct=None,
            is_lagging=LAGGING_MARK in str(out["note"] or ""),
        )
    return out


def _extra_json(extra: dict[str, str | None]) -> str | None:
    """Columns without a canonical name as a JSON object (header text → cell), or None."""
    if not extra:
        return None
    return json.dumps(
        {key: None if value is None else value.strip() for key, value in extra.items()},
        ensure_ascii=False,
    )


def records_to_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Row dicts → a frame with the fixed columns and dtypes of ``ROW_COLUMNS``."""
    if not records:
        return empty_rows()
    frame = pd.DataFrame.from_records(records, columns=list(ROW_COLUMNS))
    return frame.astype(ROW_DTYPES)
