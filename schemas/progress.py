"""pandera schemas for progress rows, and the split of rows into kept and quarantined.

Two schemas, both validated lazily so that every problem is found in one pass:
``ERROR_SCHEMA`` failures quarantine the row; ``WARNING_SCHEMA`` failures keep it and are
reported. NULL in department, leader or completion is a column the table's layout does not
have, not an empty cell, and fails no check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from i18n import _, column_text
from parsers.cells import parse_completion
from parsers.controls import has_controls
from parsers.model import Issue, Location, RejectedRow
from parsers.plausibility import looks_like_organisation, looks_like_person
from schemas.checks import Action, Severity, failure_message

KEY = ["region", "year", "month", "item_no", "sub_no"]


def _non_blank(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip().ne("")


def _absent_or_non_blank(series: pd.Series) -> pd.Series:
    """NULL is a column the layout does not have (not an empty cell): it passes."""
    return series.isna() | _non_blank(series)


def _absent_or_percentage(series: pd.Series) -> pd.Series:
    return series.map(lambda raw: raw is None or raw is pd.NA or parse_completion(raw) is not None)


def _blank_or(series: pd.Series, looks_right: Callable[[str], bool]) -> pd.Series:
    """True where blank (an error-level check reports that) or ``looks_right``."""
    text = series.fillna("").astype(str).str.strip()
    return text.eq("") | text.map(looks_right).astype(bool)


def _gap_check(known_items: frozenset[int]) -> pa.Check:
    def no_gap_before(series: pd.Series) -> pd.Series:
        present = set(series.dropna().astype(int)) | known_items
        return series.map(lambda n: pd.isna(n) or int(n) <= 1 or int(n) - 1 in present).astype(bool)

    return _check(no_gap_before, "item_numbering_gap")


def _check(fn, name: str, *, element_wise: bool = False) -> pa.Check:  # type: ignore[no-untyped-def]
    return pa.Check(fn, name=name, element_wise=element_wise, ignore_na=False)


ERROR_SCHEMA = pa.DataFrameSchema(
    {
        "content": pa.Column(object, _check(_non_blank, "content_not_blank"), nullable=True),
        "department": pa.Column(
            object, _check(_absent_or_non_blank, "department_not_blank"), nullable=True
        ),
        "leader": pa.Column(
            object, _check(_absent_or_non_blank, "leader_not_blank"), nullable=True
        ),
        # On the cell as written: NULL where the layout has no completion column.
        "completion_raw": pa.Column(
            object, _check(_absent_or_percentage, "completion_is_percentage"), nullable=True
        ),
        "item_no": pa.Column(
            "Int64",
            _check(lambda s: s.notna() & s.ge(1), "item_no_positive"),
            nullable=True,
        ),
        "sub_no": pa.Column(
            "Int64",
            _check(lambda s: s.notna() & s.ge(1), "sub_no_positive"),
            nullable=True,
        ),
    },
    unique=KEY,
    report_duplicates="exclude_first",
    strict=False,
    coerce=False,
)


def _without_controls(series: pd.Series) -> pd.Series:
    return series.map(lambda v: not isinstance(v, str) or not has_controls(v)).astype(bool)


#: The text cells a document fills; one holding a control character is reported at that cell.
_TEXT_CELLS = ("content", "plan_text", "actual_text", "completion_raw", "note")


def warning_schema(known_items: frozenset[int] = frozenset()) -> pa.DataFrameSchema:
    """Checks whose failures keep the row; ``known_items`` are items of rows rejected earlier."""
    controls = _check(_without_controls, "cell_control_characters")
    return pa.DataFrameSchema(
        {
            "completion_pct": pa.Column(
                float,
                _check(lambda s: s.isna() | s.le(100), "completion_at_most_100"),
                nullable=True,
            ),
            "department": pa.Column(
                object,
                [
                    _check(
                        lambda s: _blank_or(s, looks_like_organisation),
                        "department_looks_like_organisation",
                    ),
                    controls,
                ],
                nullable=True,
            ),
            "leader": pa.Column(
                object,
                [
                    _check(lambda s: _blank_or(s, looks_like_person), "leader_looks_like_name"),
                    controls,
                ],
                nullable=True,
            ),
            "item_no": pa.Column("Int64", _gap_check(known_items), nullable=True),
            **{
                column: pa.Column(object, controls, nullable=True, required=False)
                for column in _TEXT_CELLS
            },
        },
        strict=False,
        coerce=False,
    )


WARNING_SCHEMA = warning_schema()

_VALUE_COLUMN = {"completion_pct": "completion_raw"}


def merged_from_quarantined(
    frame: pd.DataFrame, quarantined: set[int], source_name: str
) -> list[tuple[int, Issue]]:
    """A warning on each kept row whose merged cell runs down from a row quarantined here.

    The value is the quarantined row's own cell (the document merged it over both rows), so
    the row is kept; the clerk is told where it came from, since that row is not loaded.
    """
    found: list[tuple[int, Issue]] = []
    source: dict[str, int] = {}
    for index in range(len(frame)):
        row = frame.iloc[index]
        for column in ("department", "leader"):
            inherited = bool(row.get(f"{column}_inherited", False))
            if not inherited:
                source.pop(column, None)
                if index in quarantined:
                    source[column] = index
                continue
            if index in quarantined:
                # a row quarantined for what it holds (cells shifted by a bar typed
                # full-width) may not have been merged at all: the rows below are told
                source[column] = index
                continue
            origin = source.get(column)
            if origin is None:
                continue
            place = Location.of_row(frame.iloc[origin])
            value = row.get(column)
            found.append(
                (
                    index,
                    Issue(
                        source_name,
                        "merged_from_quarantined",
                        _(
                            "{column} cell is merged from {place}, which is quarantined: "
                            "read as {before} from that row; check it"
                        ).format(column=column_text(column), place=place.describe(), before=value),
                        severity="warning",
                        location=Location.of_row(row),
                        column=column,
                        value=None if value is None else str(value),
                        action="row loaded",
                    ),
                )
            )
    return found


def repeated_keys_kept(
    frame: pd.DataFrame, errors: list[tuple[int, Issue]], source_name: str
) -> list[tuple[int, Issue]]:
    """A warning on the loaded row of each key that the document repeats.

    The first row of a repeated item is loaded and the others quarantined, yet the first is
    as likely to be the wrong one: last month's row left hidden in a sheet is exported above
    this month's. So the loaded row is named too, with the place of its repeat.
    """
    found: list[tuple[int, Issue]] = []
    repeated = [index for index, issue in errors if issue.check == "unique_key"]
    quarantined = {index for index, _issue in errors}
    for index in repeated:
        row = frame.iloc[index]
        if pd.isna(row["item_no"]) or pd.isna(row["sub_no"]):
            continue
        mask = (frame["item_no"] == row["item_no"]) & (frame["sub_no"] == row["sub_no"])
        same = frame.index[mask.fillna(False).astype(bool)]
        first = next((int(i) for i in same if int(i) not in quarantined), None)
        if first is None:
            continue
        kept = frame.iloc[first]
        found.append(
            (
                first,
                Issue(
                    source_name,
                    "repeated_key_kept",
                    _(
                        "item ({item}) row {sub} appears again at {place}, which is quarantined; "
                        "this row was loaded: check which of the two is this month's"
                    ).format(
                        item=row["item_no"],
                        sub=row["sub_no"],
                        place=Location.of_row(row).describe(),
                    ),
                    severity="warning",
                    location=Location.of_row(kept),
                    column="item_no, sub_no",
                    value=f"({row['item_no']})",
                    action=Action.ROW_LOADED,
                ),
            )
        )
    return found


def repeated_rows(frame: pd.DataFrame, source_name: str) -> list[tuple[int, Issue]]:
    """A warning on each row of an item that repeats another of its rows' actual progress,
    department and leader under another row number.

    The rows of one item are its parts, each with its own progress and department; the same
    row twice is more likely last month's left in (a row hidden in a sheet is still in its
    CSV export, where it takes the next row number) than two parts.
    """
    found: list[tuple[int, Issue]] = []
    columns = ["item_no", "actual_text", "department", "leader"]
    if any(c not in frame for c in columns):
        return found
    texts = frame[columns].astype("string").fillna("")
    keys = texts.agg("\x1f".join, axis=1)
    valid = (frame["item_no"].notna() & texts["actual_text"].str.strip().ne("")).astype(bool)
    for _key, group in frame[valid].groupby(keys[valid], sort=False):
        if len(group) < 2 or group["sub_no"].nunique() < len(group):
            continue  # one row number twice: the unique key's to report
        for index in group.index:
            row = frame.loc[index]
            others = [Location.of_row(frame.loc[i]).describe() for i in group.index if i != index]
            found.append(
                (
                    int(index),
                    Issue(
                        source_name,
                        "repeated_row",
                        _(
                            "item ({item}) row {sub} has the same actual progress, department "
                            "and leader as the row at {places}: check that it is not last "
                            "month's row left in"
                        ).format(
                            item=row["item_no"], sub=row["sub_no"], places=_(", ").join(others)
                        ),
                        severity="warning",
                        location=Location.of_row(row),
                        column="actual_text",
                        value=str(row["actual_text"])[:40],
                        action=Action.ROW_LOADED,
                    ),
                )
            )
    return found


@dataclass
class Validated:
    """Rows split by validation: kept rows, quarantined rows, and every issue found."""

    rows: pd.DataFrame
    quarantined: list[RejectedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def register_backends() -> None:
    """Have pandera import and register its pandas backends now, as a first validation does
    (25 modules, about 18 MB): a parse server does it once, before it forks its workers, and
    they share it instead of each doing it at its first document."""
    empty = pd.DataFrame({name: pd.Series([], dtype=object) for name in ERROR_SCHEMA.columns})
    _failures(ERROR_SCHEMA, empty)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def _check_name(raw: object) -> str:
    text = str(raw)
    if "multiple_fields_uniqueness" in text or "unique" in text.lower():
        return "unique_key"
    return text


def failures_to_issues(
    failures: pd.DataFrame, frame: pd.DataFrame, source_name: str, severity: str
) -> list[tuple[int, Issue]]:
    """pandera's failure cases → (row index, Issue) pairs with place, column and value."""
    found: list[tuple[int, Issue]] = []
    action = Action.ROW_QUARANTINED if severity == Severity.ERROR else Action.ROW_LOADED
    seen: set[tuple[int, str, str]] = set()
    for failure in failures.itertuples(index=False):
        index = failure.index
        if index is None or pd.isna(index) or index not in frame.index:
            continue
        row = frame.loc[index]
        check = _check_name(failure.check)
        # pandera reports a failed unique key once per key column: one issue is enough.
        once = (int(index), check, "" if check == "unique_key" else str(failure.column))
        if once in seen:
            continue
        seen.add(once)
        column = None if check == "unique_key" else str(failure.column)
        shown_column = _VALUE_COLUMN.get(column or "", column)
        value = row.get(shown_column) if shown_column else None
        value_text = (
            None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        )
        if check == "unique_key":  # the repeated key as the document writes it
            value_text = f"({row.get('item_no')})"
        message = failure_message(
            check,
            value=value_text if value_text is not None else "",
            item=row.get("item_no"),
            sub=row.get("sub_no"),
        )
        found.append(
            (
                int(index),
                Issue(
                    source_name,
                    check,
                    message,
                    severity=severity,
                    location=Location.of_row(row),
                    column=shown_column or "item_no, sub_no",
                    value=value_text,
                    action=action,
                ),
            )
        )
    return found


