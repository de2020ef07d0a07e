"""Old Office and WPS files, converted by LibreOffice when it is installed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parsers import UnreadableDocument, UnsupportedFormat, parse_bytes
from parsers.formats.legacy import LEGACY_FORMATS, convert
from tests.conftest import FIXTURES
from tests.helpers import needs_soffice

ADVICE = {"docx": r"save it as \.docx", "xlsx": r"save it as \.xlsx"}


@pytest.mark.parametrize("suffix", sorted(LEGACY_FORMATS))
def test_without_libreoffice_each_legacy_format_says_how_to_save_it(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without soffice
    target = LEGACY_FORMATS[suffix][1]
    with pytest.raises(UnsupportedFormat, match=ADVICE[target] + ".*apt-get install libreoffice"):
        parse_bytes(b"\xd0\xcf\x11\xe0", f"2022年8月{suffix}")


def _processes_using(folder: Path) -> list[str]:
    """Command lines of the processes that name ``folder`` (a conversion working in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.process
@needs_soffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
def test_a_conversion_over_its_time_limit_is_killed_and_the_document_rejected(
    tmp_path: Path,
) -> None:
    data = (FIXTURES / "legacy" / "yueqing-2022-08.xls").read_bytes()
    with pytest.raises(UnreadableDocument, match=r"did not convert it within 0\.5 s"):
        convert(data, "2022年8月.xls", timeout=0.5, temp_root=tmp_path)
    assert _processes_using(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # the temporary folder is gone too


@needs_soffice
def test_an_empty_legacy_file_is_rejected_before_libreoffice_starts() -> None:
    with pytest.raises(UnreadableDocument, match="empty"):
        parse_bytes(b"", "2022年8月.doc")
    assert os.environ.get("PATH")  # the real PATH, with soffice on it
