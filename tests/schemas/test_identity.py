"""Item identity across months: pure functions over texts and row frames."""

from __future__ import annotations

import pandas as pd

from parsers import parse_document
from schemas.identity import (
    ItemMatch,
    assign_item_keys,
    identity_issues,
    item_texts,
    match_items,
    similarity,
    similarity_at_least,
)
from tests.helpers import FIXTURES

PARK = "全年建成儿童微乐园21个。"
CANTEEN = "建设老年食堂助餐点22个。"
SHELTER = "改造提升20个避灾安置场所。"


def rows(month: int, texts: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": month,
            "item_no": list(texts),
            "sub_no": 1,
            "content": list(texts.values()),
            "source_line": [n + 1 for n in texts],
            "source_page": None,
            "source_row": None,
        }
    )


def test_wrapping_spaces_and_full_width_forms_do_not_count() -> None:
    # a PDF cell wraps with newlines; a Word export may use full-width digits and brackets
    assert similarity("新增公交线路 2条。", "新增公交\n线路２条") == 1.0
    assert similarity(PARK, CANTEEN) < 0.6


def test_same_number_same_project_even_when_reworded() -> None:
    reworded = "全年建成儿童微乐园21个(含社区微乐园)。"
    [match] = match_items({7: PARK}, {7: reworded})
    assert match.kind == "same" and match.previous_item_no == 7 and match.similarity >= 0.8


def test_swapped_numbers_are_recognised_as_the_same_projects() -> None:
    matches = match_items({7: PARK, 9: CANTEEN}, {7: CANTEEN, 9: PARK})
    assert [(m.item_no, m.kind, m.previous_item_no) for m in matches] == [
        (7, "renumbered", 9),
        (9, "renumbered", 7),
    ]


def test_a_different_project_under_an_old_number_is_new() -> None:
    matches = match_items(
        {7: PARK, 40: SHELTER},
        {7: PARK, 40: "新建城市应急避难场所5处。", 41: "新开工提标加固海塘18.4公里。"},
    )
    assert [(m.item_no, m.kind) for m in matches] == [(7, "same"), (40, "changed"), (41, "new")]
    assert isinstance(matches[1], ItemMatch) and matches[1].previous_item_no is None


def test_keys_follow_the_project_and_a_returning_project_keeps_its_key() -> None:
    months = pd.concat(
        [
            rows(6, {1: PARK, 2: CANTEEN, 3: SHELTER}),
            rows(7, {1: PARK, 2: CANTEEN}),  # (3) not reported in July
            rows(8, {1: CANTEEN, 2: PARK, 3: SHELTER}),  # swapped; (3) is back
            rows(9, {1: CANTEEN, 2: "新建城市应急避难场所5处。", 3: SHELTER}),
        ]
    )
    keys = assign_item_keys(months)
    got = {(r.month, r.item_no): (r.item_key, r.match) for r in keys.itertuples()}
    assert got[(8, 1)] == ("2", "renumbered") and got[(8, 2)] == ("1", "renumbered")
    assert got[(8, 3)] == ("3", "new")  # not in July: compared with older months, same key
    assert got[(9, 2)] == ("2@9", "changed")
    assert got[(9, 3)] == ("3", "same")


def test_issues_name_the_line_and_both_numbers() -> None:
    august = parse_document(FIXTURES / "months" / "text" / "yueqing-2022-08.txt").rows
    september = parse_document(FIXTURES / "months" / "text" / "yueqing-2022-09.txt").rows
    issues = identity_issues(august, september, source_name="9月.txt", previous_month=8)
    assert [(i.check, i.location.line, i.severity, i.column) for i in issues] == [
        ("item_text_changed", 44, "warning", "content"),
        ("item_renumbered", 50, "warning", "content"),
        ("item_renumbered", 51, "warning", "content"),
    ]
    assert (
        issues[0]
        .describe()
        .startswith(
            "9月.txt, line 44: item (40) is a different project than (40) in August "
            "('改造提升20个避灾安置场所。' → '新建城市应急避难场所5处。'"
        )
    )
    assert "item (47) has the project of (46) in August" in issues[2].message
    assert identity_issues(august, august, source_name="8月.txt", previous_month=8) == []


def test_the_bounded_ratio_agrees_with_the_full_one_on_every_pair_of_projects() -> None:
    # every project of August against every one of September: 48 × 48 real texts, the
    # same project (reworded or not) and different ones, around each threshold in use
    august = item_texts(parse_document(FIXTURES / "months" / "text" / "yueqing-2022-08.txt").rows)
    september = item_texts(
        parse_document(FIXTURES / "months" / "text" / "yueqing-2022-09.txt").rows
    )
    pairs = [(a, b) for a in august.values() for b in september.values()]
    assert len(pairs) > 2000
    for threshold in (0.3, 0.6, 0.9):
        for a, b in pairs:
            ratio = similarity(a, b)
            bounded = similarity_at_least(a, b, threshold)
            assert bounded == (ratio if ratio >= threshold else None), (a, b, threshold)
    assert sum(similarity_at_least(a, b, 0.6) is not None for a, b in pairs) >= 40


def test_item_texts_take_each_items_first_row_whatever_the_row_order() -> None:
    frame = pd.DataFrame(
        {
            "item_no": [2, 1, 2, 1, 3],
            "sub_no": [2, None, 1, 1, None],
            "content": ["二之二", "一之无", "二之一", "一之一", "三"],
        }
    )
    assert item_texts(frame) == {1: "一之一", 2: "二之一", 3: "三"}
    assert list(item_texts(frame)) == [1, 2, 3]
