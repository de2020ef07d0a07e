"""Which language a run speaks, and the Chinese ways of writing dates and numbers."""

from __future__ import annotations

import pytest

from i18n import (
    LanguageError,
    choose_language,
    month_name,
    month_year,
    nth_month,
    period,
    points,
    use_language,
)


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        ("zh", {"MINSHENG_LANG": "en", "LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"MINSHENG_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"MINSHENG_LANG": "zh_CN", "LANG": "C"}, "zh"),
        (None, {"MINSHENG_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh"),
        (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
        (None, {"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_ALL": "zh_CN.GB18030", "LANG": "C"}, "zh"),
        (None, {"LANG": "C"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_option_then_environment_then_locale_then_english(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert choose_language(option, environ) == expected


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(LanguageError, match="unknown language 'fr': choose zh or en"):
        choose_language("fr", {})
    with pytest.raises(LanguageError, match="'de'"):
        choose_language(None, {"MINSHENG_LANG": "de"})


def test_dates_and_numbers_as_each_reader_expects() -> None:
    use_language("zh")
    assert (month_year(2022, 9), month_name(9), period("乐清市", 2022, 8)) == (
        "2022年9月",
        "9月",
        "乐清市 2022年8月",
    )
    assert (nth_month(3), points(5.4), points(-2)) == ("第3个月", "+5.4个百分点", "-2个百分点")
    use_language("en")
    assert (month_year(2022, 9), month_name(9), period("乐清市", 2022, 8)) == (
        "September 2022",
        "September",
        "乐清市 2022-08",
    )
    assert (nth_month(3), points(5.4)) == ("3", "+5.4 points")
