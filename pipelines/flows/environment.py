"""Prefect settings that must be in the environment before ``import prefect``."""

from __future__ import annotations

import os

_DEFAULTS = {
    # The temporary API server's first start (database creation) is slow on a small machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
    # No network here: telemetry would only wait and fail.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def configure_prefect_environment(*, quiet: bool = False) -> None:
    """Set the defaults this project needs, leaving anything the user set alone.

    ``quiet`` is for the command line, which prints its own summary of every document:
    Prefect's log lines (and the temporary server's shutdown noise) would bury it.
    """
    for name, value in _DEFAULTS.items():
        os.environ.setdefault(name, value)
    if quiet:
        # A request to an API that went away is retried once, after 2 s, not for a minute:
        # the run goes on without it (``pipelines.flows.run_flow``).
        os.environ.setdefault("PREFECT_CLIENT_MAX_RETRIES", "1")
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        # Its background senders (events, logs) report each failed send at ERROR.
        os.environ.setdefault("PREFECT_INTERNAL_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
