"""Fault injection for the tests of time limits, crash safety and interrupts: the one place
the ``MINSHENG_FAULT_*`` variables are read, once per run, into its settings.

- ``MINSHENG_FAULT_HANG_PARSE=NAME``: the file called ``NAME`` never finishes parsing;
- ``MINSHENG_FAULT_PAUSE_BEFORE_COMMIT=S``: each load transaction is held open ``S`` seconds,
  after all its writes, before COMMIT;
- ``MINSHENG_FAULT_PAUSE_AFTER_COMMIT=S``: the same just after the COMMIT;
- ``MINSHENG_FAULT_RESUME_FILE=PATH``: a pause ends as soon as ``PATH`` exists, so that a test
  holds the load open exactly as long as it needs (another process waiting, a server gone)
  whatever the machine's load, and no longer.

A run without them (every real one) has ``NO_FAULTS``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from i18n import _

HANG_PARSE = "MINSHENG_FAULT_HANG_PARSE"
PAUSE_BEFORE_COMMIT = "MINSHENG_FAULT_PAUSE_BEFORE_COMMIT"
PAUSE_AFTER_COMMIT = "MINSHENG_FAULT_PAUSE_AFTER_COMMIT"
RESUME_FILE = "MINSHENG_FAULT_RESUME_FILE"


class FaultSettingError(ValueError):
    """A ``MINSHENG_FAULT_*`` variable that does not say what it should; the message names it."""


@dataclass(frozen=True)
class Faults:
    """The faults a run injects: the file name whose parse hangs, the seconds to pause before
    and after the load's COMMIT (0: none), the file whose appearance ends a pause."""

    hang_parse: str | None = None
    pause_before_commit: float = 0.0
    pause_after_commit: float = 0.0
    resume_file: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Faults:
        """The faults ``environ`` (the process's environment by default) asks for."""
        environ = os.environ if environ is None else environ
        return cls(
            hang_parse=environ.get(HANG_PARSE) or None,
            pause_before_commit=_seconds(environ, PAUSE_BEFORE_COMMIT),
            pause_after_commit=_seconds(environ, PAUSE_AFTER_COMMIT),
            resume_file=environ.get(RESUME_FILE) or None,
        )

    def hang_if_named(self, path: Path) -> None:
        """Never return when ``path`` is the file whose parse is to hang."""
        if self.hang_parse is not None and self.hang_parse == path.name:
            while True:
                time.sleep(1)

    def pause(self, when: str) -> Callable[[], None] | None:
        """What holds the load ``before`` or ``after`` its commit, saying so on stderr (the
        tests wait for that line); None without such a pause."""
        seconds = self.pause_before_commit if when == "before" else self.pause_after_commit
        if seconds <= 0:
            return None
        resume = None if self.resume_file is None else Path(self.resume_file)

        def pause() -> None:
            print(
                f"fault injection: pausing {seconds:g} s {when} commit", file=sys.stderr, flush=True
            )
            # In short sleeps: a signal the kernel hands to another of the process's threads
            # (DuckDB's, a timer) does not cut this thread's sleep short, and Python runs the
            # handler only when this thread wakes. One long sleep held a SIGTERM for minutes.
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                if resume is not None and resume.exists():
                    return
                time.sleep(min(left, 0.05))

        return pause


NO_FAULTS = Faults()


def _seconds(environ: Mapping[str, str], variable: str) -> float:
    value = environ.get(variable, "").strip()
    if not value:
        return 0.0
    try:
        return max(float(value), 0.0)
    except ValueError:
        raise FaultSettingError(
            _("{variable}={value!r} is not a number of seconds").format(
                variable=variable, value=value
            )
        ) from None
