"""The Chinese catalog covers every message of the code, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import i18n
from i18n import catalog_path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("i18n", "parsers", "schemas", "warehouse", "pipelines")
METHODS = [("**.py", "python"), ("**/templates/**.j2", "jinja2")]


def _key(message_id: str | tuple[str, ...], context: str | None) -> tuple[str | None, str]:
    first = message_id if isinstance(message_id, str) else message_id[0]
    return context, first


def code_messages() -> set[tuple[str | None, str]]:
    """Every message the code marks (``_``, ``N_``, ``ngettext``, ``pgettext``, templates)."""
    found = set()
    for folder in SOURCES:
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, METHODS, keywords={**_KEYWORDS}
        ):
            found.add(_key(message, context))
    return found


_KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}


def placeholders(text: str) -> set[str]:
    """The names of ``{name}`` fields in a message (conversion and format spec left out)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def catalog():
    with catalog_path("zh").open("rb") as po:
        return read_po(po, locale="zh_CN")


def test_every_message_of_the_code_is_in_the_template_and_the_catalog(catalog) -> None:
    with (i18n.LOCALE_DIR / "minsheng.pot").open("rb") as pot:
        template = {_key(m.id, m.context) for m in read_po(pot) if m.id}
    translated = {_key(m.id, m.context) for m in catalog if m.id}
    in_code = code_messages()
    assert len(in_code) > 300
    assert sorted(in_code - template, key=str) == [], "run `make messages`"
    assert sorted(in_code - translated, key=str) == [], "run `make messages` and translate"


def test_every_message_has_a_chinese_translation_with_the_same_placeholders(catalog) -> None:
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(("untranslated or fuzzy", ids[0]))
            continue
        for translated in strings:
            if placeholders(translated) != placeholders(ids[0]):
                problems.append(("placeholders differ", ids[0], translated))
    assert problems == []
    assert not catalog.fuzzy


def test_a_missing_compiled_catalog_is_compiled_from_the_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without ``make install`` (no .mo): Chinese still works, from the .po."""
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "minsheng.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(catalog_path("zh").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_loaded", {})
    i18n.use_language("zh")
    assert i18n._("the file is empty") == "文件为空"
    assert not po.with_suffix(".mo").exists()  # compiled in memory, nothing written


def test_no_message_is_marked_inside_an_f_string() -> None:
    """The extractor does not look inside f-strings: a ``_()`` there never reaches the
    catalog, and its text stays English in every language."""
    inside = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if "{_(" in line or "{N_(" in line or "{ngettext(" in line
    ]
    assert inside == []
