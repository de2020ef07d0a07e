"""OCR near-misses in departments and leaders, corrected from names already known.

A department or leader that OCR read with some doubt, that is not a name seen before, and
that is one edit (a character changed, added or dropped) from exactly one known name, is
taken to be that name: the known name loads, with an info issue showing both and the cell
cut from the scan. Names come from earlier months of the region (the warehouse) and from
the same document (cells read with confidence, and text-layer pages). Nothing is corrected
to a name two or more edits away, to one of several equally near names, or from a cell OCR
was sure of (a confident read of a new name is a new name).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from i18n import N_, _, column_text
from parsers.model import Issue, Location, OcrCells

CORRECTED_COLUMNS = ("department", "leader")
# A cell read at this confidence or more is what the page says; it is never corrected.
SURE = 0.99


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with exactly one character changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def nearest_known(value: str, known: Collection[str]) -> str | None:
    """The one known name one edit from ``value``, or None (none, or several)."""
    if len(value) < 2 or value in known:
        return None
    near = [name for name in known if len(name) >= 2 and one_edit_apart(value, name)]
    return near[0] if len(near) == 1 else None


@dataclass(frozen=True)
class KnownNames:
    """Departments and leaders known before this document, and where they were seen."""

    names: Mapping[str, Collection[str]]
    where: str  # e.g. "earlier months of 乐清市"


def document_names(rows: pd.DataFrame, cells: OcrCells) -> KnownNames:
    """The names a document itself gives with confidence: text-layer rows and sure OCR cells."""
    names: dict[str, set[str]] = {column: set() for column in CORRECTED_COLUMNS}
    for row in rows.itertuples(index=False):
        for column in CORRECTED_COLUMNS:
            value = getattr(row, column)
            if not isinstance(value, str) or not value:
                continue
            read = cells.get((_int(row.source_page), _int(row.source_row), column))
            inherited = bool(getattr(row, f"{column}_inherited"))
            if read is None and not inherited and not _scanned(row, cells):
                names[column].add(value)
            elif read is not None and read.confidence >= SURE:
                names[column].add(value)
    return KnownNames(names, N_("elsewhere in this document"))


def _int(value: object) -> int:
    return -1 if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _scanned(row: Any, cells: OcrCells) -> bool:
    page = _int(row.source_page)
    return any(key[0] == page for key in cells)


def correct_near_misses(
    rows: pd.DataFrame, cells: OcrCells, known: Iterable[KnownNames], source_name: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """``rows`` with OCR near-misses of known names corrected, and an info issue per change.

    A merged cell's value is corrected where the cell starts and in every row inheriting it.
    """
    if not cells or rows.empty:
        return rows, []
    sources = list(known)
    rows = rows.copy()
    issues: list[Issue] = []
    for column in CORRECTED_COLUMNS:
        owner: tuple[str, str, str, int, int] | None = None  # misread, name, where, page, row
        for index in rows.index:
            value = rows.at[index, column]
            page, row_no = _int(rows.at[index, "source_page"]), _int(rows.at[index, "source_row"])
            inherited = bool(rows.at[index, f"{column}_inherited"])
            if inherited and owner is not None and value == owner[0]:
                rows.at[index, column] = owner[1]
                issues.append(
                    _issue(
                        source_name,
                        column,
                        owner[0],
                        owner[1],
                        owner[2],
                        page,
                        row_no,
                        _(" (merged cell from page {page}, row {row})").format(
                            page=owner[3], row=owner[4]
                        ),
                        None,
                    )
                )
                continue
            owner = None
            read = cells.get((page, row_no, column))
            if read is None or read.confidence >= SURE or not isinstance(value, str):
                continue
            for source in sources:
                name = nearest_known(value, source.names.get(column, ()))
                if name is not None:
                    rows.at[index, column] = name
                    owner = (value, name, source.where, page, row_no)
                    issues.append(
                        _issue(
                            source_name,
                            column,
                            value,
                            name,
                            source.where,
                            page,
                            row_no,
                            _(", OCR confidence {confidence:.2f}").format(
                                confidence=read.confidence
                            ),
                            read.image,
                        )
                    )
                    break
    return rows, issues


def _issue(
    source_name: str,
    column: str,
    read: str,
    name: str,
    where: str,
    page: int,
    row: int,
    detail: str,
    image: str | None,
) -> Issue:
    return Issue(
        source_name,
        "ocr_corrected",
        _(
            "{column} read by OCR as '{read}' loaded as '{name}', one character from a name seen "
            "{where}{detail}"
        ).format(column=column_text(column), read=read, name=name, where=_(where), detail=detail),
        severity="info",
        location=Location(page=page, row=row),
        column=column,
        value=read,
        action="row loaded (corrected)",
        image=image,
    )
