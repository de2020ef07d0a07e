"""A spreadsheet cell as Excel shows it: number formats, and text nobody can see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from parsers import parse_bytes
from parsers.formats.xlsx.cells import format_date, format_number
from tests.helpers import EXPECTED, FIXTURES
from tests.truth import Truth, loaded_rows

SHEETS = FIXTURES / "sheets"
TRUTH = pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)


def _read(name: str):
    rows, issues = loaded_rows(Truth(f"sheets/{name}"))
    return rows, issues


def _rates(rows: pd.DataFrame) -> dict[int, float]:
    first = rows[rows["sub_no"] == 1]
    return dict(zip(first["item_no"].astype(int), first["completion_pct"], strict=True))


def _truth_rates() -> dict[int, float]:
    first = TRUTH[TRUTH["sub_no"] == "1"]
    return dict(
        zip(first["item_no"].astype(int), first["completion_pct"].astype(float), strict=True)
    )


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.72, "0%", "72%"),
        (0.725, "0%", "73%"),  # Excel rounds half away from zero
        (0.725, "0.0%", "72.5%"),
        (72, '0"%"', "72%"),  # a quoted % is a letter: no scaling
        (72.5, '0.0"%"', "72.5%"),
        (72, "0\\%", "72%"),
        (0.72, "[Red]0%", "72%"),
        (-0.72, "0%;[Red]-0%", "-72%"),
        (0.72, ";;;", ""),  # shows nothing
        (0, '0%;-0%;"-"', "-"),
        (12, '#,##0.00"万元"', "12.00万元"),
    ],
)
def test_a_number_format_shows_the_value_as_excel_does(
    value: float, number_format: str, shown: str
) -> None:
    result = format_number(value, number_format)
    assert result is not None
    assert result[0] == shown


@pytest.mark.parametrize("number_format", ["General", "0.00", "0_);(0)", "@"])
def test_formats_without_percent_or_letters_leave_the_plain_number(number_format: str) -> None:
    assert format_number(0.72, number_format) is None


@pytest.mark.parametrize(
    "name", ["yueqing-2022-08-percent-literal.xlsx", "yueqing-2022-08-from-ods.xlsx"]
)
def test_a_literal_percent_sign_reads_the_rate_as_shown(name: str) -> None:
    """``72`` formatted ``0"%"`` is 72%, not 7200% (before: 48 rates ×100, each loaded with
    a warning only)."""
    rows, issues = _read(name)
    assert len(rows) == 48
    assert _rates(rows) == _truth_rates()
    assert not [i for i in issues if i.check == "completion_at_most_100"]


def test_a_value_its_format_hides_is_not_read_and_is_named() -> None:
    """Rates of (10)–(12) formatted ``;;;``: Excel shows empty cells, so the rows are
    quarantined for their missing rate, and a warning names each hidden value."""
    rows, issues = _read("yueqing-2022-08-hidden-format.xlsx")
    assert sorted(set(range(1, 48)) - set(rows["item_no"])) == [10, 11, 12]
    hidden = [i for i in issues if i.check == "hidden_cells"]
    assert [(i.location.row, i.value) for i in hidden] == [(12, "1"), (13, "0.72"), (14, "0.9")]
    assert "D12" in hidden[0].message and "number format" in hidden[0].message
    rejected = [i for i in issues if i.check == "completion_is_percentage"]
    assert [i.location.row for i in rejected] == [12, 13, 14]


def test_text_in_the_background_colour_is_left_out_and_named() -> None:
    """July's ``90%`` in white before August's rate in (13)'s cell (a rich string): before,
    (13) loaded 90% with no word said."""
    rows, issues = _read("yueqing-2022-08-white-text.xlsx")
    assert _rates(rows) == _truth_rates()
    thirteen = rows[rows["item_no"] == 13].iloc[0]
    assert thirteen["completion_raw"] == "63%,育英路未按计划完工,滞后进度"
    hidden = [i for i in issues if i.check == "hidden_cells"]
    assert [(i.location.row, i.value) for i in hidden] == [(15, "90%")]
    assert "D15" in hidden[0].message


def test_numbers_stored_as_text_read_as_the_numbers() -> None:
    """``'72`` (text) in the rate column reads as the number 72 does (72%); ``'0.72`` is as
    ambiguous as the number 0.72 and is quarantined; ``72%`` as text reads as written."""
    rows, issues = _read("yueqing-2022-08-text-numbers.xlsx")
    truth = _truth_rates()
    assert {item: rate for item, rate in _rates(rows).items()} == {
        item: truth[item] for item in _rates(rows)
    }
    raws = set(rows["completion_raw"])
    assert "72%" in raws
    rejected = {i.value for i in issues if i.check == "completion_is_percentage"}
    assert rejected <= {"0.72", "0.63", "0.81", "0.9", "1"}
    assert len(rows) + len([i for i in issues if i.check == "completion_is_percentage"]) == 48


@pytest.mark.parametrize(
    "name",
    [
        "yueqing-2022-08-rich-runs.xlsx",
        "yueqing-2022-08-offset-c7.xlsx",
        "yueqing-2022-08-autofilter.xlsx",
        "yueqing-2022-08-outline.xlsx",
    ],
)
def test_other_habits_read_the_48_rows(name: str) -> None:
    rows, issues = _read(name)
    assert len(rows) == 48
    assert _rates(rows) == _truth_rates()
    assert rows["department"].tolist() == TRUTH["department"].tolist()
    hidden_rows = {i.location.row for i in issues if i.check == "hidden_cells"}
    if "autofilter" in name:  # the rows at 100% the filter hides are read and named
        assert len(hidden_rows) == 12
    if "outline" in name:  # (14)–(20), collapsed
        assert hidden_rows == set(range(16, 23))


def test_text_is_invisible_only_in_its_own_background_colour() -> None:
    """White on white (no fill) and yellow on yellow are not seen; white on red is, and so
    is white header text on a table style's theme fill, whose colour cannot be told here."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.styles.colors import Color

    from parsers.formats.xlsx.cells import shown

    ws = Workbook().active
    cases = [
        ("白字", Font(color="FFFFFFFF"), None, ""),
        ("同色", Font(color="FFFFFF00"), PatternFill("solid", fgColor="FFFFFF00"), ""),
        ("白字红底", Font(color="FFFFFFFF"), PatternFill("solid", fgColor="FFFF0000"), "白字红底"),
        (
            "项目内容",
            Font(color=Color(theme=0)),
            PatternFill("solid", fgColor=Color(theme=4)),
            "项目内容",
        ),
        ("黑字", Font(color="FF000000"), None, "黑字"),
    ]
    for row, (text, font, fill, _seen) in enumerate(cases, start=1):
        ws.cell(row, 1, text).font = font
        if fill is not None:
            ws.cell(row, 1).fill = fill
    results = [shown(ws.cell(row, 1)) for row in range(1, len(cases) + 1)]
    assert [r.text for r in results] == [seen for *_x, seen in cases]
    assert [r.stored for r in results if r.hidden] == ["白字", "同色"]


