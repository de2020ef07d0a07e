"""The pandera checks: errors quarantine a row, warnings keep it; both say where."""

from __future__ import annotations

from parsers import parse_bytes
from schemas import validate_rows

HEADER = "项目内容 | 8月计划进度 | 实际进度情况 | 完成率 | 责任单位 | 具体分管领导 |"


def check(*rows: str, known_items: frozenset[int] = frozenset()):
    doc = parse_bytes("\n".join([HEADER, *rows]).encode(), "2022年8月乐清市民生实事.txt")
    assert not doc.rejected
    return validate_rows(
        doc.rows,
        region="乐清市",
        year=2022,
        month=8,
        source_name=doc.source_name,
        known_items=known_items,
    )


GOOD = "(1)甲项目 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |"


def test_a_good_row_passes_without_issues() -> None:
    result = check(GOOD)
    assert len(result.rows) == 1 and not result.quarantined and not result.issues


def test_a_completion_that_is_not_a_percentage_is_quarantined_with_the_value() -> None:
    result = check(GOOD, "(2)乙 | 计划 | 实际 | 待核实 | 市教育局 | 王旭良 |")
    assert result.rows["item_no"].tolist() == [1]
    [row] = result.quarantined
    [issue] = row.issues
    assert issue.check == "completion_is_percentage"
    assert issue.column == "completion_raw" and issue.value == "待核实"
    assert issue.location.line == 3
    assert issue.message == "completion rate '待核实' is not a percentage"
    assert issue.action == "row quarantined"


def test_empty_content_department_and_leader_are_errors() -> None:
    result = check(" (1) | 计划 | 实际 | 72% |  |  |")
    checks = {i.check for i in result.quarantined[0].issues}
    assert checks == {"content_not_blank", "department_not_blank", "leader_not_blank"}


def test_item_number_zero_is_an_error() -> None:
    result = check("(0)甲 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |")
    assert result.quarantined[0].issues[0].check == "item_no_positive"


def test_a_duplicated_item_keeps_the_first_and_quarantines_the_second() -> None:
    result = check(GOOD, "(1)甲项目重复 | 计划 | 实际 | 80% | 市教育局 | 王旭良 |")
    assert result.rows["content"].tolist() == ["甲项目"]
    [row] = result.quarantined
    assert row.location.line == 3
    assert [i.check for i in row.issues] == ["unique_key"]
    assert "(1) row 1 appears more than once" in row.issues[0].message
    # the loaded first row is named too: it may be the wrong one (last month's, left in)
    kept, repeated = result.issues
    assert (kept.check, kept.severity, kept.location.line) == ("repeated_key_kept", "warning", 2)
    assert kept.message == (
        "item (1) row 1 appears again at line 3, which is quarantined; "
        "this row was loaded: check which of the two is this month's"
    )
    assert repeated.check == "unique_key"


def test_warnings_keep_the_row() -> None:
    result = check(
        "(1)甲 | 计划 | 实际 | 120% | 市市政公用工程建设 | 王 |",
        "(3)丙 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |",
    )
    assert len(result.rows) == 2 and not result.quarantined
    checks = sorted(i.check for i in result.issues)
    assert checks == [
        "completion_at_most_100",
        "department_looks_like_organisation",
        "item_numbering_gap",
        "leader_looks_like_name",
    ]
    assert all(i.severity == "warning" and i.action == "row loaded" for i in result.issues)
    gap = next(i for i in result.issues if i.check == "item_numbering_gap")
    assert gap.location.line == 3 and gap.value == "3"


def test_no_gap_warning_for_an_item_whose_row_was_rejected_earlier() -> None:
    result = check(
        GOOD, "(3)丙 | 计划 | 实际 | 72% | 市教育局 | 王旭良 |", known_items=frozenset({2})
    )
    assert not result.issues


def test_two_rows_of_an_item_alike_in_progress_department_and_leader_are_both_named() -> None:
    # July's second row of (1), left in (hidden in the sheet) above August's: it takes row 2
    # and August's row 3, so no key repeats; the rows' sameness says it.
    result = check(
        "(1)甲项目 | 计划 | 实际甲 | 72% | 市教育局 | 王旭良 |",
        "7月:计划乙 | 实际乙 | 63% | 市民政局 | 倪庆渊 |",
        "计划乙 | 实际乙 | 72% | 市民政局 | 倪庆渊 |",
    )
    assert len(result.rows) == 3 and not result.quarantined
    repeated = [i for i in result.issues if i.check == "repeated_row"]
    assert [(i.location.line, i.severity) for i in repeated] == [(3, "warning"), (4, "warning")]
    assert repeated[0].message == (
        "item (1) row 2 has the same actual progress, department and leader as the row at "
        "line 4: check that it is not last month's row left in"
    )


def test_rows_of_an_item_with_their_own_progress_are_not_named() -> None:
    result = check(
        "(1)甲项目 | 计划 | 实际甲 | 72% | 市教育局 | 王旭良 |",
        "计划乙 | 实际乙 | 72% | 市教育局 | 王旭良 |",
    )
    assert [i.check for i in result.issues] == []
