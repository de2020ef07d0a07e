"""The measure of the guards: no loaded row of any fixture differs from the truth unsaid.

Every report fixture is parsed and checked as ``ingest`` does, and each row that would load
is compared with its expected row on item, department, leader, completion and lagging. A
row that differs with no warning or error on it is *silently wrong*: the worst outcome, a
wrong value loaded with a clean status. Differences the report flags are allowed (the clerk
is told); rows quarantined are not loaded, so not compared.

The truth is data: ``tests/fixtures/truth.csv``, one line per fixture (see its columns in
``Truth``). A new fixture is one more line there; ``test_every_report_fixture_has_a_truth``
fails until it has one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from parsers import SUPPORTED_SUFFIXES, DocumentError
from parsers.model import Location
from tests.helpers import FIXTURES, LONG_SCANS, needs_soffice
from tests.truth import REGISTRY, Truth, loaded_rows, registry, truth_rows

#: Files under tests/fixtures that are no report with rows to compare: documents that must
#: be rejected whole (their tests say how).
NO_TRUTH = ("bad/",)


@dataclass(frozen=True)
class Wrong:
    """A loaded row that differs from its truth, and whether the report says so."""

    place: str
    key: tuple[int, int]
    differences: tuple[str, ...]
    flagged: bool


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return re.sub(r"\s+", "", str(value))


def _same(field: str, loaded: object, expected: str) -> bool:
    if field == "completion_pct":
        if expected == "":
            return loaded is None or pd.isna(loaded)
        return (
            loaded is not None
            and not pd.isna(loaded)
            and math.isclose(float(loaded), float(expected))
        )
    if field == "is_lagging":
        return bool(loaded) == (expected == "True")
    return _text(loaded) == _text(expected)


def wrong_rows(entry: Truth) -> tuple[int, list[Wrong]]:
    """How many rows would load, and those that differ from the truth."""
    rows, issues = loaded_rows(entry)
    flagged = {i.location for i in issues if i.severity in ("error", "warning")}
    truth = truth_rows(entry.truth)
    items = entry.item_set()
    expected: dict[tuple[int, int], dict[str, str]] = {}
    for record in truth.to_dict("records"):
        key = (int(record["item_no"]), int(record["sub_no"]))
        if (items is None or key[0] in items) and (entry.rows != "first" or key[1] == 1):
            expected[key] = record
    compared, absent = entry.compared()
    wrong: list[Wrong] = []
    skipped = entry.not_compared()
    for row in rows.to_dict("records"):
        place = Location.of_row(row)
        key = (int(row["item_no"]), int(row["sub_no"]))
        if key[0] in skipped:
            continue
        differences: list[str] = []
        if key not in expected:
            differences.append("no such row in the truth")
        else:
            truth_row = expected[key]
            differences += [
                f"{field} {row[field]!r}, expected {truth_row[field]!r}"
                for field in compared
                if not _same(field, row[field], truth_row[field])
            ]
        differences += [
            f"{field} {row[field]!r}, expected NULL" for field in absent if not pd.isna(row[field])
        ]
        if differences:
            wrong.append(Wrong(place.describe(), key, tuple(differences), place in flagged))
    return len(rows), wrong


def _measure(entries: list[Truth]) -> tuple[str, int]:
    """A table of loaded and silently wrong rows per fixture, and the silently wrong total."""
    lines = [f"{'fixture':<58} {'loaded':>6} {'flagged':>7} {'silent':>6}"]
    details: list[str] = []
    total = 0
    for entry in entries:
        try:
            count, wrong = wrong_rows(entry)
        except DocumentError as exc:  # a fixture with a truth must be read
            lines.append(f"{entry.fixture:<58} rejected: {exc}")
            total += 1
            continue
        silent = [w for w in wrong if not w.flagged]
        total += len(silent)
        lines.append(
            f"{entry.fixture:<58} {count:>6} {len(wrong) - len(silent):>7} {len(silent):>6}"
        )
        details += [
            f"  {entry.fixture}, {w.place}, item {w.key}: {'; '.join(w.differences)}"
            for w in silent[:5]
        ]
    return "\n".join([*lines, *details]), total


def _entries(needs: str) -> list[Truth]:
    return [e for e in registry() if e.needs == needs]


def test_no_fixture_loads_a_row_that_differs_from_its_truth_unsaid() -> None:
    table, silent = _measure(_entries(""))
    print("\n" + table)
    assert silent == 0, f"{silent} silently wrong rows:\n{table}"


@needs_soffice
def test_no_legacy_file_loads_a_row_that_differs_from_its_truth_unsaid() -> None:
    table, silent = _measure(_entries("soffice"))
    print("\n" + table)
    assert silent == 0, f"{silent} silently wrong rows:\n{table}"


_LONG_SCANS = LONG_SCANS


@pytest.mark.slow  # OCR takes seconds a page
@pytest.mark.parametrize(
    "entry",
    [
        *_entries("ocr"),
        *(pytest.param(e, marks=_LONG_SCANS) for e in _entries("ocr-long")),
    ],
    ids=lambda e: e.fixture,
)
def test_no_scan_loads_a_row_that_differs_from_its_truth_unsaid(entry: Truth) -> None:
    table, silent = _measure([entry])
    print("\n" + table)
    assert silent == 0, f"{silent} silently wrong rows:\n{table}"


def test_every_report_fixture_has_a_truth() -> None:
    listed = {e.fixture for e in registry()}
    reports = {
        str(path.relative_to(FIXTURES))
        for path in FIXTURES.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not str(path.relative_to(FIXTURES)).startswith(NO_TRUTH)
        and ".expected" not in path.name
        and path != REGISTRY
    }
    missing = sorted(reports - listed)
    assert missing == [], f"add a line for each to {REGISTRY.name}: {missing}"
    assert sorted(name for name in listed if not (FIXTURES / name).is_file()) == []


def test_a_planted_wrong_value_is_counted_silently_wrong(tmp_path: Path) -> None:
    """The measure can fail: a truth that says another leader for one row counts that row."""
    truth = truth_rows("").copy()
    truth.loc[(truth.item_no == "7") & (truth.sub_no == "1"), "leader"] = "王旭良"
    planted = tmp_path / "planted.expected.csv"
    truth.to_csv(planted, index=False)
    entry = Truth("yueqing-2022-08.docx", truth=str(planted))
    count, wrong = wrong_rows(entry)
    assert count == 48
    assert [(w.key, w.flagged) for w in wrong] == [((7, 1), False)]
    assert wrong[0].differences == ("leader '陈玮莉', expected '王旭良'",)
