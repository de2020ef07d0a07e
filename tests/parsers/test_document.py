"""The one list of formats (``parsers.formats.registry.FORMATS``) and what users read of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers import SUPPORTED_SUFFIXES, UnsupportedFormat, parse_bytes
from parsers.formats.registry import suffix_lists
from tests.helpers import invoke


def _suffixes(text: str) -> list[str]:
    return re.findall(r"\.[a-z]+\b", text)


def test_the_refusal_names_every_supported_suffix_once() -> None:
    with pytest.raises(UnsupportedFormat) as refused:
        parse_bytes(b"x", "2022年8月.json")
    named = _suffixes(str(refused.value).split("use ", 1)[1])
    assert sorted(named) == sorted(SUPPORTED_SUFFIXES)
    assert ".xlsm" in named and ".tiff" in named and ".et" in named


def test_the_lists_split_the_suffixes_by_how_they_are_read() -> None:
    direct, scans, legacy = suffix_lists()
    assert _suffixes(scans) == [".png", ".jpg", ".jpeg", ".tif", ".tiff"]
    assert ".doc" in _suffixes(legacy) and ".doc" not in _suffixes(direct)
    assert sorted(_suffixes(", ".join((direct, scans, legacy)))) == sorted(SUPPORTED_SUFFIXES)


def test_the_ingest_help_lists_every_supported_suffix(tmp_path: Path) -> None:
    shown = invoke("ingest", "--help", cwd=tmp_path, env={"COLUMNS": "400"})
    assert shown.returncode == 0
    listed = set(_suffixes(shown.stdout.split("Report files", 1)[1].split(".url files", 1)[0]))
    assert listed == set(SUPPORTED_SUFFIXES)
