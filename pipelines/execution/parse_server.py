"""The server process that a run's parse workers are forked from, warm.

A spawned worker starts a new interpreter and imports pandas, pandera and the readers again
(about a second of CPU each), and first runs the parent's ``__main__`` once more: under a
served or deployed flow run that is Prefect's (about two seconds more). Instead a run starts
one multiprocessing fork server whose only preload is this module: it imports the readers
once, and each worker is a fork of it, ready in milliseconds. The server is started from a
fresh interpreter and has no threads, so forking it is safe (forking the run itself would
copy Prefect's threads and their locks).

Only that server imports this module (``pipelines.execution.workers.warm_context`` names it): on
import it changes how this process prepares the workers it forks.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from multiprocessing import spawn
from typing import Any

from pipelines.execution.startup import lean_start, settle
from schemas.progress import register_backends

# What a parse task uses: the checks and every reader with the libraries they import on
# first use, so that no worker imports them again. (Not python-docx: the Word reader reads
# the XML with lxml.)
PRELOAD = (
    "pipelines.core.checking",
    "parsers.formats.docx",
    "parsers.formats.docx.reader",
    "parsers.formats.pdf",
    "parsers.formats.xlsx",
    "parsers.formats.html",
    "lxml.etree",
    "openpyxl",
    "pdfplumber",
    "pypdfium2",
)
# Not the OCR extra (onnxruntime, OpenCV, shapely and RapidOCR): a worker that reads a scan
# imports it with the models it loads anyway (0.2 s of CPU beside a second of models and
# seconds a page). Preloaded, it was 50 MB in the server of every run, scans or none.

_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")


def _prepare_without_main(data: Mapping[str, Any]) -> None:
    """Prepare a forked worker as multiprocessing does, minus running the parent's
    ``__main__`` again: tasks are functions of importable modules, and a served run's main
    module is Prefect's."""
    _prepare({key: value for key, value in data.items() if key not in _MAIN_KEYS})


def _preload() -> None:
    lean_start()  # the server is a fresh interpreter: the command's start-up settings too
    for name in PRELOAD:
        importlib.import_module(name)
    register_backends()
    settle()  # before the first fork: the workers share what the server imported


_prepare = spawn.prepare
# Every worker forked from the server prepares itself through ``spawn.prepare``.
spawn.prepare = _prepare_without_main
_preload()
