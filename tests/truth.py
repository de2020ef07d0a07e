"""The truth of each report fixture: the registry ``tests/fixtures/truth.csv``.

One line per fixture says which expected rows it must give (``Truth``); the corpus test
(``tests/parsers/test_corpus.py``) compares what each would load with them, and the
plausibility test measures its thresholds on the same files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from parsers.model import Issue
from tests.helpers import EXPECTED, FIXTURES, parsed

REGISTRY = FIXTURES / "truth.csv"
FIELDS = ("department", "leader", "completion_pct", "is_lagging")


@dataclass(frozen=True)
class Truth:
    """One line of the registry.

    ``fixture``: the file, under tests/fixtures. ``truth``: its expected rows (a CSV like
    ``yueqing-2022-08.expected.csv``, the default). ``items``: the items the fixture holds
    (``3-14``, ``1-9 11-47``; empty: all of the truth's); ``!10`` an item whose rows are
    not compared (the fixture changed it on purpose: the truth does not know it).
    ``rows``: ``first`` where the fixture has one row per item (the first row of each);
    empty: every row. ``fields``:
    the fields compared (default all four); ``-leader`` says the layout has no such column,
    so it must load NULL. ``options``: ``parse_document`` options (``region=乐清市 year=2022``).
    ``needs``: ``soffice`` (skipped without LibreOffice), ``ocr`` (a scan: slow), or
    ``ocr-long`` (a scan that takes more than 10 s to read, run with
    ``MINSHENG_TEST_LONG_SCANS=1``: the six-page scans alone would double ``make test``).
    """

    fixture: str
    truth: str = ""
    items: str = ""
    rows: str = ""
    fields: str = ""
    options: str = ""
    needs: str = ""

    @property
    def path(self) -> Path:
        return FIXTURES / self.fixture

    def compared(self) -> tuple[list[str], list[str]]:
        """(fields compared with the truth, fields that must be NULL)."""
        words = self.fields.split() or list(FIELDS)
        return [w for w in words if not w.startswith("-")], [
            w[1:] for w in words if w.startswith("-")
        ]

    def parse_options(self) -> dict[str, object]:
        options: dict[str, object] = {}
        for word in self.options.split():
            key, value = word.split("=", 1)
            options[key] = int(value) if key in ("year", "month") else value
        return options

    def item_set(self) -> set[int] | None:
        """The items of the truth the fixture holds (None: all)."""
        found: set[int] = set()
        for part in self.items.split():
            if not part.startswith("!"):
                first, _, last = part.partition("-")
                found |= set(range(int(first), int(last or first) + 1))
        return found or None

    def not_compared(self) -> set[int]:
        return {int(part[1:]) for part in self.items.split() if part.startswith("!")}


def registry() -> list[Truth]:
    with REGISTRY.open(encoding="utf-8", newline="") as file:
        return [Truth(**row) for row in csv.DictReader(file)]


@cache
def truth_rows(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name if name else EXPECTED, dtype=str, keep_default_na=False)


def loaded_rows(entry: Truth) -> tuple[pd.DataFrame, list[Issue]]:
    """The rows ``ingest`` would load from the fixture, and every issue it reports: the
    pipeline's own check of a parsed document (``checked_document``), on the cached parse."""
    from pipelines.core.checking import checked_document

    doc = parsed(entry.path, **entry.parse_options())  # type: ignore[arg-type]
    result = checked_document(doc, entry.path)
    return result.rows, result.issues
