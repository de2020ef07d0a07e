"""The Prefect API a command-line flow run records to: the configured one, or a temporary one.

Prefect would start its temporary server by itself inside the flow run, in this process's
group, where Ctrl-C kills it halfway through the run, and nothing stops it when this process
is killed. Started here instead, it runs in its own session, is stopped on every way out of
the run, and a watchdog stops it if this process dies without doing so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pipelines.execution.interrupts import on_forced_exit
from pipelines.execution.watchdog import start_watchdog, stop_watchdog, terminate


def _own_session_server() -> Any:
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class OwnSessionServer(SubprocessASGIServer):
        """Prefect's temporary server, started in a session of its own."""

        watchdogs: list[subprocess.Popen[bytes]]

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            import prefect

            process = subprocess.Popen(
                args=[
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--app-dir",
                    str(prefect.__module_path__.parent),
                    "--factory",
                    "prefect.server.api.server:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "error",
                    "--lifespan",
                    "on",
                ],
                env={
                    **os.environ,
                    "PREFECT_UI_ENABLED": "0",
                    "PREFECT__SERVER_EPHEMERAL": "1",
                    "PREFECT__SERVER_FINAL": "1",
                    **get_current_settings().to_environment_variables(exclude_unset=True),
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            # Watched from its first moment: the start itself takes seconds to minutes.
            self.watchdogs.append(start_watchdog([process.pid]))
            return process

    server = OwnSessionServer()
    server.watchdogs = []
    return server


@contextmanager
def prefect_api(chosen: str | None = None) -> Iterator[str]:
    """Yield the API URL flow runs inside this block record to: ``chosen`` (the one the
    command line found answering), else the configured one, else a server started here."""
    configured = chosen or os.environ.get("PREFECT_API_URL")
    if not configured and "prefect" in sys.modules:  # e.g. a test harness's own server
        from prefect.settings import get_current_settings

        configured = get_current_settings().api.url
    if configured:
        with recording_to(configured):
            yield configured
        return
    server = _own_session_server()

    def stop() -> None:
        process = server.server_process
        if process is not None:
            terminate([process.pid], grace_seconds=0.5)
        for watchdog in server.watchdogs:
            stop_watchdog(watchdog)

    with on_forced_exit(stop):
        try:
            server.start(
                timeout=int(
                    os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
                )
            )
            with recording_to(server.api_url):
                yield server.api_url
        finally:
            stop()
            server.server_process = None
            server.stop()


@contextmanager
def recording_to(api_url: str) -> Iterator[None]:
    """Flow runs inside this block record to ``api_url``: Prefect's settings in this process,
    and ``$PREFECT_API_URL``, put back after. Prefect needs the variable itself: the
    processes a run starts (a Dask cluster's workers) read their Prefect settings from the
    environment they inherit, not from this process's settings. The one place a command-line
    run sets it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings({PREFECT_API_URL: api_url}):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
