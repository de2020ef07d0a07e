"""A spreadsheet's formulas, and the values a file stores for them that cannot be trusted.

A workbook keeps each formula's last computed value beside it, and a reader that opens it
(openpyxl's ``data_only``) sees only that value. Excel stores the right one; a library
writing a workbook computes nothing: XlsxWriter stores 0 for every formula (and asks
Excel to compute them all on opening, ``fullCalcOnLoad``), exceljs stores no value at all,
and LibreOffice Calc saving such a file does not recompute it (it keeps the 0s and drops the
flag). A rate ``=I3/H3`` would load as 0%.

So each formula of the table is computed here when it is arithmetic on cells of its own
sheet (``+ - * / ^``, parentheses, ``SUM ROUND ABS MIN MAX AVERAGE``): where the stored value
differs, or is missing, the computed one is read. A formula this cannot compute is
trusted when a value is stored and the workbook does not say its values are stale;
otherwise its value is unknown (``None`` from ``FormulaCells.value``).
"""

from __future__ import annotations

import ast
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

_REF = r"\$?([A-Z]{1,3})\$?(\d{1,7})"
_RANGE = re.compile(_REF + ":" + _REF)
_CELL = re.compile(_REF)
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "SUM": lambda *a: math.fsum(a),
    "ROUND": lambda x, n=0: _round(x, n),
    "ABS": abs,
    "MIN": min,
    "MAX": max,
    "AVERAGE": lambda *a: math.fsum(a) / len(a),
}
_DEPTH = 20
_STALE = re.compile(rb'fullCalcOnLoad="(?:1|true)"')


_PERCENT_OF = re.compile(r"(_cell_\d+_\d+|\d+(?:\.\d+)?)\s*%")


def _is_power(node: ast.AST) -> bool:
    """Whether ``node`` is a power, where Excel's order of operations is not Python's."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)


def _round(x: float, n: float = 0) -> float:
    """Excel's ROUND: half away from zero."""
    scale = 10 ** int(n)
    return math.copysign(math.floor(abs(x) * scale + 0.5) / scale, x)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _NotArithmetic(Exception):
    """A formula (or a cell it reads) this module does not compute."""


@dataclass
class FormulaCells:
    """The formulas of one sheet by (row, column), with the values the file stores."""

    formulas: dict[tuple[int, int], str]
    stored: Callable[[int, int], object]
    #: The workbook asks for every formula to be computed on opening: stored values are stale.
    stale: bool = False
    _computed: dict[tuple[int, int], float | None] = field(default_factory=dict)

    def computed(self, row: int, col: int) -> float | None:
        """The formula's value computed from its cells, or None if it cannot be computed."""
        key = (row, col)
        if key not in self._computed:
            try:
                self._computed[key] = self._evaluate(key, 0)
            except (_NotArithmetic, ArithmeticError, ValueError, TypeError, RecursionError):
                self._computed[key] = None
        return self._computed[key]

    def _cell_number(self, key: tuple[int, int], depth: int) -> float:
        if key in self.formulas:
            return self._evaluate(key, depth + 1)
        value = self.stored(*key)
        if value is None:
            return 0.0  # an empty cell counts as 0, as in Excel
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _NotArithmetic
        return float(value)

    def _evaluate(self, key: tuple[int, int], depth: int) -> float:
        if depth > _DEPTH:
            raise _NotArithmetic
        text = self.formulas[key].lstrip("=").strip()
        if "!" in text or '"' in text or not text:
            raise _NotArithmetic
        ranges: list[list[tuple[int, int]]] = []

        def range_name(found: re.Match[str]) -> str:
            left, top, right, bottom = found.groups()
            rows = range(int(top), int(bottom) + 1)
            cols = range(column_number(left), column_number(right) + 1)
            ranges.append([(r, c) for r in rows for c in cols])
            return f"_range{len(ranges) - 1}"

        def cell_name(found: re.Match[str]) -> str:
            return f"_cell_{found.group(2)}_{column_number(found.group(1))}"

        python = _CELL.sub(cell_name, _RANGE.sub(range_name, text)).replace("^", "**")
        python = _PERCENT_OF.sub(r"(\1/100)", python)  # 72% and A1%: a hundredth
        try:
            tree = ast.parse(python, mode="eval")
        except SyntaxError:  # Excel's own syntax (&, <>, a % after a bracket): not computed
            raise _NotArithmetic from None
        return self._node(tree.body, ranges, depth)

    def _node(self, node: ast.AST, ranges: list[list[tuple[int, int]]], depth: int) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id.startswith("_cell_"):
            _, _, row, col = node.id.split("_")
            return self._cell_number((int(row), int(col)), depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            if _is_power(node.operand):
                raise _NotArithmetic  # Excel: -2^2 is 4 (the sign first); Python: -4
            value = self._node(node.operand, ranges, depth)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left = self._node(node.left, ranges, depth)
            right = self._node(node.right, ranges, depth)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            if isinstance(node.op, ast.Pow):
                if _is_power(node.right):
                    raise _NotArithmetic  # Excel: 2^3^2 is 64 (left first); Python: 512
                return float(left**right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            function = _FUNCTIONS.get(node.func.id.upper())
            if function is not None and not node.keywords:
                args: list[float] = []
                for arg in node.args:
                    if isinstance(arg, ast.Name) and arg.id.startswith("_range"):
                        cells = ranges[int(arg.id[len("_range") :])]
                        args += [self._cell_number(key, depth) for key in cells]
                    else:
                        args.append(self._node(arg, ranges, depth))
                return float(function(*args))
        raise _NotArithmetic


def has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook's zip holds a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                if re.search(rb"<(?:\w+:)?f[ >/]", archive.read(name)):
                    return True
    return False


def values_are_stale(data: bytes) -> bool:
    """Whether the workbook asks for its formulas to be computed again on opening."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return bool(_STALE.search(archive.read("xl/workbook.xml")))
        except KeyError:
            return False


def sheet_formulas(formula_ws) -> dict[tuple[int, int], str]:
    """The formulas of a sheet opened with formulas (openpyxl, not ``data_only``)."""
    found: dict[tuple[int, int], str] = {}
    for key, cell in formula_ws._cells.items():
        value = cell.value
        text = getattr(value, "text", value)  # an array formula keeps its text in .text
        if isinstance(text, str) and text.startswith("="):
            found[key] = text
    return found
