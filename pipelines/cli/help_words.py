"""typer's own words (``Usage:``, ``[OPTIONS]``, ``Show this message and exit.``, the value
types and the usage errors) in the reader's language.

typer 0.29 carries its own copy of click, whose strings are written in English with no
catalog to hook. The command classes here put them through ``i18n._`` instead: the usage line
and the help option are formatted by methods of the command, the value types by a method of
each parameter, and a usage error is raised while the command line is parsed
(``make_context``), where it is caught and raised again in words (``usage_error_text``).
typer's panel titles are set in words only when a help page or an error is about to be
printed (``typer_in_this_language``): its ``rich_utils`` imports most of rich (markdown,
syntax, tracebacks), which a run that prints neither has no use for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from typer.core import TyperCommand, TyperGroup

from i18n import _

# The value a parameter takes, as typer labels it (``<int>``), in words; a flag takes none.
_TYPES = {
    "<bool>": None,
    "<str>": "<text>",
    "<list[str]>": "<text>",
    "<int>": "<integer>",
    "<float>": "<number>",
    "<path>": "<path>",
    "<file>": "<path>",
    "<directory>": "<path>",
}

_TYPE_WORDS = {
    "<text>": lambda: _("<text>"),
    "<integer>": lambda: _("<integer>"),
    "<number>": lambda: _("<number>"),
    "<path>": lambda: _("<path>"),
}


def type_text(shown: str | None) -> str | None:
    """typer's ``<int>`` as ``<整数>``/``<integer>``; choices (``<zh|en>``) as they are."""
    if shown is None or shown not in _TYPES:
        return shown
    word = _TYPES[shown]
    return None if word is None else _TYPE_WORDS[word]()


def _problem_text(problem: str) -> str:
    """What typer (through pydantic) says of a value that does not convert, in words."""
    choice = re.fullmatch(
        r"(?:Value error, )?'(?P<value>.*)' is not one of (?P<choices>.*?)\.?", problem
    )
    if choice:
        return _("{value} is not one of {choices}").format(
            value=repr(choice["value"]), choices=choice["choices"]
        )
    if problem.startswith("Input should be a valid integer"):
        return _("not a whole number")
    if problem.startswith("Input should be a valid number"):
        return _("not a number")
    if problem.startswith("Input should be a valid boolean"):
        return _("neither true nor false")
    return problem


# click's usage errors as written in its code, each with what it says in words.
_ERRORS: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = (
    (
        re.compile(r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)"),
        lambda m: _("No such option: {name} (did you mean {options}?)").format(
            name=m["name"], options=m["options"]
        ),
    ),
    (
        re.compile(r"No such option: (?P<name>\S+)"),
        lambda m: _("No such option: {name}").format(name=m["name"]),
    ),
    (
        re.compile(r"Missing argument (?P<name>'.*?')\.(?s:.*)"),
        lambda m: _("Missing argument {name}.").format(name=m["name"]),
    ),
    (
        re.compile(r"Missing option (?P<name>'.*?')\.(?s:.*)"),
        lambda m: _("Missing option {name}.").format(name=m["name"]),
    ),
    (
        re.compile(r"Invalid value for (?P<name>'.*?'): (?P<problem>(?s:.*))"),
        lambda m: _("Invalid value for {name}: {problem}").format(
            name=m["name"], problem=_problem_text(m["problem"])
        ),
    ),
    (
        re.compile(r"Option (?P<name>'.*?') requires an argument\."),
        lambda m: _("Option {name} needs a value.").format(name=m["name"]),
    ),
    (
        re.compile(r"Option (?P<name>'.*?') requires (?P<n>\d+) arguments\."),
        lambda m: _("Option {name} needs {n} values.").format(name=m["name"], n=m["n"]),
    ),
    (
        re.compile(r"Option (?P<name>'.*?') does not take a value\."),
        lambda m: _("Option {name} takes no value.").format(name=m["name"]),
    ),
    (
        re.compile(r"No such command (?P<name>'.*?')\."),
        lambda m: _("No such command {name}.").format(name=m["name"]),
    ),
    (re.compile(r"Missing command\."), lambda m: _("Missing command.")),
    (
        re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)"),
        lambda m: _("Unexpected extra arguments: {args}").format(args=m["args"]),
    ),
)


def usage_error_text(message: str) -> str:
    """A usage error's message in words; one not known here as it is."""
    for pattern, said in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return said(match)
    return message


def typer_in_this_language() -> None:
    """typer's panel titles and markers on help pages and usage errors in this language:
    typer reads them from module constants when it prints. (The click typer carries inside
    it writes "Usage:" and its usage errors in English, with no catalog to hook.)"""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")


def _with_type_words(param: Any) -> None:
    shown = param.display_type_rich

    def display_type_rich(ctx: Any) -> str | None:
        return type_text(shown(ctx=ctx))

    param.display_type_rich = display_type_rich


class _InWords:
    """What both command classes change: the usage line, the help option, the value types
    and usage errors."""

    params: list[Any]

    def _words_for_params(self) -> None:
        from rich.markup import escape

        for param in self.params:
            _with_type_words(param)
            # typer reads help texts as rich markup: "[default: …]" would vanish as a tag
            if getattr(param, "help", None):
                param.help = escape(param.help)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None and not getattr(option, "_in_words", False):
            option.help = _("Show this message and exit.")
            _with_type_words(option)
            option._in_words = True
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        typer_in_this_language()
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except NoArgsIsHelpError:
            typer_in_this_language()
            raise
        except UsageError as exc:
            typer_in_this_language()
            again = UsageError(usage_error_text(exc.format_message()), exc.ctx)
            again.exit_code = exc.exit_code
            raise again from None

    def invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import ClickException
        from typer.exceptions import Abort

        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except (ClickException, Abort, EOFError):  # typer prints these through rich_utils
            typer_in_this_language()
            raise


class CommandInWords(_InWords, TyperCommand):
    """A ``minsheng`` command whose help and usage errors are in the reader's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = _("[OPTIONS]")
        self._words_for_params()


class GroupInWords(_InWords, TyperGroup):
    """The ``minsheng`` command itself, in the reader's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = _("[OPTIONS]")
        self.subcommand_metavar = _("COMMAND [ARGS]...")
        self._words_for_params()
