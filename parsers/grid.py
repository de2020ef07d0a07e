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
  (with an info issue), take the value above and are flagged inherited;
- an empty department or leader cell is merged from above (with a warning) only in a
  document that writes its merges as empty cells: the reader's format may (text,
  spreadsheets: ``empty_cells_merge``) and most of the document's merged rows do
  (``merges_written_empty``). Elsewhere it is a missing value and the row is quarantined;
- a merged cell never skips a row: under a row the reader rejected, or whose cell is
  empty, it is quarantined too; under a row rejected here it takes that row's cell, with
  a warning;
- a column the layout lacks loads as NULL: no completion column, NULL ``completion_raw`` and
  ``completion_pct``; ``is_lagging`` is true where the completion cell or a note column
  (``备注``, ``存在问题``, …) says ``滞后``; a rate and a note that disagree get a warning;
- ``备注`` goes to ``note``, columns without a canonical name to ``extra`` (JSON);
- before any of this, ``parsers.plausibility.check_columns`` rejects a table whose columns
  hold another column's values (a shifted table).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from i18n import _, column_text
from parsers.cells import (
    ITEM_NUMBER,
    is_same_as_above,
    note_texts,
    other_percentages,
    parse_completion,
    parse_serial,
    plan_or_none,
    rate_and_note_disagree,
    says_lagging,
    split_marker,
)
from parsers.model import (
    ROW_COLUMNS,
    ROW_DTYPES,
    GridRow,
    Issue,
    Location,
    RejectedRow,
    empty_rows,
)
from parsers.normalize import normalize_cell
from parsers.plausibility import check_columns


@dataclass
class _Inherited:
    item_no: int | None = None
    content: str | None = None
    sub_no: int = 0
    department: str | None = None
    leader: str | None = None
    #: Columns (``content``, ``department``, ``leader``) whose value above cannot be taken by
    #: a merged cell: the place of the row above and why (its row was rejected by the
    #: reader, or its cell is empty).
    unusable: dict[str, tuple[Location, str]] = field(default_factory=dict)
    #: Columns whose value above comes from a row rejected here: taken, with a warning.
    quarantined: dict[str, Location] = field(default_factory=dict)

    def spoil(self, location: Location, why: str) -> None:
        """A row the reader rejected: nothing in it can be taken by a merged cell below."""
        for column in ("content", "department", "leader"):
            self.unusable[column] = (location, why)
        self.quarantined.clear()


_REJECTED = "rejected"
_EMPTY = "empty"


def merges_written_empty(grid: Iterable[GridRow]) -> bool:
    """Whether most rows with a merged department or leader cell write it as an empty cell
    (``| |``, a blank spreadsheet cell) rather than leave it out (fewer cells in a text row,
    a real merge in a sheet): counted over the rows, the document decides for itself."""
    left_out = written_empty = 0
    for row in grid:
        cells = [row.cells[c] for c in ("department", "leader") if c in row.cells]
        if any(cell is None for cell in cells):
            left_out += 1
        elif any(not cell.strip() for cell in cells if cell is not None):
            written_empty += 1
    return written_empty > left_out


class RowsRead(NamedTuple):
    """What the grid step made of a table: rows, rejected rows, and issues about kept rows."""

    rows: pd.DataFrame
    rejected: list[RejectedRow]
    issues: list[Issue]


