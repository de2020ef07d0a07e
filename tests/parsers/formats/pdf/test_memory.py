"""What reading a PDF holds in memory: a backfill's workers each read one at a time, and the
largest of them sets the worker's size for the rest of the run."""

from __future__ import annotations

import tracemalloc

from parsers.formats.pdf import read_pdf
from tests.helpers import FIXTURES


def test_a_page_s_objects_go_once_its_layout_is_taken() -> None:
    # pdfplumber keeps every character, line and rectangle of a page it has read until the
    # document closes (a dict of some twenty keys per character); the reader keeps only the
    # keys it uses, and lets each page go. The 7-page August PDF peaked at 11.6 MB before.
    data = (FIXTURES / "yueqing-2022-08.pdf").read_bytes()
    read_pdf(data, "yueqing-2022-08.pdf")  # first use: imports and caches are not the read's
    tracemalloc.start()
    try:
        read = read_pdf(data, "yueqing-2022-08.pdf")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(read.grid) == 48
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MB"
