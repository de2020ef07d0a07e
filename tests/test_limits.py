"""Every limit in one place: docs/security.md holds the table ``python -m limits`` prints."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from limits import DEFAULTS, FetchLimits, Limits, ParseLimits, QueryLimits, readme_table

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_shows_the_defaults_as_they_are() -> None:
    readme = (ROOT / "docs" / "security.md").read_text("utf-8")
    assert readme_table() in readme


@pytest.mark.process
def test_python_m_limits_prints_that_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "limits"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout == readme_table()


def test_every_bound_has_a_row_that_says_how_to_change_it() -> None:
    rows = readme_table().splitlines()[2:]
    bounds = [b for group in fields(Limits) for b in fields(getattr(DEFAULTS, group.name))]
    assert len(rows) == len(bounds)
    assert all(b.metadata["what"] and b.metadata["set_with"] for b in bounds)


def test_a_changed_default_changes_the_table() -> None:
    other = Limits(parse=ParseLimits(max_pages=1000), query=QueryLimits(timeout_seconds=5))
    table = readme_table(other)
    assert "| pages of a PDF or a scanned image file | 1,000 | `--max-pages N` |" in table
    assert "| time a `minsheng sql` query runs | 5 s | `minsheng sql --timeout S` |" in table
    assert readme_table() != table


def test_the_old_homes_of_the_limits_hand_out_the_same_objects() -> None:
    import parsers.limits
    import pipelines.core.fetching
    import warehouse

    assert parsers.limits.ParseLimits is ParseLimits
    assert parsers.limits.DEFAULT_LIMITS == DEFAULTS.parse
    assert pipelines.core.fetching.FetchLimits is FetchLimits
    assert warehouse.QueryLimits is QueryLimits