def grid_to_rows(
    grid: Iterable[GridRow],
    source_name: str,
    *,
    empty_cells_merge: bool = False,
    read_rejected: Sequence[RejectedRow] = (),
) -> RowsRead:
    """Resolve merged cells and item numbers; rows that cannot be read are rejected, not guessed.

    ``empty_cells_merge``: the format may write a merged cell as an empty one (the document
    then decides, ``merges_written_empty``). ``read_rejected``: rows the reader rejected
    (in document order with ``grid``); a merged cell under one of them is not resolved.
    Raises ``ColumnsImplausible`` for a table whose columns hold another column's values.
    """
    grid = list(grid)
    check_columns(grid, source_name)
    merges_empty = empty_cells_merge and merges_written_empty(grid)
    records: list[dict[str, object]] = []
    rejected: list[RejectedRow] = []
    notes: list[Issue] = []
    above = _Inherited()
    pending = sorted(read_rejected, key=lambda r: r.location.sort_key())

    for grid_row in grid:
        while pending and pending[0].location.sort_key() < grid_row.location.sort_key():
            above.spoil(pending.pop(0).location, _REJECTED)
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

        def from_unusable(column: str, where: tuple[Location, str]) -> None:
            place, why = where
            if why == _REJECTED:
                text = _(
                    "{column} cell is merged from {place}, which is quarantined: write the "
                    "{column} in this row, or correct that row"
                )
            else:
                text = _(
                    "{column} cell is merged from {place}, whose cell is empty: fill in the "
                    "{column}"
                )
            problem(
                column,
                "merged_from_quarantined",
                text.format(column=column_text(column), place=place.describe()),
            )

        def from_quarantined(column: str, before: str | None) -> None:
            place = above.quarantined.get(column)
            if place is None:
                return
            note(
                column,
                "merged_from_quarantined",
                _(
                    "{column} cell is merged from {place}, which is quarantined: read as "
                    "{before} from that row; check it"
                ).format(column=column_text(column), place=place.describe(), before=before),
                before,
                "warning",
            )

        serial_cell = cells.get("item_no")
        serial = parse_serial(serial_cell)
        if (
            merges_empty
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
            if "content" in above.unusable:
                from_unusable("content", above.unusable["content"])
                item_no, text, sub_no = None, None, 1
            elif above.item_no is None:
                problem(
                    "content",
                    "item_continuation",
                    _("row has no project cell and no item above to continue"),
                )
                item_no, text, sub_no = None, None, 1
            else:
                from_quarantined("content", f"({above.item_no})")
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
            unusable = above.unusable.get(column)
            merged = value is None or is_same_as_above(value)
            if not merged and merges_empty and not value.strip() and (before or unusable):
                merged = True
                if unusable is None:
                    note(
                        column,
                        "empty_cell_merged",
                        _(
                            "{column} cell is empty under {before}: read as merged from the "
                            "row above"
                        ).format(column=column_text(column), before=before),
                        "",
                        "warning",
                    )
            if merged and unusable is not None:
                inherited[column] = True
                from_unusable(column, unusable)
                value = None
            elif merged:
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
                elif value is not None and value.strip():
                    note(
                        column,
                        "same_as_above",
                        _("{column} says {value}: read as {before} from the row above").format(
                            column=column_text(column), value=value.strip(), before=before
                        ),
                        value.strip(),
                        "info",
                    )
                if before is not None:
                    from_quarantined(column, before)
                value = before
            resolved[column] = value
            # Later rows inherit from this one even if it is rejected: a merged cell above
            # them is what the document says, whatever else is wrong with this row. An
            # empty cell (a missing value here) or an unresolved one gives them nothing.
            setattr(above, column, value)
            if value is None or not value.strip():
                if value is not None or unusable is not None:
                    above.unusable[column] = unusable or (grid_row.location, _EMPTY)
            else:
                above.unusable.pop(column, None)

        if item_no is not None:
            above.item_no, above.content, above.sub_no = item_no, text, sub_no
            above.unusable.pop("content", None)
        elif "content" not in above.unusable:
            # A row rejected without an item number: a row below it continues nothing.
            above.unusable["content"] = (grid_row.location, _REJECTED)

        # Where a merged cell below would take each value from, if that is a row rejected here.
        own = {
            "content": content is not None and not is_same_as_above(content),
            "department": not inherited["department"],
            "leader": not inherited["leader"],
        }
        for column, from_this_row in own.items():
            if column in above.unusable or (from_this_row and not problems):
                above.quarantined.pop(column, None)
            elif problems:
                # Its own cell, or one it took from above: a row rejected for what it holds
                # (cells shifted by a bar typed full-width) may not have been merged at all.
                above.quarantined[column] = grid_row.location

        if problems:
            rejected.append(
                RejectedRow(grid_row.location, grid_row.raw, tuple(problems), item_no=item_no)
            )
            continue

        extra = {k: normalize_cell(v) for k, v in grid_row.extra.items()}
        row_notes = note_texts(cells, extra)
        rate = (cells.get("completion") or "").strip()
        if others := other_percentages(rate):
            notes.append(
                Issue(
                    source_name,
                    "several_rates",
                    _(
                        "the completion cell holds {others} after {first}: read as {first}; "
                        "check that it is this month's completion rate"
                    ).format(others=_(", ").join(others), first=f"{parse_completion(rate):g}%"),
                    severity="warning",
                    location=grid_row.location,
                    column="completion",
                    value=rate,
                    action="row loaded",
                )
            )
        disagreement = rate_and_note_disagree(
            cells.get("completion") if "completion" in cells else None, row_notes
        )
        if disagreement is not None:
            notes.append(
                Issue(
                    source_name,
                    "lagging_disagrees",
                    disagreement,
                    severity="warning",
                    location=grid_row.location,
                    column="completion",
                    value=(cells.get("completion") or "").strip(),
                    action="row loaded",
                )
            )
        records.append(
            {
                "item_no": item_no,
                "sub_no": sub_no,
                "content": text,
                **_texts(cells, row_notes),
                "department": _strip(resolved["department"]),
                "leader": _strip(resolved["leader"]),
                "department_inherited": inherited["department"],
                "leader_inherited": inherited["leader"],
                "source_page": grid_row.location.page,
                "source_row": grid_row.location.row,
                "source_line": grid_row.location.line,
                "extra": _extra_json(extra),
                "raw": grid_row.raw,
            }
        )

    records, joined = _items_joined_in_a_row(records, rejected, source_name)
    return RowsRead(records_to_frame(records), [*rejected, *joined], notes)


_ANY_MARKER = re.compile(ITEM_NUMBER)


def _items_joined_in_a_row(
    records: list[dict[str, object]], rejected: list[RejectedRow], source_name: str
) -> tuple[list[dict[str, object]], list[RejectedRow]]:
    """The records whose project text also holds the next item's number, that item nowhere
    else: two items pasted into one row (the last two of a table leave no numbering gap to
    see). Neither item's values can be told apart, so the row is quarantined."""
    items = {r["item_no"] for r in records} | {r.item_no for r in rejected}
    kept: list[dict[str, object]] = []
    joined: list[RejectedRow] = []
    for record in records:
        item, text = record["item_no"], record["content"]
        if not isinstance(item, int) or not isinstance(text, str):
            kept.append(record)
            continue
        following = item + 1
        if following in items or following not in {
            int(m.group(1)) for m in _ANY_MARKER.finditer(text)
        }:
            kept.append(record)
            continue
        location = Location.of_row(record)
        issue = Issue(
            source_name,
            "items_in_one_row",
            _(
                "the project text of item ({item}) holds ({next}) too, and no row of its own "
                "has ({next}): two items written in one row; write ({next}) in a row of its own"
            ).format(item=item, next=following),
            location=location,
            column="content",
            value=f"({following})",
        )
        joined.append(RejectedRow(location, str(record["raw"]), (issue,), item_no=item))
    return kept, joined


_ABSENT: Any = object()


def _strip(value: str | None) -> str | None:
    return None if value is None else value.strip()


def _texts(cells: dict[str, str | None], notes: list[str]) -> dict[str, object]:
    """Plan, actual, completion and note fields; NULL where the layout has no such column.

    A row is lagging when its completion cell or one of its ``notes`` says so: a sheet whose
    rates are numbers (``0.72`` formatted ``0%``) moves the lag's explanation to a note.
    """
    out: dict[str, object] = {
        "plan_text": plan_or_none(cells.get("plan") or "") if "plan" in cells else None,
        "actual_text": (cells.get("actual") or "").strip() if "actual" in cells else None,
        "note": (cells.get("note") or "").strip() if "note" in cells else None,
    }
    noted = any(says_lagging(text) for text in notes)
    if "completion" in cells:
        completion = (cells.get("completion") or "").strip()
        out.update(
            completion_raw=completion,
            completion_pct=parse_completion(completion),
            is_lagging=says_lagging(completion) or noted,
        )
    else:
        out.update(completion_raw=None, completion_pct=None, is_lagging=noted)
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
    """Row dicts → a frame with the fixed columns and dtypes of ``ROW_COLUMNS``.

    Each column is built once in its dtype: inferring a frame and then converting every
    column was most of the cost of a small document's parse.
    """
    if not records:
        return empty_rows()
    index = pd.RangeIndex(len(records))
    return pd.DataFrame(
        {
            column: _column([r.get(column, math.nan) for r in records], ROW_DTYPES[column], index)
            for column in ROW_COLUMNS
        },
        index=index,
    )


def _column(values: list[Any], dtype: str, index: pd.RangeIndex) -> pd.Series:
    """One column of ``records_to_frame``. A text column's missing cells are what pandas'
    inference gave them before (NaN in a column with text or without the key, None in a
    column of only None), so the frame is the one ``from_records(...).astype(...)`` made."""
    if dtype == "object":
        if any(isinstance(value, str) for value in values):
            values = [math.nan if value is None else value for value in values]
        return pd.Series(values, index=index, dtype=object)
    return pd.Series(values, index=index, dtype=dtype)
