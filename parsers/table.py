"""The header row of the progress table, recognised the same way in every format."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.normalize import normalize_text
from parsers.period import month_from_header

_SPACE = re.compile(r"\s+")

# What each of the six columns may be called, after removing whitespace.
_COLUMN_NAMES: tuple[tuple[str, ...], ...] = (
    ("项目内容", "项目名称", "项目", "民生实事项目", "实事项目"),
    ("计划进度",),
    ("实际进度情况", "实际进度", "进展情况", "实际完成情况", "完成情况"),
    ("完成率", "完成比例", "完成进度"),
    ("责任单位", "牵头单位", "责任部门"),
    ("具体分管领导", "分管领导", "责任领导", "分管市领导"),
)


@dataclass(frozen=True)
class HeaderInfo:
    """A recognised header: its cells without whitespace and the month its plan column names."""

    cells: tuple[str, ...]
    month: int | None


def normalize_header_cell(cell: str | None) -> str:
    """``'项 目 内 容'`` → ``'项目内容'``; full-width forms folded."""
    return _SPACE.sub("", normalize_text(cell or ""))


def _column_matches(index: int, cell: str) -> bool:
    if index == 1:
        return "计划" in cell
    return any(cell == name or cell.endswith(name) for name in _COLUMN_NAMES[index])


def match_header(cells: Sequence[str | None]) -> HeaderInfo | None:
    """The header if these six cells are the progress table's header row, else None."""
    names = [normalize_header_cell(cell) for cell in cells]
    while names and names[-1] == "":
        names.pop()
    if len(names) != 6:
        return None
    if not all(_column_matches(i, name) for i, name in enumerate(names)):
        return None
    return HeaderInfo(tuple(names), month_from_header(names[1]))
