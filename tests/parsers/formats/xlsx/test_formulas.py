"""Formulas whose stored value is not theirs (0 from XlsxWriter, none from exceljs)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from parsers import parse_bytes
from parsers.formats.xlsx.formulas import FormulaCells
from tests.helpers import EXPECTED
from tests.truth import Truth, loaded_rows

TRUTH = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    "name",
    [
        "yueqing-2022-08-formula-rate.xlsx",  # XlsxWriter: 0 stored, fullCalcOnLoad
        "yueqing-2022-08-formula-rate-exceljs.xlsx",  # exceljs: no value stored
        "yueqing-2022-08-formula-rate-calc.xlsx",  # Calc kept the 0s, dropped the flag
    ],
)
def test_a_rate_formula_is_computed_not_read_as_its_stored_zero(name: str) -> None:
    """Before: 48 rates of 0% loaded without a word (XlsxWriter, Calc), or 48 rows
    quarantined as "'' is not a percentage" (exceljs)."""
    rows, issues = loaded_rows(Truth(f"sheets/{name}"))
    assert len(rows) == 48
    assert rows["completion_pct"].tolist() == TRUTH["completion_pct"].astype(float).tolist()
    said = [i for i in issues if i.check == "formula_value"]
    assert len(said) == 1
    assert "48 formulas of column D (D3–D50)" in said[0].message
    assert "D3 `=I3/H3` = 72%" in said[0].message


def _cells(formulas: dict, values: dict, *, stale: bool = False) -> FormulaCells:
    return FormulaCells(formulas, lambda r, c: values.get((r, c)), stale=stale)


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=B1/A1", 0.72),
        ("=ROUND(B1/A1*100,0)", 72.0),
        ("=SUM(A1:B1)", 172.0),
        ("=(B1-2)/A1^1", 0.7),
        ("=-B1+MAX(A1,B1)", 28.0),
        ("=C1*2", 144.0),  # C1 is itself a formula
        ("=B1/D1", None),  # D1 empty: #DIV/0!
        ("=VLOOKUP(A1,Sheet2!A:B,2)", None),
        ('=B1&"%"', None),
        ("=72%", 0.72),  # a percent literal: the workbook was rejected with a SyntaxError
        ("=B1%*A1", 72.0),
        ("=-B1^2", None),  # Excel squares -72 (5184); Python's order gave -5184
        ("=2^3^2", None),  # Excel: (2^3)^2 = 64; Python's order gave 512
        ("=A1-B1^2", -5084.0),  # a binary minus: the same in both
        ("=B1<>A1", None),
    ],
)
def test_arithmetic_formulas_are_computed_others_are_not(formula: str, value: float | None) -> None:
    cells = _cells({(2, 1): formula, (1, 3): "=B1"}, {(1, 1): 100, (1, 2): 72})
    computed = cells.computed(2, 1)
    assert computed == pytest.approx(value) if value is not None else computed is None


def test_a_formula_without_value_that_cannot_be_computed_is_not_read_as_a_rate() -> None:
    """openpyxl writes formulas without values: a VLOOKUP rate cannot be computed here, so
    the rate is not a number and the row is quarantined, the formula named."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2022年乐清市民生实事项目8月份进展情况"])
    ws.append(["项目内容", "8月计划进度", "实际进度情况", "完成率", "责任单位", "具体分管领导"])
    ws.append(
        ["(1)项目一", "计划", "实际", "=VLOOKUP(A3,Sheet2!A:B,2,FALSE)", "市教育局", "王旭良"]
    )
    ws.append(["(2)项目二", "计划", "实际", "=72/100", "市教育局", "王旭良"])
    ws["D3"].number_format = ws["D4"].number_format = "0%"
    buffer = io.BytesIO()
    wb.save(buffer)
    doc = parse_bytes(buffer.getvalue(), "乐清市2022年8月.xlsx")
    from pipelines.core.checking import checked_document

    result = checked_document(doc, Path("乐清市2022年8月.xlsx"))
    assert result.rows["item_no"].tolist() == [2]
    assert result.rows["completion_pct"].tolist() == [72.0]
    unknown = [i for i in result.issues if i.check == "formula_value" and i.location.row == 3]
    assert len(unknown) == 1 and "`=VLOOKUP(A3,Sheet2!A:B,2,FALSE)`" in unknown[0].message
    assert [i.location.row for i in result.issues if i.check == "completion_is_percentage"] == [3]
