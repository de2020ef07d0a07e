"""Finding a Prefect API server, or starting one, without importing Prefect.

Schedules need a real server: the temporary one a plain flow run starts cannot schedule.
This module only speaks HTTP and starts ``prefect server start`` as a child process, so the
environment (``PREFECT_API_URL``) can be set before Prefect is imported.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from i18n import _

DEFAULT_PORT = 4200


class ServerError(RuntimeError):
    """No Prefect server could be found or started; the message says what to do."""


@dataclass
class ApiServer:
    """A Prefect API: where it is, and the child process if this program started it."""

    api_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    how: str = field(default="found")  # "found" (already running) or "started"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server if this program started it; a found one is left running."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: How long a configured Prefect API may take to answer its health check: a busy server
#: answers slowly (beside a CPU-bound process, over 5 s now and then), and one taken for gone
#: leaves the run unrecorded. One that is not there at all refuses at once.
CONFIGURED_API_SECONDS = 15.0


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when ``<api_url>/health`` answers ``true``."""
    import urllib.error  # here: a run without Prefect never asks (10 ms of start-up)
    import urllib.request

    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as reply:
            return reply.status == 200 and reply.read().strip() == b"true"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) != 0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int | None = None,
    *,
    host: str = "127.0.0.1",
    log_path: Path | None = None,
    wait_seconds: float = 240.0,
) -> ApiServer:
    """Start ``prefect server start`` on ``host:port`` and wait until it answers.

    Its first start creates the server's database and takes about half a minute on a small
    machine. The output goes to ``log_path`` (kept for when it does not come up).
    """
    port = port or free_port(host)
    api_url = f"http://{host}:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)  # the server must not try to reach another one
    # Its UI asks the browser to call this API; unset, it would call port 4200's.
    env["PREFECT_UI_API_URL"] = api_url
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb") if log_path is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                host,
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            # Its own session: Ctrl-C in the terminal reaches only the caller, which pauses its
            # deployments through this server before stopping it.
            start_new_session=True,
        )
    finally:
        if not isinstance(log, int):  # a file we opened, not DEVNULL
            log.close()
    server = ApiServer(api_url, process, log_path, how="started")
    deadline = time.monotonic() + wait_seconds
    while not is_healthy(api_url):
        if process.poll() is not None:
            raise ServerError(
                (
                    _("prefect server start exited with status {status}; see {log}")
                    if log_path
                    else _("prefect server start exited with status {status}")
                ).format(status=process.returncode, log=log_path)
            )
        if time.monotonic() > deadline:
            server.stop()
            raise ServerError(
                _(
                    "the Prefect server on {api_url} did not answer within {wait_seconds:.0f} s"
                ).format(api_url=api_url, wait_seconds=wait_seconds)
                + (f"; see {log_path}" if log_path else "")
            )
        time.sleep(1.0)
    return server


def find_or_start_server(*, log_path: Path | None = None, port: int | None = None) -> ApiServer:
    """The configured API (``$PREFECT_API_URL`` or the active profile's; it must answer), else
    a new server started here: on port 4200 when that is free, else on a free port.

    A server that merely answers on 4200 is not joined: it may be another user's.
    """
    configured = configured_api()
    if configured is not None:
        if not is_healthy(configured.url, timeout=CONFIGURED_API_SECONDS):
            raise ServerError(
                (
                    _(
                        "PREFECT_API_URL={configured} does not answer; start that server (prefect "
                        "server start) or unset PREFECT_API_URL to have one started"
                    )
                    if configured.source == "environment"
                    else _(
                        "the Prefect profile {profile} names the API {configured}, which does not "
                        "answer; start that server or choose another profile (prefect profile use)"
                    )
                ).format(configured=configured.url, profile=configured.profile)
            )
        return ApiServer(configured.url)
    if port is None:
        port = DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()
    return start_server(port, log_path=log_path)


@dataclass(frozen=True)
class ConfiguredApi:
    """The Prefect API the user chose, and where the choice was made (said on the first line)."""

    url: str
    source: str  # "environment" ($PREFECT_API_URL) or "profile"
    profile: str | None = None


def configured_api(environ: Mapping[str, str] | None = None) -> ConfiguredApi | None:
    """``$PREFECT_API_URL``, else the API the active Prefect profile names, else None.

    Only an explicit choice counts: a server that happens to answer on 127.0.0.1:4200 may be
    anybody's on a shared machine, and recording there would hand it every run (and its file
    paths). Profiles are read as Prefect reads them (its built-in ones, then
    ``$PREFECT_PROFILES_PATH`` or ``$PREFECT_HOME/profiles.toml``, the one ``$PREFECT_PROFILE``
    or ``active`` names), without importing Prefect, which takes seconds.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("PREFECT_API_URL", "").strip()
    if url:
        return ConfiguredApi(url, "environment")
    defaults = _profiles_file(_builtin_profiles_path())
    home = Path(environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    user = _profiles_file(Path(environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml"))
    active = environ.get("PREFECT_PROFILE") or user.get("active") or defaults.get("active")
    if not isinstance(active, str):
        return None
    settings = {
        **(defaults.get("profiles") or {}).get(active, {}),
        **(user.get("profiles") or {}).get(active, {}),
    }
    url = str(settings.get("PREFECT_API_URL") or "").strip()
    return ConfiguredApi(url, "profile", active) if url else None


def _builtin_profiles_path() -> Path | None:
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "settings" / "profiles.toml"


def _profiles_file(path: Path | None) -> dict[str, Any]:
    """A profiles file's contents; a missing or unreadable one has none (as Prefect treats a
    missing one; an unreadable one Prefect itself reports when it starts)."""
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
