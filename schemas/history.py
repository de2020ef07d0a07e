"""Month-over-month checks: this month's rows against the previous reported month's.

Pure: both months come in as frames (the warehouse supplies the previous one). Every
finding is a warning; the rows load anyway, but an office reading the report can ask the
department why an item went backwards or changed hands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from i18n import _, column_text
from parsers.model import Issue, Location
from schemas.identity import item_texts, match_items


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _pct(value: object) -> str:
    return f"{float(value):g}%"  # type: ignore[arg-type]


#: What the comparison reads of a row: its numbers, what is compared, where it is.
_COMPARED = (
    "item_no",
    "sub_no",
    "completion_pct",
    "completion_raw",
    "department",
    "leader",
    "source_page",
    "source_row",
    "source_line",
)


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as plain dicts of the compared columns only (the rest cost time, not used)."""
    return rows[[c for c in _COMPARED if c in rows.columns]].to_dict("records")


def compare_months(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    source_name: str,
    previous_label: str,
    quarantined_items: frozenset[int] = frozenset(),
) -> list[Issue]:
    """Warnings about ``current`` (this document's kept rows) against ``previous``.

    ``previous`` holds the progress rows of the previous reported month (columns
    ``item_no, sub_no, completion_pct, department, leader``); ``previous_label`` names that
    month in messages (``2022年7月``). Items whose rows were quarantined this month are not
    called vanished: the quarantine already says what happened to them.
    """
    if previous.empty or current.empty:
        return []
    issues: list[Issue] = []

    def warn(
        check: str,
        message: str,
        row: Mapping[str, Any] | None,
        column: str | None,
        value: str | None,
    ) -> None:
        issues.append(
            Issue(
                source_name,
                check,
                message,
                severity="warning",
                location=Location.of_row(row) if row is not None else Location(),
                column=column,
                value=value,
                action="row loaded" if row is not None else "noted",
            )
        )

    # Plain dicts, not iterrows(): a Series per row made this the slowest step of a load.
    before = {
        (int(r["item_no"]), int(r["sub_no"])): r
        for r in _records(previous)
        if not pd.isna(r["item_no"]) and not pd.isna(r["sub_no"])
    }
    before_items = {item for item, _ in before}
    # Compared by project, not by number: an item renumbered since is compared with its own
    # project's row, and a number that now names another project with nothing (the identity
    # checks say which); without texts, the numbers are all there is.
    counterpart = (
        {
            m.item_no: m.previous_item_no
            for m in match_items(item_texts(previous), item_texts(current))
        }
        if "content" in previous and "content" in current
        else {item: item for item in before_items}
    )
    now_items: set[int] = set()
    for row in _records(current):
        if pd.isna(row["item_no"]) or pd.isna(row["sub_no"]):
            continue
        item, sub = int(row["item_no"]), int(row["sub_no"])
        now_items.add(item)
        earlier = counterpart.get(item, item if item not in before_items else None)
        old = before.get((earlier, sub)) if earlier is not None else None
        if old is None:
            if item not in before_items:
                warn(
                    "item_appeared",
                    _("item ({item}) was not in {previous}'s report").format(
                        item=item, previous=previous_label
                    ),
                    row,
                    "item_no",
                    str(item),
                )
            continue
        pct, old_pct = row.get("completion_pct"), old.get("completion_pct")
        if (
            pct is not None
            and old_pct is not None
            and not pd.isna(pct)
            and not pd.isna(old_pct)
            and float(pct) < float(old_pct)
        ):
            warn(
                "completion_went_down",
                _("item ({item}) completion fell from {before} in {previous} to {now}").format(
                    item=item, before=_pct(old_pct), previous=previous_label, now=_pct(pct)
                ),
                row,
                "completion_raw",
                _text(row.get("completion_raw")),
            )
        for column, check in (
            ("department", "department_changed"),
            ("leader", "leader_changed"),
        ):
            new, was = _text(row.get(column)).strip(), _text(old.get(column)).strip()
            if new and was and new != was:
                warn(
                    check,
                    _("item ({item}) {column} was {was!r} in {previous}, now {new!r}").format(
                        item=item,
                        column=column_text(column),
                        was=was,
                        previous=previous_label,
                        new=new,
                    ),
                    row,
                    column,
                    new,
                )

    claimed = {p for p in counterpart.values() if p is not None}
    for item in sorted(before_items - now_items - claimed - quarantined_items):
        warn(
            "item_vanished",
            _("item ({item}) of {previous}'s report is missing").format(
                item=item, previous=previous_label
            ),
            None,
            "item_no",
            str(item),
        )
    count_now = len(now_items | quarantined_items)
    if count_now != len(before_items):
        warn(
            "item_count_changed",
            _("{now} items this month, {before} in {previous}").format(
                now=count_now, before=len(before_items), previous=previous_label
            ),
            None,
            "item_no",
            str(count_now),
        )
    return issues
