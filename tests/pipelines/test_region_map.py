"""An inbox's ``regions.toml``: which region its reports are from, checked before any run."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.region_map import read_region_map
from pipelines.core.settings import SettingsError

MAPPING = """\
# the reports of two counties, under names that do not say which
[folders]
county-a = "乐清市"
"wenzhou/yongjia" = "永嘉县"

[files]
"yj-*.txt" = "永嘉县"
"*-乐清.docx" = "乐清市"
"""


def test_a_file_pattern_first_then_the_deepest_folder(tmp_path: Path) -> None:
    (tmp_path / "regions.toml").write_text(MAPPING, "utf-8")
    mapping = read_region_map(tmp_path)
    assert mapping.region_of(tmp_path / "county-a" / "2022年8月进展.txt", tmp_path) == "乐清市"
    assert mapping.region_of(tmp_path / "county-a" / "9月" / "进展.docx", tmp_path) == "乐清市"
    assert mapping.region_of(tmp_path / "wenzhou" / "yongjia" / "8月.pdf", tmp_path) == "永嘉县"
    assert mapping.region_of(tmp_path / "county-a" / "yj-8月.txt", tmp_path) == "永嘉县"
    assert mapping.region_of(tmp_path / "8月-乐清.docx", tmp_path) == "乐清市"
    assert mapping.region_of(tmp_path / "wenzhou" / "8月.txt", tmp_path) is None
    assert mapping.region_of(tmp_path / "county-ab" / "8月.txt", tmp_path) is None


def test_an_inbox_without_a_mapping_maps_nothing(tmp_path: Path) -> None:
    assert read_region_map(tmp_path).region_of(tmp_path / "a" / "8月.txt", tmp_path) is None
    assert read_region_map(tmp_path / "not-yet-made").files == ()


BAD = [
    ("[folders\ncounty-a = 1", "not valid TOML"),
    ('[regions]\ncounty-a = "乐清市"', "unknown entry 'regions'; a region mapping has [folders]"),
    ("folders = 3", "folders must be a table, e.g. [folders]"),
    ("[folders]\ncounty-a = 3", "[folders] 'county-a' = 3: give the region's name"),
    ('[files]\n"*.txt" = " "', "[files] '*.txt' = ' ': give the region's name"),
    ('[folders]\n"../other" = "乐清市"', "[folders] '../other': give a sub-folder of the inbox"),
    ('[folders]\n"/srv/in" = "乐清市"', "[folders] '/srv/in': give a sub-folder of the inbox"),
    ('[files]\n"a/*.txt" = "乐清市"', "[files] 'a/*.txt': a file-name pattern has no folder"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_a_mapping_that_cannot_be_used_names_the_file_and_the_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "regions.toml").write_text(text, "utf-8")
    with pytest.raises(SettingsError) as raised:
        read_region_map(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / 'regions.toml'}: ")
    assert message in str(raised.value)


def test_serve_checks_the_mapping_before_it_starts(tmp_path: Path) -> None:
    from tests.helpers import invoke

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "regions.toml").write_text('[folders]\n"../x" = "乐清市"\n', "utf-8")
    done = invoke("serve", "--inbox", "inbox", "--db", "w.duckdb", cwd=tmp_path)
    assert done.returncode == 2
    assert "regions.toml: [folders] '../x': give a sub-folder of the inbox" in done.stderr
    assert "Traceback" not in done.stderr and "Prefect server" not in done.stdout


def test_ingest_of_the_inbox_reads_its_mapping_as_the_scheduled_run_does(tmp_path: Path) -> None:
    """Two counties' reports whose titles and names do not say which: the mapping does."""
    from tests.helpers import SAMPLE, SECOND_REGION, invoke

    inbox = tmp_path / "inbox"
    (inbox / "county-a").mkdir(parents=True)
    (inbox / "county-b").mkdir()
    (inbox / "regions.toml").write_text(
        '[folders]\ncounty-a = "乐清市"\n[files]\n"yj-*" = "永嘉县"\n', "utf-8"
    )
    (inbox / "county-a" / "2022年8月进展情况.txt").write_bytes(SAMPLE.read_bytes())
    untitled = "\n".join(SECOND_REGION[-1].read_text("utf-8").splitlines()[1:])
    (inbox / "county-b" / "yj-2022年8月进展情况.txt").write_text(untitled, "utf-8")
    done = invoke("ingest", "inbox", "--db", "w.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded    2022年8月进展情况.txt  乐清市 2022-08  48 rows loaded" in done.stdout
    assert "loaded    yj-2022年8月进展情况.txt  永嘉县 2022-08  12 rows loaded" in done.stdout
    (inbox / "regions.toml").write_text('[files]\n"a/*" = "乐清市"\n', "utf-8")
    broken = invoke("validate", "inbox", cwd=tmp_path)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert "regions.toml: [files] 'a/*': a file-name pattern has no folder in it" in broken.stderr
