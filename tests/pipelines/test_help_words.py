"""typer's own words on help pages and in usage errors, in Chinese under a Chinese locale.

The help texts are read when the commands are defined, so each run is a process of its own
started with ``LANG=zh_CN.UTF-8`` (and no ``MINSHENG_LANG``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli.help_words import type_text, usage_error_text

# What a reader types as it is, not English prose: the commands and the values options take.
NAMES = {"minsheng", "ingest", "validate", "sql", "report", "serve", "export", "web"}
#: Warehouse tables a help text names, as a query would write them.
NAMES |= {"progress", "quarantine", "reports", "replaced_rows", "validation_issues"}
VALUES = {"auto", "threads", "processes", "dask", "zh", "en"}


def english_words(text: str) -> list[str]:
    """The English words of ``text`` besides option names (``--db``), table names, variables
    (``$MINSHENG_DB``), file names, extensions and addresses (with a ``.``, ``/`` or ``:``),
    commands and option values."""
    words = []
    for token in re.findall(r"[-$.]*[A-Za-z][\w.\-/:]*", text):
        token = token.rstrip(".:")
        if token[:1] in "-$." or re.search(r"[./:]", token) or token in NAMES | VALUES:
            continue
        words += re.findall(r"[A-Za-z]+", token)
    return words


def _zh(*args: str, cwd: Path) -> str:
    """What the console script prints (its name is the program's in the usage line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "MINSHENG_"))}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("minsheng")), *args],
        cwd=cwd,
        env={**env, "LANG": "zh_CN.UTF-8", "COLUMNS": "100", "PREFECT_HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("command", [["--help"], ["ingest", "--help"]])
def test_help_is_chinese_but_for_names(tmp_path: Path, command: list[str]) -> None:
    page = _zh(*command, cwd=tmp_path)
    assert "用法：minsheng" in page and "显示本帮助并退出。" in page
    assert "Usage" not in page and "Show this message" not in page
    assert len(english_words(page)) <= 3, english_words(page)


def test_a_usage_error_is_chinese(tmp_path: Path) -> None:
    said = _zh("ingest", "--regoin", "乐清市", "x.txt", cwd=tmp_path)
    assert "用法：minsheng ingest [选项] {路径}..." in said
    assert "没有选项 --regoin（是否要用 --region？）" in said
    assert english_words(said) == []


def test_the_word_counter_counts_prose_not_names() -> None:
    assert english_words("Usage: minsheng ingest [OPTIONS] --db FILE data/x.duckdb") == [
        "Usage",
        "OPTIONS",
        "FILE",
    ]
    assert english_words("用法：minsheng ingest [选项] --db $MINSHENG_DB .pdf auto") == []


def test_click_errors_and_types_in_english_stay_as_written() -> None:
    # English is the source text: the words come back as click writes them, types in words.
    assert usage_error_text("No such option: --x") == "No such option: --x"
    assert usage_error_text("Missing argument 'PATH'.") == "Missing argument 'PATH'."
    assert (
        usage_error_text("Invalid value for '--year': Input should be a valid integer, unable")
        == "Invalid value for '--year': not a whole number"
    )
    assert usage_error_text("something new") == "something new"
    assert type_text("<bool>") is None and type_text("<zh|en>") == "<zh|en>"
    assert type_text("<int>") == "<integer>"
