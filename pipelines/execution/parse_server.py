"""The server process that a run's parse workers are forked from, warm.

A spawned worker starts a new interpreter and imports pandas, pandera and the readers again
(about a second of CPU each), and first runs the parent's ``__main__`` once more: under a
served or deployed flow run that is Prefect's (about two seconds more). Instead a run starts
one multiprocessing fork server that has imported the checks and the readers of the run's
formats (``pipelines.execution.preload``), and each worker is a fork of it, ready in milliseconds.
The server is started from a fresh interpreter and has no threads, so forking it is safe
(forking the run itself would copy Prefect's threads and their locks).

Only that server imports this module (``pipelines.execution.workers.warm_server`` names it,
then the readers): on import it changes how this process prepares the workers it forks.
"""

from __future__ import annotations

import importlib
import os
import signal
from collections.abc import Mapping
from multiprocessing import spawn
from typing import Any

from pipelines.execution.preload import CORE
from pipelines.execution.startup import lean_start, settle
from schemas.progress import register_backends

_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")


def _prepare_without_main(data: Mapping[str, Any]) -> None:
    """Prepare a forked worker as multiprocessing does, minus running the parent's
    ``__main__`` again: tasks are functions of importable modules, and a served run's main
    module is Prefect's."""
    _prepare({key: value for key, value in data.items() if key not in _MAIN_KEYS})


def _preload() -> None:
    # The run stops its server and workers itself; the server was started with SIGINT
    # blocked (``warm_server``), so one sent meanwhile is dropped here, not raised.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    lean_start()  # the server is a fresh interpreter: the command's start-up settings too
    for name in CORE:
        importlib.import_module(name)
    register_backends()
    # The readers come next (multiprocessing imports them after this module); what the
    # server imported is frozen before its first fork, so the workers share it.
    os.register_at_fork(before=settle)


_prepare = spawn.prepare
# Every worker forked from the server prepares itself through ``spawn.prepare``.
spawn.prepare = _prepare_without_main
_preload()
