"""What a column holds, read from its values: the guard against a shifted table.

A header maps columns by their names; when a reader splits a row's cells wrongly (a border
read as an empty cell, a merge read the wrong way) the names still match while every value
sits one column off. The values say so: a department reads like an organisation, a leader
like one or more personal names, a completion rate like a percentage. ``cell_kind`` says
which of these a cell looks like; ``implausible_columns`` finds the mapped columns whose
cells mostly look like *another* column's kind, and ``check_columns`` rejects the document
for them. A single odd cell is not this guard's business: the schema warns about it
(``schemas.progress``, with the same ``looks_like_organisation`` and ``looks_like_person``).

"Mostly", measured on the committed fixtures (every format, the scans read by OCR
included): no column of a correct fixture holds a single cell of a foreign kind, while a
table read one column off holds 51 % (the 备注 column of a text table whose trailing ``|``
was read as a border: 24 of 47 cells are departments) to 100 % (department and leader
columns swapped). A column is rejected when at least ``MIN_FOREIGN`` cells, and at least
``MOSTLY`` (a third) of its filled cells, are of one foreign kind: far from both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from i18n import N_, _, column_text
from parsers.errors import ColumnsImplausible
from parsers.model import GridRow, Location
from parsers.normalize import normalize_text

#: Share of a column's filled cells of one foreign kind that makes the column implausible.
MOSTLY = 1 / 3
#: Fewest cells of a foreign kind that make a column implausible (a short table is judged
#: on a few cells, never on one or two).
MIN_FOREIGN = 3

_ORGANISATION_END = re.compile(
    r"(?:局|委|办|会|院|中心|集团|大队|支队|队|联|协|站|所|公司|部|处|室|厅|政府|街道|镇|乡|馆|团|社"
    r"|行|署|园|校|司)$"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}$")
#: The longest organisation name read as one (``乐清市市政公用工程建设中心`` has 13).
_NAME_LENGTH = 20
_SENTENCE = re.compile(r"[。：:！？!?]")
_JOINED = re.compile(r"\s*[、，,；;/]\s*|\s+")
_PERCENT = re.compile(r"^\d+(?:\.\d+)?\s*[%％]")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_SERIAL = re.compile(r"^[(（]?\s*\d{1,4}\s*[)）.、．]?$")
#: Completion cells written in words rather than as a percentage.
_RATE_PHRASES = frozenset(
    {
        "已完成",
        "完成",
        "全部完成",
        "基本完成",
        "未完成",
        "未开工",
        "已开工",
        "推进中",
        "正在推进",
        "正常推进",
        "按序时推进",
        "序时推进",
        "待核实",
        "滞后",
    }
)
_NOTHING = frozenset({"", "∕", "/", "／", "-", "—", "无", "同上", "〃", "仝上", "″"})

ORGANISATION, PERSON, RATE, SERIAL, TEXT, EMPTY = (
    "organisation",
    "person",
    "rate",
    "serial",
    "text",
    "empty",
)

#: For each column the grid step reads: the kinds that show its cells belong to another
#: column. Two to four characters in a plan or note column may be a short phrase
#: (``完成安装``, ``正常``), not a name, so free text columns are judged on organisations only.
FOREIGN: dict[str, frozenset[str]] = {
    "department": frozenset({PERSON, RATE}),
    "leader": frozenset({ORGANISATION, RATE}),
    # ``进行中``, ``招标中``: a rate in words can look like a name; a shift that puts names
    # here puts something else in the leader column too.
    "completion": frozenset({ORGANISATION}),
    "item_no": frozenset({ORGANISATION, PERSON, RATE}),
    "content": frozenset({ORGANISATION, PERSON, RATE}),
    "plan": frozenset({ORGANISATION}),
    "actual": frozenset({ORGANISATION}),
    "note": frozenset({ORGANISATION}),
}

_KIND_WORDS = {
    ORGANISATION: N_("department names"),
    PERSON: N_("personal names"),
    RATE: N_("completion rates"),
    SERIAL: N_("item numbers"),
}


def _parts(text: str) -> list[str]:
    return [part for part in _JOINED.split(text) if part]


def looks_like_organisation(text: str) -> bool:
    """``市教育局``, ``市民政局、市残联``: every part is a name (at most ``_NAME_LENGTH``
    characters, no sentence) that ends like an organisation's."""
    parts = _parts(text)
    return bool(parts) and all(
        len(part) <= _NAME_LENGTH and not _SENTENCE.search(part) and _ORGANISATION_END.search(part)
        for part in parts
    )