def validate_rows(
    rows: pd.DataFrame,
    *,
    region: str,
    year: int,
    month: int,
    source_name: str,
    known_items: frozenset[int] = frozenset(),
) -> Validated:
    """Check parsed rows; rows failing an error-level check are quarantined with reasons."""
    frame = rows.reset_index(drop=True).copy()
    frame["region"], frame["year"], frame["month"] = region, year, month
    if frame.empty:
        return Validated(frame)
    errors = failures_to_issues(_failures(ERROR_SCHEMA, frame), frame, source_name, "error")
    warnings = failures_to_issues(
        _failures(warning_schema(known_items), frame), frame, source_name, "warning"
    )

    by_row: dict[int, list[Issue]] = {}
    for index, issue in errors:
        by_row.setdefault(index, []).append(issue)
    quarantined = [
        RejectedRow(
            issues[0].location,
            str(frame.at[index, "raw"]),
            tuple(issues),
            item_no=None
            if pd.isna(frame.at[index, "item_no"])
            else int(frame.at[index, "item_no"]),
        )
        for index, issues in sorted(by_row.items())
    ]
    kept = frame.drop(index=list(by_row)).reset_index(drop=True)
    merged = merged_from_quarantined(frame, set(by_row), source_name)
    merged += repeated_keys_kept(frame, errors, source_name)
    merged += [pair for pair in repeated_rows(frame, source_name) if pair[0] not in by_row]
    issues = [issue for _n, issue in sorted(errors + warnings + merged, key=lambda pair: pair[0])]
    # A warning on a row that is quarantined anyway says what happened to the row.
    issues = [
        Issue(
            i.source_name,
            i.check,
            i.message,
            i.severity,
            i.location,
            i.column,
            i.value,
            "row quarantined",
        )
        if i.severity == "warning" and any(i.location == r.location for r in quarantined)
        else i
        for i in issues
    ]
    return Validated(kept, quarantined, issues)
