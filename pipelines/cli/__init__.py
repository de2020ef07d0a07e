"""The ``minsheng`` command and what it prints on the terminal.

``main`` chooses the language (``--lang``, ``$MINSHENG_LANG``, the locale) before the commands
module is imported, because typer reads the help texts when the commands are defined.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from pipelines.cli.commands import app

        return app
    raise AttributeError(name)


def language_option(argv: list[str]) -> str | None:
    """The value of ``--lang`` in a command line, if there is one."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main() -> None:
    """Console-script entry point: no traceback reaches the user unless MINSHENG_DEBUG is set."""
    from i18n import LanguageError, _, choose_language, use_language

    try:
        use_language(choose_language(language_option(sys.argv[1:])), export=True)
    except LanguageError:
        pass  # typer rejects the value with a usage error (exit 2); messages stay English
    from pipelines.cli.commands import err
    from pipelines.cli.terminal import for_terminal
    from pipelines.core.interrupts import NOTHING_LOADED, Interrupted, announce

    app: typer.Typer = __getattr__("app")
    try:
        app()
    except SystemExit as done:
        from pipelines.cli import commands

        if commands.leave_without_prefect_cleanup:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code if isinstance(done.code, int) else 1)
        raise
    except Interrupted as exc:
        # The run has unwound (transaction rolled back, children stopped): leave now, without
        # the seconds Prefect's exit handlers would spend flushing to a server being stopped.
        announce(exc.message())
        sys.stdout.flush()
        os._exit(exc.exit_code)
    except KeyboardInterrupt:
        announce(_(NOTHING_LOADED))
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so in one line
        if os.environ.get("MINSHENG_DEBUG"):
            raise
        failure = _("unexpected failure: {kind}: {problem}").format(
            kind=type(exc).__name__, problem=for_terminal(str(exc))
        )
        hint = _("run again with MINSHENG_DEBUG=1 to see where it happened")
        said = _("error:")  # outside the f-string, where the extractor sees it
        err.print(f"[red]{said}[/red] {failure}\n{hint}")
        sys.exit(1)
