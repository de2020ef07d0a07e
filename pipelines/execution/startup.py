"""What every process of a run sets first: the command's and the parse server's start-up.

Three costs that a run pays before it reads anything and that buy it nothing:

- pandera imports hypothesis, when it is installed, for its data-synthesis strategies, which
  no run uses: hypothesis is a development dependency (an installed product has none) and
  its import was a fifth of a ``validate``'s start-up. The process runs as it would
  installed; pandera takes the missing module as it does there.
- the cycle collector walking start-up's objects. Start-up (typer, pandas, pandera, the
  readers) makes some hundred thousand objects that live as long as the process; at Python's
  threshold (a collection every 700 new objects) the collector walked them 259 times in a
  ``validate`` of one .docx, 0.2-0.4 s of its CPU, freeing almost nothing. So until the
  first document is read it runs every 10,000 objects; then (``settle``) what start-up made
  is frozen, out of the collector's sight, and the threshold is Python's again: reading a
  PDF leaves cycles (pdfplumber's pages and objects) that must go as soon as they are
  garbage, or a backfill's memory grows with every PDF (40 PDFs: 227 MB at 10,000 against
  157 MB). Frozen before the parse server forks its workers, those objects also stay
  shared with them (the collector writes into every object it walks).
- pydantic looking through every installed package's metadata for plugins when it builds
  its first model (pandera and typer build some at start-up); the product has none, so it
  says so (``PYDANTIC_DISABLE_PLUGINS``, unless the environment sets it otherwise).
"""

from __future__ import annotations

import gc
import os
import sys

START_THRESHOLD = (10_000, 10, 10)
PYTHON_THRESHOLD = gc.get_threshold()
_settled = False


def lean_start() -> None:
    """Apply all three (before the first heavy import); a process that has already imported
    hypothesis (a test run) keeps it."""
    gc.set_threshold(*START_THRESHOLD)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if "hypothesis" not in sys.modules:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]


def settle() -> None:
    """Start-up is over (a run is about to read its documents; the parse server has
    imported the readers): freeze what exists and collect at Python's threshold again.
    Once per process; a process that never called ``lean_start`` is left as it is."""
    global _settled
    if _settled or gc.get_threshold() != START_THRESHOLD:
        return
    _settled = True
    gc.freeze()
    gc.set_threshold(*PYTHON_THRESHOLD)