@pytest.mark.parametrize(
    ("number_format", "text"),
    [
        ('m"月"d"日"', "7月31日"),  # what Excel in Chinese gives a cell typed 7月31日
        ('yyyy"年"m"月"d"日"', "2022年7月31日"),
        ("m月d日", "7月31日"),
        ("yyyy/m/d", "2022/7/31"),
        ("[$-804]yyyy-mm-dd aaaa", "2022-07-31 星期日"),
        ("d-mmm-yy", "31-Jul-22"),
        ("yyyy-mm-dd hh:mm", "2022-07-31 14:05"),
        ("h:mm AM/PM", "2:05 PM"),
        ("General", "2022-07-31T14:05:00"),
    ],
)
def test_a_date_is_read_as_its_format_shows_it(number_format: str, text: str) -> None:
    assert format_date(dt.datetime(2022, 7, 31, 14, 5), number_format) == text


def test_a_plan_typed_as_a_date_loads_as_the_sheet_shows_it(tmp_path: Path) -> None:
    # Excel stores 7月31日 typed in a cell as a date with the format m"月"d"日"; the plan
    # loaded as 2022-07-31, a text nobody wrote, with exit 0.
    book = load_workbook(FIXTURES / "xlsx" / "yueqing-2022-08-calc.xlsx")
    sheet = book.active
    assert str(sheet["A29"].value).startswith("(26)")
    sheet["B29"].value = dt.datetime(2022, 7, 31)
    sheet["B29"].number_format = 'm"月"d"日"'
    path = tmp_path / "yueqing-2022-08.xlsx"
    book.save(path)
    doc = parse_bytes(path.read_bytes(), path.name, region="乐清市")
    plans = dict(zip(doc.rows["item_no"], doc.rows["plan_text"], strict=True))
    assert plans[26] == "7月31日"
