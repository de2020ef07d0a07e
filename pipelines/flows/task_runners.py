"""The Prefect task runner for each way of parsing, and the API that Dask workers reach."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pipelines.core.parallelism import DEFAULT_THREADS, Parallelism


def make_task_runner(parallelism: Parallelism) -> Any:
    """The Prefect task runner for ``parallelism``."""
    if parallelism.mode == "processes":
        from prefect.task_runners import ThreadPoolTaskRunner

        # Threads that wait on the worker processes: two a worker keep every worker busy.
        return ThreadPoolTaskRunner(max_workers=2 * parallelism.worker_count())
    if parallelism.mode == "dask":
        from prefect_dask import DaskTaskRunner

        # The cluster's start-up and shutdown chatter is not for the terminal.
        logging.getLogger("distributed").setLevel(logging.WARNING)

        if parallelism.dask_address:
            return DaskTaskRunner(address=parallelism.dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": parallelism.worker_count(),
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,  # no web dashboard: nothing to look at in a run
            },
        )
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=parallelism.workers or DEFAULT_THREADS)


@contextmanager
def api_for_workers(parallelism: Parallelism) -> Iterator[None]:
    """Make sure parse workers in other processes reach this run's Prefect API.

    With no ``PREFECT_API_URL``, a flow run starts a temporary server inside this process
    only; a process or Dask worker would not know it and would start one of its own (about
    30 s each, measured). So start the temporary server first and publish its address in the
    environment the workers inherit.
    """
    if parallelism.mode != "dask":
        yield
        return
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(
        timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300"))
    )
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
