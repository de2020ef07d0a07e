"""What the parse server imports before it forks the workers (``parse_server``): the checks,
and the readers of the formats a run has, each with the libraries it imports on first use.

Kept apart from ``parse_server``, which only the server may import.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from pathlib import Path

from parsers.formats.registry import FORMATS, Kind

#: What every parse task uses: the checks, with pandas and pandera.
CORE = ("pipelines.core.checking",)
#: The libraries a reader imports on first use, preloaded with it. (Not python-docx: the
#: Word reader reads the XML with lxml.)
LIBRARIES = {
    "parsers.formats.docx.reader": ("lxml.etree",),
    "parsers.formats.pdf": ("pdfplumber", "pypdfium2"),
    "parsers.formats.xlsx": ("openpyxl",),
    "parsers.formats.html": ("lxml.etree",),
}
# Not the OCR extra (onnxruntime, OpenCV, shapely and RapidOCR): a worker that reads a scan
# imports it with the models it loads anyway (0.2 s of CPU beside a second of models and
# seconds a page). Preloaded, it was 50 MB in the server of every run, scans or none. Nor a
# reader of a format the run does not have: openpyxl alone is 13 MB, and a worker that meets
# such a file after all imports the reader once (a fraction of a second).


def import_meanwhile(modules: Iterable[str]) -> None:
    """Import ``modules`` in a thread of this process, now: for a run whose documents are
    parsed in worker processes, while it only waits for them (a fifth of a second of the
    load, otherwise spent after the last document). A module that fails to import here is
    imported, and fails, where it is used."""

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # said where it is used, in that command's words
                continue

    threading.Thread(target=load, name="import-meanwhile", daemon=True).start()


def readers_to_preload(documents: Iterable[str | Path]) -> list[str]:
    """The reader modules, and the libraries they import, of the formats of ``documents``
    (files, or folders to look through): formats read directly only (a legacy file is
    converted first, a scan is read by OCR)."""
    suffixes: set[str] = set()
    for document in documents:
        path = Path(document)
        try:
            if path.is_dir():
                suffixes.update(p.suffix.lower() for p in path.rglob("*"))
            else:
                suffixes.add(path.suffix.lower())
        except OSError:  # a folder it may not enter: discovery says so, in its words
            continue
    modules: list[str] = []
    for suffix, found in FORMATS.items():
        if suffix not in suffixes or found.kind is not Kind.DIRECT:
            continue
        reader = found.reader.split(":")[0]
        for name in (reader, *LIBRARIES.get(reader, ())):
            if name not in modules:
                modules.append(name)
    return modules
