"""docs/commands.md holds every ``--help`` page as the commands print it (``make docs``)."""

from __future__ import annotations

import pytest

from pipelines.cli.help_pages import BEGIN, END, PAGE, generated_part, page_with


@pytest.mark.process  # each language's pages come from a Python process of their own
def test_the_docs_show_the_help_pages_as_the_commands_print_them() -> None:
    generated = generated_part()
    page = PAGE.read_text("utf-8")
    assert page_with(generated, page) == page, "docs/commands.md is out of date: run make docs"
    # every command, in both languages, and the Chinese pages in Chinese
    for command in ("minsheng", "ingest", "validate", "sql", "report", "serve", "export"):
        name = command if command == "minsheng" else f"minsheng {command}"
        assert generated.count(f"### `{name} --help`") == 2, command
    chinese = generated.split("## 简体中文", 1)[1]
    assert "用法：minsheng ingest" in chinese and "Usage:" not in chinese


def test_a_changed_help_text_makes_the_page_out_of_date() -> None:
    page = PAGE.read_text("utf-8")
    inside = page[page.index(BEGIN) : page.index(END) + len(END)]
    changed = inside.replace("Output format.", "Output shape.")
    assert changed != inside
    assert page_with(changed, page) != page
    assert page_with(inside, page_with(changed, page)) == page
