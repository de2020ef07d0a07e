"""Messages in the reader's language, 简体中文 or English, through gettext catalogs.

English is the source text. Every message a user reads is written in English in the code and
marked ``_("… {name} …").format(name=…)`` (``N_()`` where a table holds it and ``_()``
translates it later; ``ngettext`` where a count changes the words). ``make messages``
extracts them into ``locale/minsheng.pot`` and updates ``locale/zh_CN/LC_MESSAGES/minsheng.po``,
where the Chinese is written. ``make install`` compiles the ``.mo``; where there is none (a
plain ``pip install``) or the ``.po`` is newer, the ``.po`` is compiled in memory on first use.

The language: ``--lang``, else ``$MINSHENG_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: ``zh…`` is Chinese), else English. The command line chooses it
once (``use_language``) and exports ``MINSHENG_LANG``, so worker processes speak the same
language; code that never chose reads the environment on its first message.

Stable machine fields (check codes, severities, action codes, JSON keys, table and column
names) are never translated; ``status_text`` and friends give their words for display.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from io import BytesIO
from pathlib import Path

DOMAIN = "minsheng"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
#: The catalog of each language that has one (English is the source text).
CATALOG_LOCALES = {"zh": "zh_CN"}
_BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


class LanguageError(ValueError):
    """A language asked for that is neither Chinese nor English."""


def normalize(value: str) -> str:
    """``zh``, ``zh_CN``, ``zh-CN.UTF-8`` → ``zh``; ``en…`` → ``en``; anything else raises."""
    code = value.strip().lower().replace("-", "_")
    for language in LANGUAGES:
        if code == language or code.startswith(language + "_") or code.startswith(language + "."):
            return language
    raise LanguageError(f"unknown language {value!r}: choose zh or en")


def choose_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``option``, else ``$MINSHENG_LANG``, else the locale (``zh…`` → Chinese), else English."""
    environ = os.environ if environ is None else environ
    if option:
        return normalize(option)
    if environ.get("MINSHENG_LANG"):
        return normalize(environ["MINSHENG_LANG"])
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:  # the first one set decides, as POSIX has it (LC_ALL=C beats LANG=zh_CN)
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def catalog_path(language: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / CATALOG_LOCALES[language] / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _load(language: str) -> gettext.NullTranslations:
    if language not in CATALOG_LOCALES:
        return gettext.NullTranslations()
    po, mo = catalog_path(language), catalog_path(language, ".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    # No compiled catalog (installed without `make install`) or an edited .po: compile it here.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=CATALOG_LOCALES[language], domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they fall back to English
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


_loaded: dict[str, gettext.NullTranslations] = {}
_current: str | None = None
#: A language for one context only (a web request, a job's thread): wins over ``_current``.
_here: ContextVar[str | None] = ContextVar("minsheng_language", default=None)


def use_language(language: str, *, export: bool = False) -> str:
    """Speak ``language`` (``zh``/``en`` or a locale name) from now on; ``export`` hands it to
    child processes through ``MINSHENG_LANG``. Returns the language code."""
    global _current
    code = normalize(language)
    if code not in _loaded:
        _loaded[code] = _load(code)
    _current = code
    if export:
        os.environ["MINSHENG_LANG"] = code
    return code


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Speak ``language`` in this context only (this thread or async task), for a server whose
    requests each have their own reader; the process's language is left as it is."""
    code = normalize(language)
    if code not in _loaded:
        _loaded[code] = _load(code)
    token = _here.set(code)
    try:
        yield code
    finally:
        _here.reset(token)


def language() -> str:
    """The language messages are in now."""
    here = _here.get()
    if here is not None:
        return here
    if _current is None:
        use_language(choose_language())
    assert _current is not None
    return _current


def _translations() -> gettext.NullTranslations:
    return _loaded[language()]


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    return _translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells a translator its use."""
    return _translations().pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog where a table holds it; ``_()`` translates it later."""
    return message


# Words for stable codes, shown to people; the codes themselves stay in JSON and DuckDB.
_STATUS = {
    "loaded": N_("loaded"),
    "partial": N_("partial"),
    "rejected": N_("rejected"),
    "unchanged": N_("unchanged"),
}
# The same for ``validate``, which loads nothing: what ingest would do, never "loaded".
_STATUS_WOULD = {
    "loaded": N_("would load"),
    "partial": N_("would load in part"),
    "rejected": N_("would be rejected"),
}
_SEVERITY = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
_ACTION = {
    "document rejected": N_("document rejected"),
    "row quarantined": N_("row quarantined"),
    "row loaded": N_("row loaded"),
    "row loaded (corrected)": N_("row loaded (corrected)"),
    "row kept": N_("row kept"),
    "rows kept": N_("rows kept"),
    "value inherited": N_("value inherited"),
    "column kept in extra": N_("column kept in extra"),
    "title used": N_("title used"),
    "option used": N_("option used"),
    "line ignored": N_("line ignored"),
    "table ignored": N_("table ignored"),
    "cell not read": N_("cell not read"),
    "page not read": N_("page not read"),
    "document read": N_("document read"),
    "noted": N_("noted"),
    "not loaded": N_("not loaded"),
}
_ACTION_WOULD = {
    "document rejected": N_("document would be rejected"),
    "row quarantined": N_("row would be quarantined"),
    "row loaded": N_("row would load"),
    "row loaded (corrected)": N_("row would load (corrected)"),
}


_COLUMN = {
    "item_no": N_("序号"),
    "content": N_("project text (项目内容)"),
    "plan": N_("plan (计划进度)"),
    "plan_text": N_("plan (计划进度)"),
    "actual": N_("actual progress (实际进度情况)"),
    "actual_text": N_("actual progress (实际进度情况)"),
    "completion": N_("completion rate (完成率)"),
    "completion_raw": N_("completion rate (完成率)"),
    "department": N_("department (责任单位)"),
    "leader": N_("leader (具体分管领导)"),
    "note": N_("note (备注)"),
    "item_no, sub_no": N_("item and its row (序号)"),
    "row": N_("whole row"),
    "region": N_("region"),
    "year": N_("year"),
    "month": N_("month"),
}


def column_text(column: str | None) -> str:
    """A table column (``department``, …) in words: ``department (责任单位)`` / ``责任单位``;
    a column the document named itself (``推进措施``) as it is."""
    if not column:
        return ""
    return _(_COLUMN[column]) if column in _COLUMN else column


_COMMAND = {"ingest": N_("ingest"), "validate": N_("validate")}


def command_text(command: str) -> str:
    """The command a run was (``ingest``, ``validate``) in words."""
    return _(_COMMAND[command]) if command in _COMMAND else command


def status_text(status: str, *, would: bool = False) -> str:
    """A document's status (``loaded``, ``partial``, …) in words; ``would``: as what ingest
    would do, for a run that loads nothing (``validate``)."""
    if would and status in _STATUS_WOULD:
        return _(_STATUS_WOULD[status])
    return _(_STATUS[status]) if status in _STATUS else status


def severity_text(severity: str) -> str:
    return _(_SEVERITY[severity]) if severity in _SEVERITY else severity


def action_text(action: str, *, would: bool = False) -> str:
    """What was done (``row quarantined``, …) in words; ``would``: what ingest would do."""
    if would and action in _ACTION_WOULD:
        return _(_ACTION_WOULD[action])
    return _(_ACTION[action]) if action in _ACTION else action


def _babel_locale() -> str:
    return _BABEL_LOCALES[language()]


def month_year(year: int, month: int) -> str:
    """``2022年9月`` / ``September 2022``."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=_babel_locale())


def month_name(month: int) -> str:
    """``9月`` / ``September``."""
    from babel.dates import format_date

    pattern = "M月" if language() == "zh" else "LLLL"  # zh's LLLL is 九月, not 9月
    return format_date(date(2000, int(month), 1), pattern, locale=_babel_locale())


def month_short(month: int) -> str:
    """``9月`` / ``Sep``: a month on a chart's axis."""
    from babel.dates import format_date

    pattern = "M月" if language() == "zh" else "LLL"
    return format_date(date(2000, int(month), 1), pattern, locale=_babel_locale())


def period(region: str | None, year: int, month: int) -> str:
    """``乐清市 2022年8月`` / ``乐清市 2022-08``: a document's period on one line."""
    text = _("{year}-{month:02d}").format(year=int(year), month=int(month))
    return f"{region} {text}" if region else text


def period_or_unknown(region: str | None, year: int | None, month: int | None) -> str:
    """A document's period, saying which part is unknown: ``2022年8月，地区不明`` when the
    region is missing, ``期间不明`` when the year or month is."""
    if not year or not month:
        return (
            _("period unknown")
            if region is None
            else _("{region}, period unknown").format(region=region)
        )
    said = period(region, year, month)
    return said if region else _("{period}, region unknown").format(period=said)


def nth_month(n: int) -> str:
    """``第3个月`` / ``3``: how many months in a row an item is behind, counting this one."""
    return pgettext("months in a row", "{n}").format(n=int(n))


def points(change: float) -> str:
    """``+5.4个百分点`` / ``+5.4 points``: a change of a percentage."""
    return _("{change} points").format(change=f"{change:+g}")
