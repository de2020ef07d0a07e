"""Key cells OCR was unsure of, and that nothing corroborates: quarantined, not loaded.

A department, leader or completion cell read with less than ``UNSURE_BELOW`` confidence is
a guess. It loads only where something else in hand says the same: the same name read with
confidence elsewhere in the document (or on a page with a text layer), a known name it was
corrected to (``parsers.formats.ocr.correct``), or the names a caller passes (an earlier month of
the region). Otherwise the row is quarantined with the cell cut from the scan, so a clerk
can read it and send the row again; a merged cell's rows below it go with it, since they
carry the same guess.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from i18n import _, column_text
from parsers.formats.ocr.correct import KnownNames
from parsers.formats.ocr.runner import UNSURE_BELOW
from parsers.model import Issue, Location, OcrCells, RejectedRow

# The key cells whose value makes a row right or wrong (the item number is checked by the
# rows around it: items count up).
KEY_COLUMNS = ("department", "leader", "completion_raw")


def _int(value: object) -> int:
    return -1 if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def unsure_rows(
    rows: pd.DataFrame,
    cells: OcrCells,
    known: Iterable[KnownNames],
    source_name: str,
    below: float = UNSURE_BELOW,
) -> tuple[pd.DataFrame, list[RejectedRow]]:
    """``rows`` less those with a key cell read below ``below`` that ``known`` does not
    corroborate, and those rows as rejected, each with an error naming the cell."""
    if not cells or rows.empty:
        return rows, []
    names: dict[str, set[str]] = {column: set() for column in KEY_COLUMNS}
    for source in known:
        for column, values in source.names.items():
            names.setdefault(column, set()).update(values)
    reasons: dict[int, list[Issue]] = {}
    for column in KEY_COLUMNS:
        owner: tuple[object, int, int] | None = None  # the unsure value, page, row
        inherited_column = f"{column}_inherited"
        for index in rows.index:
            value = rows.at[index, column]
            page, row = _int(rows.at[index, "source_page"]), _int(rows.at[index, "source_row"])
            inherited = inherited_column in rows.columns and bool(rows.at[index, inherited_column])
            if inherited and owner is not None and value == owner[0]:
                reasons.setdefault(index, []).append(
                    _issue(source_name, column, value, page, row, None, owner[1:])
                )
                continue
            owner = None
            read = cells.get((page, row, column))
            if read is None or read.confidence >= below or not isinstance(value, str):
                continue
            if value in names.get(column, ()):
                continue
            owner = (value, page, row)
            reasons.setdefault(index, []).append(
                _issue(source_name, column, value, page, row, read.confidence, None, read.image)
            )
    if not reasons:
        return rows, []
    rejected = []
    for index, issues in reasons.items():
        record = rows.loc[index]
        item_no = record["item_no"]
        rejected.append(
            RejectedRow(
                Location.of_row(record.to_dict()),
                str(record["raw"]),
                tuple(issues),
                item_no=None if pd.isna(item_no) else int(item_no),
            )
        )
    return rows.drop(index=list(reasons)), rejected


def _issue(
    source_name: str,
    column: str,
    value: object,
    page: int,
    row: int,
    confidence: float | None,
    merged_from: tuple[int, int] | None,
    image: str | None = None,
) -> Issue:
    shown = str(value)
    if merged_from is None:
        message = _(
            "{column} read by OCR as '{value}' with confidence {confidence:.2f}, and no other "
            "cell says the same: read it on the scan and send the row again"
        ).format(column=column_text(column), value=shown, confidence=confidence)
    else:
        message = _(
            "{column} '{value}' is merged from page {page}, row {row}, where OCR was unsure of "
            "it: read it on the scan and send the row again"
        ).format(column=column_text(column), value=shown, page=merged_from[0], row=merged_from[1])
    return Issue(
        source_name,
        "ocr_unsure",
        message,
        severity="error",
        location=Location(page=page, row=row),
        column=column,
        value=shown,
        image=image,
    )
