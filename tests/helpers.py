"""Helpers shared by tests: the expected rows and comparisons."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.conftest import EXPECTED

COMPARED = [
    "item_no",
    "sub_no",
    "content",
    "plan_text",
    "actual_text",
    "completion_raw",
    "completion_pct",
    "is_lagging",
    "department",
    "leader",
    "department_inherited",
    "leader_inherited",
]
TEXT_COLUMNS = ["content", "plan_text", "actual_text", "completion_raw", "department", "leader"]


def expected_rows() -> pd.DataFrame:
    return pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)


def as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every cell as the string the expected CSV holds ('' for missing)."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        series = frame[column]
        out[column] = [
            "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in series
        ]
    return out.reset_index(drop=True)


def without_space(frame: pd.DataFrame) -> pd.DataFrame:
    """Texts with all whitespace removed, for formats that wrap lines inside cells."""
    out = frame.copy()
    for column in TEXT_COLUMNS:
        if column in out:
            out[column] = out[column].map(lambda v: re.sub(r"\s+", "", v))
    return out


def soffice_missing() -> bool:
    from parsers.libreoffice import soffice_path

    return soffice_path() is None


#: For tests that convert with LibreOffice: skipped, with the reason shown, where it is missing.
needs_soffice = pytest.mark.skipif(
    soffice_missing(),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer "
    "libreoffice-calc",
)
