"""The backfill curve: ``minsheng ingest`` of 30, 60 and 120 mixed reports, as a user runs it.

    python -m bench.curve [--sizes 30 60 120] [--modes threads processes] [--repeat 1]

Each backfill is a fresh ``python -m pipelines ingest FOLDER`` (no Prefect API, so the run is
in-process; ``--workers 2``) into a new warehouse, on the first N reports of the bench corpus
(``bench.corpus``: a third each .txt, .docx and PDF). While it runs, the process and every
process it starts (the fork server, the parse workers) are sampled every 50 ms: the CPU each
has used (user + system) and the memory of the whole tree as PSS, so that pages the forked
workers share with their server count once. Printed per run: wall time, CPU per document,
the peak of the tree's memory and of its largest process.

The processes run with bytecode caches, as an installed product does (see ``bench.desk``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.corpus import build_corpus

SIZES = (30, 60, 120)
MODES = ("threads", "processes")
SAMPLE_SECONDS = 0.05
#: Goals of the issue: the peak of a 120-document backfill, and CPU a document that stays flat.
PEAK_GOAL_MB = 250
PROCESSES_GOAL = 1.7


@dataclass(frozen=True)
class Backfill:
    documents: int
    mode: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    largest_mb: float
    processes: int

    @property
    def cpu_per_document_ms(self) -> float:
        return self.cpu_seconds / self.documents * 1000


def _memory_mb(process: psutil.Process) -> float:
    try:
        info = process.memory_full_info()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return 0.0
    return float(getattr(info, "pss", info.rss)) / 2**20


def run_backfill(folder: Path, mode: str, work: Path, workers: int = 2) -> Backfill:
    """One ``minsheng ingest`` of ``folder`` in a fresh process tree, sampled as it runs."""
    documents = sum(1 for p in folder.iterdir() if p.is_file())
    db = work / f"{mode}-{documents}-{time.monotonic_ns()}.duckdb"
    env = {**os.environ, "MINSHENG_LANG": "en"}
    for name in ("PREFECT_API_URL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "pipelines",
        "ingest",
        str(folder),
        "--db",
        str(db),
        "--reports-dir",
        str(work / "reports"),
        "--parallel",
        mode,
        "--workers",
        str(workers),
    ]
    cpu: dict[int, float] = {}
    peak = largest = 0.0
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0.0
        for process in tree:
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            cpu[process.pid] = max(cpu.get(process.pid, 0.0), times.user + times.system)
            memory = _memory_mb(process)
            total += memory
            largest = max(largest, memory)
        peak = max(peak, total)
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    _out, err = child.communicate()
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}): {err.decode()}")
    return Backfill(documents, mode, seconds, sum(cpu.values()), peak, largest, len(cpu))


def backfill_curve(
    corpus: Path,
    sizes: tuple[int, ...] = SIZES,
    modes: tuple[str, ...] = MODES,
    repeat: int = 1,
    say: Callable[[str], None] = print,
) -> dict[tuple[int, str], Backfill]:
    """The median run (by wall time) of each size and mode, printed as it is measured."""
    docs = build_corpus(corpus, max(sizes))
    found: dict[tuple[int, str], Backfill] = {}
    with tempfile.TemporaryDirectory(prefix="minsheng-curve-") as tmp:
        work = Path(tmp)
        for size in sizes:
            folder = work / f"in-{size}"
            folder.mkdir()
            for doc in docs[:size]:
                shutil.copy2(doc.path, folder / doc.path.name)
            formats = {
                fmt: sum(d.fmt == fmt for d in docs[:size]) for fmt in ("txt", "docx", "pdf")
            }
            for mode in modes:
                runs = sorted(
                    (run_backfill(folder, mode, work) for _ in range(repeat)),
                    key=lambda r: r.seconds,
                )
                median = runs[len(runs) // 2]
                found[size, mode] = median
                say(
                    f"{size:4} documents ({formats['txt']} txt, {formats['docx']} docx, "
                    f"{formats['pdf']} pdf), {mode:<9}: {median.seconds:5.1f} s, "
                    f"CPU {median.cpu_per_document_ms:4.0f} ms/document, peak "
                    f"{median.peak_mb:4.0f} MB (largest process {median.largest_mb:.0f} MB, "
                    f"{median.processes} processes)"
                    + (f"; median of {repeat}" if repeat > 1 else "")
                )
    return found


def curve_targets(found: dict[tuple[int, str], Backfill]) -> list[tuple[str, float, str, bool]]:
    """The issue's goals as (name, measured, goal, met), for the bench's table of targets."""
    targets: list[tuple[str, float, str, bool]] = []
    sizes = sorted({size for size, _mode in found})
    for mode in sorted({mode for _size, mode in found}):
        runs = [found[size, mode] for size in sizes if (size, mode) in found]
        if len(runs) > 1:
            growth = runs[-1].cpu_per_document_ms / runs[0].cpu_per_document_ms
            targets.append(
                (
                    f"backfill CPU a document, {runs[-1].documents} vs "
                    f"{runs[0].documents} ({mode})",
                    growth,
                    "≤ 1.10× (flat)",
                    growth <= 1.10,
                )
            )
        biggest = runs[-1]
        targets.append(
            (
                f"backfill peak MB, {biggest.documents} documents ({mode})",
                biggest.peak_mb,
                f"≤ {PEAK_GOAL_MB}",
                biggest.peak_mb <= PEAK_GOAL_MB,
            )
        )
    for size in sizes:
        if (size, "threads") in found and (size, "processes") in found:
            threads, processes = found[size, "threads"], found[size, "processes"]
            faster = threads.seconds / processes.seconds
            targets.append(
                (
                    f"ingest of {size}: processes vs threads",
                    faster,
                    f"≥ {PROCESSES_GOAL}× faster",
                    faster >= PROCESSES_GOAL,
                )
            )
            cpu = processes.cpu_per_document_ms / threads.cpu_per_document_ms
            targets.append(
                (
                    f"ingest of {size}: CPU a document, processes vs threads",
                    cpu,
                    "≤ 1.00×",
                    cpu <= 1.0,
                )
            )
    return targets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.curve", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--corpus", type=Path, default=Path("data/bench-corpus"))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    found = backfill_curve(args.corpus, tuple(args.sizes), tuple(args.modes), args.repeat)
    for name, value, goal, met in curve_targets(found):
        print(f"{name}: {value:.2f} (goal {goal}) {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
