"""Every ```sh block of README.md and docs/*.md runs as pasted.

The blocks run in order, in a copy of the repository's documents and fixtures set up as
``make run`` leaves it (the August report ingested into ``data/minsheng.duckdb``), the
installed ``.venv`` linked in. ``minsheng`` commands run in this process (typer's CliRunner),
as the CLI tests do; any other command in a shell. Each must succeed (exit status 0, no
traceback). A line just before a block says what is special about it:

- ``<!-- docs-test: skip (REASON) -->``: not run, the test is skipped with REASON (a server,
  another host, the package index, root, or a command that runs until Ctrl-C);
- ``<!-- docs-test: needs PROGRAM -->``: skipped when PROGRAM is not installed;
- ``<!-- docs-test: exit N -->``: the commands may exit N (1: a document is rejected, as the
  text around the block says);
- ``<!-- docs-test: slow (REASON) -->``: run, marked slow.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import invoke

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: What a fresh clone has that the blocks use.
COPIED = ("docs", "tests/fixtures", "bench", "prefect.yaml", "README.md", "Makefile")
_MARK = re.compile(r"<!-- docs-test: (?P<kind>skip|needs|exit|slow)\s*(?P<what>.*?)\s*-->")


@dataclass
class Block:
    page: str
    line: int
    text: str
    skip: str | None = None
    needs: list[str] = field(default_factory=list)
    exits: set[int] = field(default_factory=lambda: {0})
    slow: bool = False

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def shell_blocks() -> list[Block]:
    """Every ```sh block of the pages, with the marks on the lines just above it."""
    blocks = []
    for page in PAGES:
        lines = page.read_text("utf-8").splitlines()
        inside: Block | None = None
        body: list[str] = []
        for number, line in enumerate(lines, start=1):
            if inside is None and line.strip() == "```sh":
                inside, body = Block(str(page.relative_to(ROOT)), number, ""), []
                above = number - 2
                while above >= 0 and (mark := _MARK.fullmatch(lines[above].strip())):
                    what = mark["what"].strip("() ")
                    if mark["kind"] == "skip":
                        inside.skip = what
                    elif mark["kind"] == "needs":
                        inside.needs.append(what)
                    elif mark["kind"] == "exit":
                        inside.exits |= {int(n) for n in what.split()}
                    else:
                        inside.slow = True
                    above -= 1
            elif inside is not None and line.strip() == "```":
                inside.text = "\n".join(body) + "\n"
                blocks.append(inside)
                inside = None
            elif inside is not None:
                body.append(line)
    return blocks


#: What only a shell does: such a command runs through ``sh`` as written, not in-process.
_SHELL_WORDS = frozenset({"|", "&&", "||", ";"})


def needs_shell(raw: str, words: list[str]) -> bool:
    """A command with a pipe, a list or a command substitution (``$(…)``)."""
    return "$(" in raw or any(word in _SHELL_WORDS for word in words)


def block_to_commands(text: str) -> list[tuple[dict[str, str], list[str], str | None, str]]:
    """A block's commands: ``(environment assignments, argv, file stdout goes to, the
    command as written)`` each.

    Split as a shell splits them: one command a line, a quoted argument running over several
    lines kept whole, ``#`` comments left out.
    """
    commands: list[tuple[dict[str, str], list[str], str | None, str]] = []
    pending = ""
    for line in text.splitlines():
        pending += line + "\n"
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on on the next line
            continue
        raw, pending = pending, ""
        env: dict[str, str] = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        out = None
        if ">" in words:
            at = words.index(">")
            out, words[at:] = words[at + 1], []
        if words:
            commands.append((env, words, out, raw))
    assert not pending, f"unclosed quote in {text!r}"
    return commands


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documents and fixtures of a fresh clone after ``make run``."""
    folder = tmp_path_factory.mktemp("clone")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(ROOT / ".venv")
    done = invoke(
        "ingest", "tests/fixtures/yueqing-2022-08.txt", "--region", "乐清市", cwd=folder,
        env=_user_environment(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def _user_environment(extra: dict[str, str] | None = None) -> dict[str, str | None]:
    """A user's shell: no language chosen for minsheng but by the locale, which is C unless
    the block sets one."""
    return {"MINSHENG_LANG": None, "LC_ALL": None, "LANG": "C.UTF-8", **(extra or {})}


def run_block(block: Block, folder: Path) -> list[str]:
    """Run each command of ``block`` in ``folder``; what went wrong, if anything."""
    problems = []
    for env, argv, out, raw in block_to_commands(block.text):
        shell = needs_shell(raw, argv)
        if argv[0] == ".venv/bin/minsheng" and not shell:
            done = invoke(*argv[1:], cwd=folder, env=_user_environment(env))
            code, said = done.returncode, done.stdout + done.stderr
            if out is not None:
                (folder / out).write_text(done.stdout, "utf-8")
        else:
            environment = {**os.environ, "LANG": "C.UTF-8", **env}
            environment.pop("MINSHENG_LANG", None)
            process = subprocess.run(
                raw if shell else shlex.join(argv) + (f" > {shlex.quote(out)}" if out else ""),
                shell=True,
                cwd=folder,
                env=environment,
                capture_output=True,
                text=True,
                timeout=300,
            )
            code, said = process.returncode, process.stdout + process.stderr
        if code not in block.exits or "Traceback" in said or "unexpected failure" in said:
            problems.append(f"{shlex.join(argv)}: exit {code}\n{said[-2000:]}")
    return problems


def _params() -> list[object]:
    params = []
    for block in shell_blocks():
        marks = [pytest.mark.slow] if block.slow else []
        params.append(pytest.param(block, id=block.name, marks=marks))
    return params


@pytest.mark.slow  # some 30 blocks: ingests of every format, in about half a minute
@pytest.mark.parametrize("block", _params())
def test_the_block_runs_as_pasted(block: Block, checkout: Path) -> None:
    if block.skip:
        pytest.skip(block.skip)
    for program in block.needs:
        if shutil.which(program) is None:
            pytest.skip(f"needs {program}")
    assert run_block(block, checkout) == []


def test_blocks_are_found_and_split_as_a_shell_splits_them() -> None:
    blocks = shell_blocks()
    assert len(blocks) > 25
    assert {b.page for b in blocks} >= {"README.md", "docs/analysis.md", "docs/warehouse.md"}
    commands = block_to_commands(
        'LANG=C .venv/bin/minsheng sql "SELECT 1; -- a # b" --region 乐清市 > a.csv   # the x\'s\n'
        '.venv/bin/python -c "\nprint(1)\n"\n'
    )
    assert [command[:3] for command in commands] == [
        (
            {"LANG": "C"},
            [".venv/bin/minsheng", "sql", "SELECT 1; -- a # b", "--region", "乐清市"],
            "a.csv",
        ),
        ({}, [".venv/bin/python", "-c", "\nprint(1)\n"], None),
    ]
    assert commands[1][3] == '.venv/bin/python -c "\nprint(1)\n"\n'  # as written
    assert not any(needs_shell(raw, argv) for _, argv, _, raw in commands)
    [(_, argv, _, raw)] = block_to_commands('x=$(.venv/bin/minsheng sql "SELECT 1" | tail -1)\n')
    assert needs_shell(raw, argv)
