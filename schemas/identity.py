"""Which project an item number stands for, from month to month within a region's year.

Within a year an item is its ``(N)``, as long as the project text under N stays the same.
Offices renumber now and then (an item dropped, two swapped) or put a new project under an
old number; joining months by number alone would then compare unrelated projects. So texts
are compared after normalising (no whitespace, punctuation or width differences) with
difflib's ratio:

- same number, ratio >= ``SIMILAR``: the same project;
- otherwise the most similar unclaimed project seen earlier in the year, ratio >= ``SIMILAR``:
  the same project under a new number (``renumbered``);
- otherwise a new project (``changed`` when its number held another project before).

Different projects of one report score at most 0.5 against each other on the 2022 sample,
a reworded one (a clause added, a figure changed) about 0.8 or more; 0.6 sits between.

Every project gets an ``item_key``: the number it had when first reported in the year
(``'47'``), or ``'40@9'`` (number @ month) when that number already named another project.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from i18n import _, month_name
from parsers.model import Issue, Location

SIMILAR = 0.6

_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def comparison_text(text: object) -> str:
    """Project text as compared across months: NFKC, without whitespace, punctuation or
    symbols (unlike ``parsers.normalize.normalize_text``, which keeps the text as written)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _normalised(str(text))


@lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    # a backfill compares each month's texts with two others: normalise each text once
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised texts (1.0 identical, 0.0 nothing in common)."""
    a, b = comparison_text(a), comparison_text(b)
    if a == b:  # most projects keep their text from month to month
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def similarity_at_least(a: str, b: str, threshold: float) -> float | None:
    """``similarity(a, b)`` when it is ``threshold`` or more, else None; difflib's cheap
    upper bounds rule most pairs of different projects out before the full ratio."""
    a, b = comparison_text(a), comparison_text(b)
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else None


@dataclass(frozen=True)
class ItemMatch:
    """How one item of a month relates to the projects known before it."""

    item_no: int
    kind: str  # same | renumbered | changed | new
    previous_item_no: int | None  # the project's number before (same/renumbered), else None
    similarity: float  # to the matched text, or to the old text under this number


def item_texts(rows: pd.DataFrame) -> dict[int, str]:
    """Each item's project text: the content of its first row."""
    if rows.empty:
        return {}
    # the row of the lowest sub-number (a missing one last), the first such in order; in
    # plain Python, as a sort and drop_duplicates of the frame cost a millisecond a month
    first: dict[int, tuple[float, str]] = {}
    for n, sub, content in zip(rows["item_no"], rows["sub_no"], rows["content"], strict=True):
        if pd.isna(n):
            continue
        rank = float("inf") if pd.isna(sub) else float(sub)
        kept = first.get(int(n))
        if kept is None or rank < kept[0]:
            first[int(n)] = (rank, str(content))
    return {n: first[n][1] for n in sorted(first)}


def match_items(
    previous: Mapping[int, str], current: Mapping[int, str], threshold: float = SIMILAR
) -> list[ItemMatch]:
    """Match a month's items (number → text) to the projects of an earlier month."""
    # the month checks and the identity checks match the same two months: once is enough
    return list(_matched(tuple(previous.items()), tuple(current.items()), threshold))


@lru_cache(maxsize=64)
def _matched(
    previous_items: tuple[tuple[int, str], ...],
    current_items: tuple[tuple[int, str], ...],
    threshold: float,
) -> tuple[ItemMatch, ...]:
    previous, current = dict(previous_items), dict(current_items)
    matches: dict[int, ItemMatch] = {}
    claimed: set[int] = set()
    for n, text in current.items():
        if n in previous:
            ratio = similarity(previous[n], text)
            if ratio >= threshold:
                matches[n] = ItemMatch(n, "same", n, ratio)
                claimed.add(n)
    open_current = [n for n in current if n not in matches]
    open_previous = [n for n in previous if n not in claimed]
    pairs = sorted(
        (
            (score, n, p)
            for n in open_current
            for p in open_previous
            if (score := similarity_at_least(previous[p], current[n], threshold)) is not None
        ),
        reverse=True,
    )
    for score, n, p in pairs:
        if n in matches or p in claimed:
            continue
        matches[n] = ItemMatch(n, "renumbered", p, score)
        claimed.add(p)
    for n in open_current:
        if n in matches:
            continue
        if n in previous:
            matches[n] = ItemMatch(n, "changed", None, similarity(previous[n], current[n]))
        else:
            matches[n] = ItemMatch(n, "new", None, 0.0)
    return tuple(matches[n] for n in sorted(matches))


