"""The rules for a report of a month already loaded (warehouse.replacement)."""

from __future__ import annotations

import pytest

from warehouse.replacement import decide, says_correction

LOADED = tuple(range(1, 48))  # the 47 items of August


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("乐清市民生实事2022年8月-更正2.txt", True),
        ("2022年8月进展（修订版）.docx", True),
        ("2022年8月补充报告.pdf", True),
        ("August correction.xlsx", True),
        ("乐清市民生实事2022年8月.txt", False),
        ("乐清市民生实事2022年8月-第5项.txt", False),
    ],
)
def test_a_file_name_says_correction(name: str, expected: bool) -> None:
    assert says_correction(name) is expected


@pytest.mark.parametrize(
    ("items", "name", "replace", "expected"),
    [
        (LOADED, "8月.txt", False, "replace"),  # the month sent again
        (LOADED[:43], "8月.txt", False, "replace"),  # 43 of 47: nearly all (≥ 90 %)
        (LOADED[:42], "8月.txt", False, "refused"),  # 42 of 47: would wipe five items
        ((5,), "8月.txt", False, "refused"),
        ((5,), "8月-更正.txt", False, "correction"),
        (LOADED, "8月-更正.txt", False, "correction"),  # a correction never drops an item
        ((5,), "8月.txt", True, "replace"),  # --replace
        ((100, 101), "8月.txt", False, "refused"),  # other items altogether
    ],
)
def test_what_a_report_does_to_a_loaded_month(
    items: tuple[int, ...], name: str, replace: bool, expected: str
) -> None:
    assert decide(items=items, loaded_items=LOADED, source_name=name, replace=replace) == expected


def test_a_month_not_loaded_yet_is_new() -> None:
    assert decide(items=(5,), loaded_items=(), source_name="8月.txt", replace=False) == "new"
