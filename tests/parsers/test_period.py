"""Region, year and month: option, then title, then file name; the header cross-checked."""

from __future__ import annotations

import pytest

from parsers import PeriodError, parse_bytes
from parsers.period import (
    PeriodHint,
    choose_title,
    hint_from_filename,
    hint_from_title,
    month_from_header,
)
from tests.helpers import sample_lines


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2022年8月民生实事项目进展情况.txt", PeriodHint(None, 2022, 8)),
        ("2022-08 进展.docx", PeriodHint(None, 2022, 8)),
        ("乐清市民生实事2022年9月.txt", PeriodHint("乐清市", 2022, 9)),
        ("yueqing-2022-08.txt", PeriodHint(None, 2022, 8)),
        ("进展情况.txt", PeriodHint(None, None, None)),
    ],
)
def test_file_names(name: str, expected: PeriodHint) -> None:
    assert hint_from_filename(name) == expected


def test_title() -> None:
    assert hint_from_title("2022年乐清市民生实事项目8月份进展情况") == PeriodHint("乐清市", 2022, 8)


def test_header_month() -> None:
    assert month_from_header("8月计划进度") == 8
    assert month_from_header("1 2 月计划进度") == 12


def _doc(name: str, title: str | None = None, **options):
    lines = ([title] if title else []) + sample_lines()
    return parse_bytes("\n".join(lines).encode("utf-8"), name, **options)


def test_title_gives_region_and_period_when_the_file_name_is_silent() -> None:
    doc = _doc("report.txt", "2022年乐清市民生实事项目8月份进展情况")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)


def test_title_and_file_name_disagreeing_reject_the_document_naming_both() -> None:
    with pytest.raises(PeriodError, match="title says year 2022 but the file name says 2023"):
        _doc("2023年8月.txt", "2022年乐清市民生实事项目8月份进展情况")


def test_file_name_month_disagreeing_with_header_is_rejected() -> None:
    with pytest.raises(PeriodError, match="month 9 but the table header says 8"):
        _doc("2022年9月.txt", region="乐清市")


def test_no_year_says_how_to_pass_it() -> None:
    with pytest.raises(PeriodError, match="pass --year YYYY"):
        _doc("进展情况.txt", region="乐清市")


def test_no_region_says_how_to_pass_it() -> None:
    with pytest.raises(PeriodError, match="pass --region NAME"):
        _doc("2022年8月.txt")


def test_an_option_overrides_the_file_name_with_a_warning() -> None:
    doc = _doc("乐清市民生实事2021年8月.txt", year=2022)
    assert doc.year == 2022
    [warning] = doc.issues
    assert warning.severity == "warning" and "using --year 2022" in warning.message


def test_an_option_never_overrides_the_header() -> None:
    with pytest.raises(PeriodError, match="--month 9 disagrees with the table header"):
        _doc("2022年.txt", region="乐清市", month=9)


def test_the_title_is_the_line_that_names_the_report_not_the_page_around_it() -> None:
    lines = [
        "11/29/26, 10:24 PM 2022年乐清市民生实事项目8月份进展情况_民生实事_乐清市人民政府",
        "乐清市人民政府 www.yueqing.gov.cn",
        "当前位置：首页 > 政务公开 > 民生实事",
        "2022年乐清市民生实事项目8月份进展情况",
        "发布日期：2022-09-16 来源：市府办 浏览次数：1326 字号：[大 中 小]",
    ]
    assert choose_title(lines) == "2022年乐清市民生实事项目8月份进展情况"
    assert choose_title(["发布日期：2022-09-16", "来源：市府办"]) is None


def test_a_publication_date_in_the_file_name_does_not_reject_when_title_and_header_agree() -> None:
    doc = _doc("2022年9月16日发布.txt", "2022年乐清市民生实事项目8月份进展情况")
    assert (doc.region, doc.year, doc.month) == ("乐清市", 2022, 8)
    [warning] = doc.issues
    assert warning.severity == "warning" and "the file name says month 9" in warning.message