KEY_COLUMNS = ["month", "item_no", "item_key", "match", "previous_item_no", "similarity"]


def assign_item_keys(rows: pd.DataFrame, threshold: float = SIMILAR) -> pd.DataFrame:
    """An ``item_key`` for every (month, item_no) of one region's year.

    ``rows`` holds ``month, item_no, sub_no, content`` for every reported month. Months are
    taken in order; each is matched against every project seen earlier in the year (its
    latest text), numbers of the previous reported month first.
    """
    out: list[dict[str, object]] = []
    known: dict[str, tuple[int, str]] = {}  # item_key -> (latest number, latest text)
    previous_keys: dict[int, str] = {}  # number -> key in the previous reported month
    for month in sorted(rows["month"].unique()):
        current = item_texts(rows[rows["month"] == month])
        by_number = {n: known[k][1] for n, k in previous_keys.items()}
        keys_now: dict[int, str] = {}
        for match in match_items(by_number, current, threshold):
            n = match.item_no
            if match.kind == "same":
                key = previous_keys[n]
            elif match.kind == "renumbered" and match.previous_item_no is not None:
                key = previous_keys[match.previous_item_no]
            else:
                # projects of the previous month were matched above: only older ones return
                taken = set(previous_keys.values()) | set(keys_now.values())
                returning = _returning(known, taken, current[n], threshold)
                if returning is not None:
                    key = returning
                else:
                    key = str(n) if str(n) not in known else f"{n}@{int(month)}"
            keys_now[n] = key
            out.append(
                {
                    "month": int(month),
                    "item_no": n,
                    "item_key": key,
                    "match": match.kind,
                    "previous_item_no": match.previous_item_no,
                    "similarity": round(match.similarity, 3),
                }
            )
        for n, key in keys_now.items():
            known[key] = (n, current[n])
        previous_keys = keys_now
    frame = pd.DataFrame(out, columns=KEY_COLUMNS)
    return frame.astype({"previous_item_no": "Int64"})


def _returning(
    known: dict[str, tuple[int, str]], taken: set[str], text: str, threshold: float
) -> str | None:
    """The key of a project missing from the previous month that is back with this text."""
    best: tuple[float, str] | None = None
    for key, (_score, old_text) in known.items():
        if key in taken:
            continue
        ratio = similarity_at_least(old_text, text, threshold)
        if ratio is not None and (best is None or ratio > best[0]):
            best = (ratio, key)
    return best[1] if best else None


def _excerpt(text: str, width: int = 16) -> str:
    text = re.sub(r"\s+", "", text)
    return text if len(text) <= width else text[:width] + "…"


def _row_location(rows: pd.DataFrame, item_no: int) -> Location:
    return Location.of_row(rows[rows["item_no"] == item_no].sort_values("sub_no").iloc[0])


def identity_issues(
    previous_rows: pd.DataFrame,
    current_rows: pd.DataFrame,
    *,
    source_name: str,
    previous_month: int,
    threshold: float = SIMILAR,
) -> list[Issue]:
    """Warnings where a number's project differs from the previous reported month's."""
    previous = item_texts(previous_rows)
    current = item_texts(current_rows)
    issues: list[Issue] = []
    for match in match_items(previous, current, threshold):
        n = match.item_no
        if match.kind == "renumbered" and match.previous_item_no is not None:
            p = match.previous_item_no
            message = _(
                "item ({n}) has the project of ({p}) in {month} ('{text}'): the numbering "
                "shifted; months are compared by project, not by number"
            ).format(n=n, p=p, month=month_name(previous_month), text=_excerpt(current[n]))
            check = "item_renumbered"
        elif match.kind == "changed":
            message = _(
                "item ({n}) is a different project than ({n}) in {month} ('{before}' → "
                "'{now}', similarity {similarity:.2f}): treated as a new project, not compared "
                "with {month}"
            ).format(
                n=n,
                month=month_name(previous_month),
                before=_excerpt(previous[n]),
                now=_excerpt(current[n]),
                similarity=match.similarity,
            )
            check = "item_text_changed"
        else:
            continue
        issues.append(
            Issue(
                source_name,
                check,
                message,
                severity="warning",
                location=_row_location(current_rows, n),
                column="content",
                value=current[n],
                action="row loaded",
            )
        )
    return issues
