"""Month-over-month warnings: this month's rows against the previous reported month's."""

from __future__ import annotations

import pandas as pd

from parsers import parse_document
from schemas.checks import CHECKS
from schemas.history import compare_months
from tests.helpers import SAMPLE


def august() -> pd.DataFrame:
    return parse_document(SAMPLE, region="乐清市").rows


def compare(previous: pd.DataFrame, current: pd.DataFrame, **kw):
    return compare_months(
        previous, current, source_name="2022年9月.txt", previous_label="2022年8月", **kw
    )


def test_the_same_rows_again_give_no_warning() -> None:
    assert compare(august(), august()) == []


def test_nothing_earlier_gives_no_warning() -> None:
    assert compare(august().iloc[0:0], august()) == []


def test_completion_going_down_is_a_warning_on_the_row_with_its_value() -> None:
    september = august()
    row = september.index[september["item_no"] == 13][0]
    september.loc[row, ["completion_pct", "completion_raw"]] = [50.0, "50%,滞后进度"]
    [issue] = compare(august(), september)
    assert issue.check == "completion_went_down" and issue.severity == "warning"
    assert issue.message == "item (13) completion fell from 63% in 2022年8月 to 50%"
    assert (issue.column, issue.value, issue.action) == (
        "completion_raw",
        "50%,滞后进度",
        "row loaded",
    )
    assert issue.location.line == september.loc[row, "source_line"]


def test_completion_going_up_is_not_a_warning() -> None:
    september = august()
    september["completion_pct"] = september["completion_pct"] + 1
    assert compare(august(), september) == []


def test_changed_department_and_leader_are_warnings() -> None:
    september = august()
    row = september.index[september["item_no"] == 5][0]
    september.loc[row, ["department", "leader"]] = ["市民政局", "倪庆渊"]
    issues = compare(august(), september)
    assert [i.check for i in issues] == ["department_changed", "leader_changed"]
    assert (
        "department (责任单位) was '市卫生健康局' in 2022年8月, now '市民政局'" in issues[0].message
    )
    assert issues[1].value == "倪庆渊"


def test_vanished_and_appeared_items_and_the_changed_count() -> None:
    september = august()
    september = september[september["item_no"] != 30].copy()
    extra = september.iloc[[-1]].copy()
    extra[["item_no", "sub_no"]] = [48, 1]
    extra2 = extra.copy()
    extra2["item_no"] = 49
    september = pd.concat([september, extra, extra2], ignore_index=True)
    issues = compare(august(), september)
    checks = [(i.check, i.value) for i in issues]
    assert checks == [
        ("item_appeared", "48"),
        ("item_appeared", "49"),
        ("item_vanished", "30"),
        ("item_count_changed", "48"),
    ]
    vanished = issues[2]
    assert vanished.message == "item (30) of 2022年8月's report is missing"
    assert vanished.location.line is None and vanished.action == "noted"
    assert issues[3].message == "48 items this month, 47 in 2022年8月"


def test_an_item_quarantined_this_month_is_not_called_vanished() -> None:
    september = august()
    september = september[september["item_no"] != 30]
    assert compare(august(), september, quarantined_items=frozenset({30})) == []


def test_every_check_has_a_description() -> None:
    september = august()
    september = september[september["item_no"] != 30]
    assert {i.check for i in compare(august(), september)} <= set(CHECKS)


def test_a_renumbered_item_is_compared_with_its_own_project() -> None:
    """(5) moved to (6) in September and a new project took (5): no department "change"."""
    import pandas as pd

    before = august()
    five = before["item_no"] == 5
    after = pd.concat(
        [
            before.loc[~five],
            before.loc[five].assign(item_no=48),  # the project, renumbered to the end
            before.loc[five].assign(
                content="(5)新增的一个完全不同的民生项目,建设城市书房十家", department="市图书馆"
            ),
        ],
        ignore_index=True,
    )
    issues = compare(before, after)
    assert [i.check for i in issues if i.check == "department_changed"] == []
    # (5)'s project is still there, as (48): not vanished (the identity checks say it moved)
    assert [i.check for i in issues if i.check in ("item_vanished", "item_appeared")] == []
    # By number alone, (5)'s new department would be called a change.
    by_number = compare(before.drop(columns="content"), after.drop(columns="content"))
    assert "department_changed" in {i.check for i in by_number}
