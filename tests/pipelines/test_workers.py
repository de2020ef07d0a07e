"""Worker processes that can be stopped one at a time: real processes, killed for real."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator

import pytest

from pipelines.execution.workers import KillablePool, TimedOut, WorkerDied
from tests.helpers import process_gone

pytestmark = pytest.mark.slow  # several real processes


def _pid_and_sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _crash(code: int) -> None:
    os._exit(code)


@pytest.fixture
def pool() -> Iterator[KillablePool]:
    pool = KillablePool(2, multiprocessing.get_context("spawn"))
    yield pool
    pool.shutdown(kill=True)


def test_a_task_past_its_time_loses_its_worker_and_the_others_go_on(pool: KillablePool) -> None:
    worker_pid = pool.submit(_pid_and_sleep, 0).result()
    slow = pool.submit(_pid_and_sleep, 600, timeout=1)
    quick = pool.submit(_pid_and_sleep, 0.5, timeout=60)
    with pytest.raises(TimedOut, match="still running after 1 s: stopped"):
        slow.result(timeout=120)
    assert quick.result(timeout=120) > 0
    # the stopped worker is gone; the pool starts another for what comes next
    assert all(process_gone(pid) for pid in {worker_pid, quick.result()} - set(pool.pids()))
    after = pool.submit(_pid_and_sleep, 0, timeout=60).result(timeout=120)
    assert after in pool.pids()


def test_the_time_counts_from_the_start_of_the_task_not_of_the_worker(
    pool: KillablePool,
) -> None:
    # a fresh worker spends a second or more importing; the 1.5 s are the task's own
    assert pool.submit(_pid_and_sleep, 0.2, timeout=1.5).result(timeout=120) > 0


def test_a_worker_that_dies_fails_only_its_own_task(pool: KillablePool) -> None:
    crashed = pool.submit(_crash, 3)
    fine = pool.submit(_pid_and_sleep, 0)
    with pytest.raises(WorkerDied, match="exit code 3"):
        crashed.result(timeout=120)
    assert fine.result(timeout=120) > 0


def test_map_keeps_the_order_and_shutdown_waits_for_the_work(pool: KillablePool) -> None:
    pids = list(pool.map(_pid_and_sleep, [0.3, 0, 0.1]))
    assert len(pids) == 3 and set(pids) <= set(pool.pids())
    before = pool.pids()
    pool.shutdown()
    assert all(process_gone(pid) for pid in before)
