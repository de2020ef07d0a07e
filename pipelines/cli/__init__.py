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
    """Console-script entry point: no traceback reaches the user unless MINSHENG_DEBUG is set,
    not even for a Ctrl-C while the program is still starting."""
    from pipelines.execution.startup import lean_start

    lean_start()
    try:
        # serve leaves Ctrl-C to Prefect's runner, which stops its served runs itself; web to
        # uvicorn, which finishes the requests under way
        if not {"serve", "web"} & set(sys.argv[1:2]):
            _signals_outside_the_run()
        _main()
    except KeyboardInterrupt:  # before the commands could take over: nothing was done
        os.write(2, b"interrupted: nothing was loaded\n")
        os._exit(130)
    except BaseException as exc:
        from pipelines.execution.interrupts import Interrupted

        if not isinstance(exc, Interrupted):
            raise
        # A signal while the commands are still being imported (start-up): the same one
        # line as at any other moment, never a traceback.
        os.write(2, (exc.message() + "\n").encode())
        os._exit(exc.exit_code)


def _signals_outside_the_run() -> None:
    """Ctrl-C and SIGTERM before and after a run's own handling (start-up, printing, exit)
    raise ``Interrupted`` too, so that the last line says whether anything was loaded."""
    import signal
    from types import FrameType

    from pipelines.execution.interrupts import (
        Interrupted,
        raise_when_safe,
        redeliver_swallowed_interrupts,
    )

    redeliver_swallowed_interrupts()

    def outside(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise_when_safe(Interrupted(signum), frame)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, outside)


def _quiet_exit_on_signals(code: int) -> None:
    """The run has said everything and the process is going down: a signal now only ends
    it sooner, with the run's own status."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: os._exit(code))


def _leave_without_teardown(code: int) -> None:
    """The command is done and has closed what it wrote (connections, reports, archives): run
    the exit handlers (logging's, temporary folders', multiprocessing's), then leave without
    the interpreter freeing the objects of pandas, pandera and the readers one by one, which
    was 50-100 ms of every command. Only when the main thread is the last one (a thread still
    running is waited for as usual) and the output could be flushed; otherwise Python exits
    the usual way."""
    import atexit
    import threading

    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: Python's own exit says so, as before
        return
    os._exit(code)


def _main() -> None:
    from i18n import LanguageError, choose_language, use_language

    try:
        use_language(choose_language(language_option(sys.argv[1:])), export=True)
    except LanguageError:
        pass  # typer rejects the value with a usage error (exit 2); messages stay English
    from pipelines.cli.commands import err
    from pipelines.execution.interrupts import (
        Interrupted,
        announce,
        interrupt_exit_code,
        interrupt_message,
        pending_interrupt,
    )
    from pipelines.render.terminal import for_terminal

    app: typer.Typer = __getattr__("app")
    try:
        app()
    except SystemExit as done:
        from pipelines.cli import run_commands

        code = 0 if done.code is None else done.code if isinstance(done.code, int) else 1
        if run_commands.leave_without_prefect_cleanup:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _quiet_exit_on_signals(code)
        if not isinstance(done.code, str):  # a message is Python's to print, on its way out
            _leave_without_teardown(code)
        raise
    except Interrupted as exc:
        # The run has unwound (transaction rolled back, children stopped): leave now, without
        # the seconds Prefect's exit handlers would spend flushing to a server being stopped.
        _leave(exc.message(), exc.exit_code, announce)
    except KeyboardInterrupt:  # Ctrl-C outside a run's own handling (start-up, printing)
        _leave(interrupt_message(), interrupt_exit_code(2), announce)
    except Exception as exc:  # a bug, not bad input: say so in one line
        pending = pending_interrupt()
        if pending is not None:  # a library turned the interrupt into an error of its own
            _leave(pending.message(), pending.exit_code, announce)
        if os.environ.get("MINSHENG_DEBUG"):
            raise
        from i18n import _

        failure = _("unexpected failure: {kind}: {problem}").format(
            kind=type(exc).__name__, problem=for_terminal(str(exc))
        )
        hint = _("run again with MINSHENG_DEBUG=1 to see where it happened")
        said = _("error:")  # outside the f-string, where the extractor sees it
        err.print(f"[red]{said}[/red] {failure}\n{hint}")
        sys.exit(1)


def _leave(message: str, code: int, announce: Any) -> None:
    announce(message)
    sys.stdout.flush()
    os._exit(code)
