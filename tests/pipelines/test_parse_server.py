"""Parse workers forked from the warm server: the readers already imported, no Prefect, the
parent's environment. Real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.execution.parallelism import (
    Parallelism,
    in_worker,
    map_in_order,
    parse_weight,
    start_parse_server,
    worker_processes,
)
from pipelines.execution.preload import readers_to_preload
from pipelines.execution.workers import KillablePool, warm_server
from tests.helpers import process_gone

pytestmark = pytest.mark.slow  # real processes

ROOT = Path(__file__).resolve().parents[2]


def what_a_worker_holds() -> dict[str, Any]:
    """Run in a worker: what it imported before its first task, and where it came from."""
    main = sys.modules["__main__"]
    return {
        "pid": os.getpid(),
        "parent": os.getppid(),
        "prefect": sorted(name for name in sys.modules if name.split(".")[0] == "prefect"),
        "readers": all(
            name in sys.modules
            for name in (
                "pandas",
                "pandera",
                "parsers.formats.docx",
                "parsers.formats.pdf",
                "pdfplumber",
            )
        ),
        # registered by the server's validation of an empty frame, not at a first document
        "pandera_backends": "pandera.backends.pandas.register" in sys.modules,
        "pdfplumber": "pdfplumber" in sys.modules,
        "openpyxl": "openpyxl" in sys.modules,
        "main_file": getattr(main, "__file__", None),
        "setting": os.environ.get("MINSHENG_TEST_WARM_SETTING"),
    }


@pytest.fixture
def pool() -> Iterator[KillablePool]:
    with warm_server(readers_to_preload(["a.docx", "a.pdf"])) as context:
        pool = KillablePool(2, context)
        yield pool
        pool.shutdown(kill=True)


def test_workers_are_forks_of_one_server_that_imported_the_readers(pool: KillablePool) -> None:
    futures = [pool.submit(what_a_worker_holds) for _ in range(2)]
    first, second = (future.result(timeout=300) for future in futures)
    assert first["readers"] and second["readers"]
    assert first["pandera_backends"] and second["pandera_backends"]
    # both forked by the same server process, not by this one
    assert first["parent"] == second["parent"] != os.getpid()


def test_a_worker_has_the_environment_of_its_parent_when_it_started(
    pool: KillablePool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the server was started before the setting (by the fixture): a plain fork would miss it
    monkeypatch.setenv("MINSHENG_TEST_WARM_SETTING", "42")
    assert pool.submit(what_a_worker_holds).result(timeout=300)["setting"] == "42"


def test_a_worker_under_a_main_module_that_imports_prefect_imports_no_prefect() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.pipelines.prefect_main"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    held = json.loads(done.stdout.strip().splitlines()[-1])
    assert held["readers"]
    assert held["prefect"] == []
    assert held["main_file"] != str(ROOT / "tests" / "pipelines" / "prefect_main.py")


def test_the_server_ends_with_the_run_that_started_its_workers() -> None:
    # A backfill's load and report come after the parse: the server's memory is not kept.
    documents = ["a.docx", "b.pdf"]
    with worker_processes(Parallelism(mode="processes", workers=1), documents):
        server = in_worker(what_a_worker_holds)["parent"]
        assert not process_gone(server)
    assert process_gone(server)
    # the next run's workers come from a new server
    with worker_processes(Parallelism(mode="processes", workers=1), documents):
        held = in_worker(what_a_worker_holds)
    assert held["readers"] and held["parent"] != server


def test_a_server_started_before_the_run_is_the_one_its_workers_come_from() -> None:
    # The command starts it before importing the run's modules, which then import beside it.
    from multiprocessing import forkserver

    documents = ["a.docx", "b.pdf"]
    processes = Parallelism(mode="processes", workers=1)
    before = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    start_parse_server(Parallelism(mode="threads"), documents)  # threads need none
    assert forkserver._forkserver._forkserver_pid == before  # type: ignore[attr-defined]
    start_parse_server(processes, documents)
    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None and not process_gone(server)
    start_parse_server(processes, documents)  # asked again (once the scans are counted)
    assert forkserver._forkserver._forkserver_pid == server  # type: ignore[attr-defined]
    with worker_processes(processes, documents):
        held = in_worker(what_a_worker_holds)
    assert held["parent"] == server and held["readers"]
    assert process_gone(server)


def test_a_run_that_ends_leaves_the_server_to_a_pool_still_using_it() -> None:
    # Stopping it would wait for that pool's workers, which wait for their next task.
    documents = ["a.docx", "b.pdf"]
    with warm_server(readers_to_preload(documents)) as context:
        other = KillablePool(1, context)
        try:
            server = other.submit(what_a_worker_holds).result(timeout=300)["parent"]
            with worker_processes(Parallelism(mode="processes", workers=1), documents):
                assert in_worker(what_a_worker_holds)["parent"] == server
            assert not process_gone(server)
            assert other.submit(what_a_worker_holds).result(timeout=300)["parent"] == server
        finally:
            other.shutdown(kill=True)


def test_the_server_imports_the_readers_of_the_run_s_formats_only(tmp_path: Path) -> None:
    # openpyxl alone is 13 MB in the server; a run of text, Word and PDF files never uses it
    inbox = tmp_path / "in"
    (inbox / "2022").mkdir(parents=True)
    for name in ("2022/a.txt", "b.docx", "c.pdf"):
        (inbox / name).touch()
    with worker_processes(Parallelism(mode="processes", workers=1), [inbox]):
        held = in_worker(what_a_worker_holds)
    assert held["readers"] and not held["openpyxl"]
    with worker_processes(Parallelism(mode="processes", workers=1), [inbox / "c.pdf", "d.xlsx"]):
        held = in_worker(what_a_worker_holds)
    assert held["pdfplumber"] and held["openpyxl"]


def test_the_workers_start_the_heaviest_documents_first_and_results_stay_in_order() -> None:
    # A backfill whose last task was a PDF ended with one worker idle while the other parsed
    # it. One worker here: the tasks run one after the other in the order they were handed
    # out, and each returns when it started.
    mixed = ROOT / "tests" / "fixtures" / "months" / "mixed"
    paths = sorted(mixed.iterdir(), reverse=True)  # the PDF last, the larger text file after
    assert [p.suffix for p in paths] == [".txt", ".txt", ".docx", ".pdf"]
    done: list[int] = []
    with worker_processes(Parallelism(mode="processes", workers=1), paths):
        started = map_in_order(
            time.monotonic,
            [() for _ in paths],
            done.append,
            weight=lambda i: parse_weight(paths[i]),
        )
    by_start = [paths[i] for i in sorted(range(len(paths)), key=started.__getitem__)]
    pdfs = [p for p in by_start if p.suffix == ".pdf"]
    assert by_start[: len(pdfs)] == pdfs
    rest = by_start[len(pdfs) :]
    assert [p.stat().st_size for p in rest] == sorted(
        (p.stat().st_size for p in rest), reverse=True
    )
    assert sorted(done) == list(range(len(paths)))  # each told done once
