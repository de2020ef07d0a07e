"""The Prefect task runner for each way of parsing: threads, worker processes, Dask."""

from __future__ import annotations

import logging
from typing import Any

from pipelines.execution.parallelism import DEFAULT_THREADS, Parallelism


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
