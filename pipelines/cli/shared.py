"""What every ``minsheng`` command shares: the typer app, the consoles, the common options,
the language choice and the one-line failure.

Every text here is in the language ``pipelines.cli.main`` chose before importing this module
(the help texts are read at import); each command chooses again from ``--lang``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from i18n import _, choose_language, use_language
from limits import DEFAULTS
from parsers.formats.registry import suffix_lists
from pipelines.cli.help_words import GroupInWords
from pipelines.core.settings import DEFAULT_DB
from pipelines.render.terminal import for_terminal

F = TypeVar("F", bound=Callable[..., object])

app = typer.Typer(
    name="minsheng",
    cls=GroupInWords,
    help=_("Monthly progress reports of livelihood projects (民生实事) into DuckDB."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PathsArg = Annotated[
    list[str],
    typer.Argument(
        help=_(
            "Report files, folders, or web pages (https://…): {direct}; scans ({scans}); "
            "{legacy} with LibreOffice; .url files."
        ).format(**dict(zip(("direct", "scans", "legacy"), suffix_lists(), strict=True))),
        metavar=_("PATH"),
        show_default=False,
    ),
]
FetchTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--fetch-timeout",
        help=_("Seconds to wait for a web page [default: {seconds}]").format(
            seconds=f"{DEFAULTS.fetch.timeout_s:g}"
        ),
        show_default=False,
    ),
]
DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=_("DuckDB file [default: $MINSHENG_DB or {default}]").format(default=DEFAULT_DB),
        show_default=False,
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help=_("Region, e.g. 乐清市, when the document does not say.")),
]
YearOpt = Annotated[
    int | None, typer.Option("--year", help=_("Year, when neither title nor file name says."))
]
MonthOpt = Annotated[
    int | None,
    typer.Option("--month", help=_("Month 1–12, when neither title nor file name says.")),
]
LayoutsOpt = Annotated[
    Path | None,
    typer.Option(
        "--layouts",
        help=_(
            "A layouts.toml adding header words to the built-in table layouts [default: "
            "layouts.toml beside the database, if there is one]"
        ),
        show_default=False,
    ),
]
ReportsOpt = Annotated[
    Path | None,
    typer.Option(
        "--reports-dir",
        help=_("Where validation reports go [default: data/reports]"),
        show_default=False,
    ),
]


class Language(StrEnum):
    zh = "zh"
    en = "en"


LangOpt = Annotated[
    Language | None,
    typer.Option(
        "--lang",
        help=_(
            "Language of messages and reports: zh (简体中文) or en [default: $MINSHENG_LANG, else "
            "the locale, else en]"
        ),
        show_default=False,
    ),
]


def speak(lang: Language | None) -> None:
    """Speak the chosen language in this run and in the processes it starts."""
    from i18n import LanguageError

    try:
        use_language(choose_language(lang.value if lang else None), export=True)
    except LanguageError as exc:
        fail(str(exc), 2)


def described(help_text: str) -> Callable[[F], F]:
    """A command with ``help_text`` (in the chosen language) as its docstring, the help typer
    shows for it."""

    def give(command: F) -> F:
        command.__doc__ = help_text
        return command

    return give


def fail_word() -> str:
    """``error:`` before a one-line failure (not inside an f-string: the extractor skips those)."""
    return _("error:")


def fail(message: str, code: int) -> None:
    err.print(f"[red]{fail_word()}[/red] {for_terminal(message)}", markup=True, highlight=False)
    raise typer.Exit(code)
