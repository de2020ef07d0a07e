"""One cell's value as the reports write it: item numbers, completion rates, plans, ``同上``,
serial numbers, and what a completion or note cell says about the lag.

Small conversions from a cell's text, shared by ``parsers.grid`` (the rules of the table) and
the readers that need them before it (an item number that starts a row, a row's serial).
"""

from __future__ import annotations

import re

from i18n import _

#: An item number as reports write it: ``(12)``, ``（12）``; up to six digits, so ``(1000)``
#: is an item while the number still fits the warehouse's INTEGER column.
ITEM_NUMBER = r"[(（]\s*(\d{1,6})\s*[)）]"
_MARKER = re.compile(rf"^\s*{ITEM_NUMBER}\s*")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]")
_NO_PLAN = {"", "∕", "/", "／", "-", "—", "无"}
LAGGING_MARK = "滞后"
#: ``未滞后``, ``不滞后``, ``无滞后``, ``没有滞后``: the note says the row is *not* behind.
_NOT_LAGGING = re.compile(r"(?:未|不|无|没有|不存在)滞后")
#: A note that says the row is on schedule.
_ON_SCHEDULE = re.compile(r"(?:未|不|无|没有|不存在)滞后|按序时|按计划推进|正常推进|进度正常")
#: Header words of a column that explains a row (lag reasons go there when the rate is a
#: bare number): ``备注`` is the ``note`` column; the others are kept in ``extra``.
NOTE_HEADERS = ("备注", "说明", "存在问题", "问题", "原因")


def says_lagging(text: str | None) -> bool:
    """The text marks a row as behind schedule: ``滞后``, not negated (``未滞后``)."""
    return LAGGING_MARK in _NOT_LAGGING.sub("", text or "")


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


_ANY_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def other_percentages(cell: str) -> list[str]:
    """The percentages a completion cell holds after the one it starts with (``20%(本月),
    累计90%`` → ``['90%']``): the rate read may not be the one meant."""
    if parse_completion(cell) is None:
        return []
    return [f"{m.group(1)}%" for m in _ANY_PERCENT.finditer(cell)][1:]


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


def note_texts(cells: dict[str, str | None], extra: dict[str, str | None]) -> list[str]:
    """The row's note cells: ``备注`` and any other column whose header names a note."""
    texts = [cells.get("note") or ""] if "note" in cells else []
    texts += [
        value or "" for header, value in extra.items() if any(w in header for w in NOTE_HEADERS)
    ]
    return [text.strip() for text in texts if text and text.strip()]


def rate_and_note_disagree(completion: str | None, notes: list[str]) -> str | None:
    """Why a row's completion cell and its note disagree about the lag, or None.

    A note saying 滞后 beside a rate of 100 % or more, or a completion cell saying 滞后
    beside a note saying the row is on schedule.
    """
    if completion is None:
        return None
    pct = parse_completion(completion)
    lagging_note = next((text for text in notes if says_lagging(text)), None)
    if lagging_note is not None and pct is not None and pct >= 100:
        return _("the note says {note!r} but the completion rate is {rate}").format(
            note=lagging_note[:40], rate=completion[:20]
        )
    on_time = next((text for text in notes if _ON_SCHEDULE.search(text)), None)
    if on_time is not None and says_lagging(completion) and lagging_note is None:
        return _("the completion rate says {rate!r} (behind) but the note says {note!r}").format(
            rate=completion[:40], note=on_time[:40]
        )
    return None
