"""Worker processes that parse one document each: one past its time is killed, the rest go on."""

from __future__ import annotations

import math
import os
import time

import pytest

from pipelines.core.parallelism import WorkerPool, WorkerTimeout


def test_a_call_past_its_time_is_killed_and_the_pool_goes_on() -> None:
    pool = WorkerPool(1)
    try:
        first = pool.call(os.getpid, timeout=60)
        with pytest.raises(WorkerTimeout, match="stopped after 1 s"):
            pool.call(time.sleep, 600, timeout=1)
        second = pool.call(os.getpid, timeout=60)
        assert second != first  # the stuck worker was replaced
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)
        assert pool.call(math.factorial, 5, timeout=60) == 120
    finally:
        pool.close()


def test_an_exception_in_the_worker_comes_back() -> None:
    pool = WorkerPool(1)
    try:
        with pytest.raises(ValueError, match="math domain error"):
            pool.call(math.sqrt, -1, timeout=60)
        assert pool.call(math.sqrt, 4, timeout=60) == 2.0
    finally:
        pool.close()
