"""What every process of a run sets first: the command's and the parse server's start-up.

Two costs that a run pays before it reads anything and that buy it nothing:

- pandera imports hypothesis, when it is installed, for its data-synthesis strategies, which
  no run uses: hypothesis is a development dependency (an installed product has none) and
  its import was a fifth of a ``validate``'s start-up. The process runs as it would
  installed; pandera takes the missing module as it does there.
- the cycle collector runs every 10,000 new objects instead of Python's 700. Start-up (typer,
  pandas, pandera, the readers) makes some hundred thousand objects that live as long as the
  process; at the default the collector walked them 259 times in a ``validate`` of one
  .docx, 0.2-0.4 s of its CPU, freeing almost nothing. Cycles are still collected, later.
"""

from __future__ import annotations

import gc
import sys

GC_THRESHOLD = (10_000, 10, 10)


def lean_start() -> None:
    """Apply both (before the first heavy import); a process that has already imported
    hypothesis (a test run) keeps it."""
    gc.set_threshold(*GC_THRESHOLD)
    if "hypothesis" not in sys.modules:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