def looks_like_person(text: str) -> bool:
    """``王旭良``, ``王旭良、陈玮莉``: one or more personal names (2–4 characters each, or a
    name with ``·``), none ending like an organisation."""
    parts = _parts(text)
    return bool(parts) and all(
        _NAME.match(part) and not _ORGANISATION_END.search(part) for part in parts
    )


def looks_like_rate(text: str) -> bool:
    """``72%``, ``63%,…滞后进度``, ``0.72``, or a phrase completion cells use (``已完成``)."""
    compact = "".join(text.split())
    return bool(
        _PERCENT.match(compact) or _NUMBER.match(compact) or compact.rstrip("。") in _RATE_PHRASES
    )


def cell_kind(cell: str | None) -> str:
    """Which column's values a cell looks like: an organisation, a person, a rate, an item
    number, other text, or nothing (empty, ``∕``, ``同上``)."""
    text = normalize_text(cell or "").strip()
    if "".join(text.split()) in _NOTHING:
        return EMPTY
    if _SERIAL.match(text):
        return SERIAL
    if looks_like_rate(text):
        return RATE
    if looks_like_organisation(text):
        return ORGANISATION
    if looks_like_person(text):
        return PERSON
    return TEXT


@dataclass(frozen=True)
class Implausible:
    """A column whose cells mostly look like another column's: ``count`` of its ``filled``
    cells are of ``kind``; ``samples`` are the first three, with their places."""

    column: str
    kind: str
    count: int
    filled: int
    samples: tuple[tuple[str, Location], ...]

    def describe(self) -> str:
        samples = _(", ").join(
            _("{value!r} ({place})").format(value=value, place=place.describe())
            if place.describe()
            else repr(value)
            for value, place in self.samples
        )
        return _(
            "the {column} column holds {kind} in {count} of its {filled} cells: {samples}"
        ).format(
            column=column_text(self.column),
            kind=_(_KIND_WORDS[self.kind]),
            count=self.count,
            filled=self.filled,
            samples=samples,
        )


def implausible_columns(grid: Iterable[GridRow]) -> list[Implausible]:
    """The mapped columns whose filled cells mostly look like another column's kind.

    A reader that can split a row in more than one way may try each and keep the one for
    which this is empty.
    """
    cells: dict[str, list[tuple[str, Location, str]]] = {}
    for row in grid:
        for column, cell in row.cells.items():
            if column not in FOREIGN or cell is None:
                continue
            kind = cell_kind(cell)
            if kind == ORGANISATION and column == "note" and (row.cells.get("department") or ""):
                # A 备注 may name the offices that help (配合单位) beside the row's own
                # department; only one standing in for a missing department is shifted.
                kind = TEXT
            if kind != EMPTY:
                text = normalize_text(cell).strip()
                cells.setdefault(column, []).append((text, row.location, kind))
    found: list[Implausible] = []
    for column, values in cells.items():
        kinds = Counter(kind for _text, _place, kind in values if kind in FOREIGN[column])
        if not kinds:
            continue
        kind, count = kinds.most_common(1)[0]
        if count >= MIN_FOREIGN and count >= MOSTLY * len(values):
            samples = tuple((text, place) for text, place, k in values if k == kind)[:3]
            found.append(Implausible(column, kind, count, len(values), samples))
    return found


def check_columns(grid: Sequence[GridRow], source_name: str) -> None:
    """Reject a table whose columns hold another column's values (a shifted table): raises
    ``ColumnsImplausible`` naming each such column and three of its cells."""
    found = implausible_columns(grid)
    if not found:
        return
    raise ColumnsImplausible(
        source_name,
        _(
            "{problems}; the cells do not line up with the header (a cell too many or too "
            "few, or a border read as a cell): nothing was loaded; put each value under its "
            "column and send the report again"
        ).format(problems=_("; ").join(item.describe() for item in found)),
    )
