"""The synonyms table: which header words name which column, loaded from TOML.

One mechanism for built-in and user layouts: the built-in table is ``layouts.toml`` in this
package, and a user file of the same shape adds names to it (``--layouts FILE`` or
``layouts.toml`` beside the warehouse). Every problem in a file is collected and raised
together as one ``LayoutsError`` naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

from i18n import _
from parsers.errors import ReportError
from parsers.model import TABLE_COLUMNS
from parsers.normalize import normalize_text

#: The canonical columns, in the order the August report prints them (序号 and 备注 around).
COLUMNS: tuple[str, ...] = ("item_no", *TABLE_COLUMNS, "note")

_SPACE = re.compile(r"\s+")
_COLUMN_KEYS = {"names", "label", "required"}


class LayoutsError(ReportError):
    """A layouts file that cannot be used; the message names the file and every problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:5]
        more = _(" … and {n} more").format(n=len(problems) - 5) if len(problems) > 5 else ""
        super().__init__(f"{source}: " + "; ".join(shown) + more)


def normalize_name(text: str | None) -> str:
    """A header word as it is compared: normalised (``parsers.normalize``), no whitespace."""
    return _SPACE.sub("", normalize_text(text or ""))


@dataclass(frozen=True)
class Layouts:
    """Header words per canonical column, which columns a table must have, and labels."""

    names: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    required: frozenset[str]
    sources: tuple[str, ...] = ("built-in",)

    def column_for(self, name: str) -> str | None:
        """The canonical column a header cell names (exact name, else the longest name it ends
        with), or None for a column nobody knows. ``name`` is the cell's text as
        ``normalize_name`` gives it: every row of a table is tried as a header, so this is
        called for every cell and must be cheap."""
        owners = self._owners
        if name in owners:
            return owners[name]
        for size in range(min(len(name) - 1, self._longest), 0, -1):
            column = owners.get(name[-size:])
            if column is not None:
                return column
        return None

    @cached_property
    def _owners(self) -> dict[str, str]:
        """Each name → its column (a name belongs to one column: ``extended`` checks it)."""
        return {name: column for column, names in self.names.items() for name in names}

    @cached_property
    def _longest(self) -> int:
        return max(map(len, self._owners), default=0)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)

    def known(self) -> str:
        """The known header words, for a message: ``项目内容 (项目名称, …), …``."""
        return ", ".join(
            f"{self.label(c)} ({'/'.join(self.names[c])})" for c in COLUMNS if c in self.names
        )

    def extended(self, data: dict[str, Any], source: str) -> Layouts:
        """These layouts with a parsed TOML document's names added (checked first)."""
        table = _check(data, source)
        names = {c: list(v) for c, v in self.names.items()}
        labels = dict(self.labels)
        required = set(self.required)
        problems: list[str] = []
        for column, spec in table.items():
            for name in spec.get("names", []):
                owner = next((c for c, ns in names.items() if name in ns), None)
                if owner is not None and owner != column:
                    problems.append(
                        _("columns.{column}.names: {name!r} already names column {owner!r}").format(
                            column=column, name=name, owner=owner
                        )
                    )
                elif owner is None:
                    names.setdefault(column, []).append(name)
            if "label" in spec:
                labels[column] = spec["label"]
            if spec.get("required") is True:
                required.add(column)
            elif spec.get("required") is False:
                required.discard(column)
        if problems:
            raise LayoutsError(source, problems)
        return Layouts(
            {c: tuple(names[c]) for c in COLUMNS if c in names},
            labels,
            frozenset(required),
            (*self.sources, source),
        )


def _check(data: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """The ``columns`` table of a layouts document with names normalized, or every problem."""
    problems: list[str] = []
    for key in data:
        if key != "columns":
            problems.append(
                _("unknown key {key!r} (a layouts file has only [columns.NAME] tables)").format(
                    key=key
                )
            )
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise LayoutsError(source, [*problems, _("'columns' must be a table of [columns.NAME]")])
    checked: dict[str, dict[str, Any]] = {}
    for column, spec in columns.items():
        where = f"columns.{column}"
        if column not in COLUMNS:
            problems.append(
                _("{where}: {column!r} is not a column; columns are {columns}").format(
                    where=where, column=column, columns=", ".join(COLUMNS)
                )
            )
            continue
        if not isinstance(spec, dict):
            problems.append(_("{where} must be a table with names = [...]").format(where=where))
            continue
        for key in spec:
            if key not in _COLUMN_KEYS:
                problems.append(
                    _("{where}.{key}: unknown key; use {keys}").format(
                        where=where, key=key, keys=", ".join(sorted(_COLUMN_KEYS))
                    )
                )
        out: dict[str, Any] = {}
        names = spec.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(_("{where}.names must be a list of strings").format(where=where))
        else:
            normal = [normalize_name(n) for n in names]
            if any(not n for n in normal):
                problems.append(_("{where}.names has an empty name").format(where=where))
            out["names"] = [n for n in normal if n]
        if "label" in spec:
            if isinstance(spec["label"], str) and spec["label"].strip():
                out["label"] = spec["label"].strip()
            else:
                problems.append(_("{where}.label must be a non-empty string").format(where=where))
        if "required" in spec:
            if not isinstance(spec["required"], bool):
                problems.append(_("{where}.required must be true or false").format(where=where))
            elif column == "content" and not spec["required"]:
                problems.append(
                    _("{where}.required: a row is its project text; it stays required").format(
                        where=where
                    )
                )
            else:
                out["required"] = spec["required"]
        checked[column] = out
    if problems:
        raise LayoutsError(source, problems)
    return checked


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutsError(source, [_("not valid TOML ({exc})").format(exc=exc)]) from None


@cache
def builtin_layouts() -> Layouts:
    """The built-in synonyms table shipped as ``parsers/layouts.toml``."""
    text = files("parsers").joinpath("layouts.toml").read_text(encoding="utf-8")
    empty = Layouts({}, {}, frozenset(), ())
    return empty.extended(_parse_toml(text, "built-in layouts.toml"), "built-in")


def load_layouts(path: str | Path | None = None) -> Layouts:
    """The built-in layouts, with a user's layouts file added when ``path`` is given."""
    layouts = builtin_layouts()
    if path is None:
        return layouts
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LayoutsError(str(path), [_("no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutsError(str(path), [_("cannot read it ({exc})").format(exc=exc)]) from None
    return layouts.extended(_parse_toml(text, str(path)), str(path))
