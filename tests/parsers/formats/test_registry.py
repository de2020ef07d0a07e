"""Each line of the format registry names a reader that exists where it says."""

from __future__ import annotations

import importlib

from parsers.formats.registry import FORMATS


def test_every_format_names_a_reader_that_can_be_imported() -> None:
    missing = []
    for suffix, fmt in FORMATS.items():
        module, name = fmt.reader.split(":")
        if not callable(getattr(importlib.import_module(module), name, None)):
            missing.append(f"{suffix}: {fmt.reader}")
    assert missing == []
