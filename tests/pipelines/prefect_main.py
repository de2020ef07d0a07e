"""A program whose main module imports Prefect, as a served or deployed flow run's does:
``python -m tests.pipelines.prefect_main`` prints what its warm parse worker holds (JSON).

A worker that ran its parent's ``__main__`` again would import this module, and so Prefect.
"""

from __future__ import annotations

import json

import prefect  # noqa: F401  (the point: this main module imports Prefect)

from pipelines.execution.preload import readers_to_preload
from pipelines.execution.workers import KillablePool, warm_server
from tests.pipelines.test_parse_server import what_a_worker_holds

if __name__ == "__main__":
    with warm_server(readers_to_preload(["a.docx", "a.pdf"])) as context:
        pool = KillablePool(1, context)
        try:
            print(json.dumps(pool.submit(what_a_worker_holds).result(timeout=300)))
        finally:
            pool.shutdown()
