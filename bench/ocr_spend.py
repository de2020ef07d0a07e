"""OCR's recogniser as RapidOCR runs it against as this reader runs it, alternating on the
same pages in one run: ``python -m bench.ocr_spend [image or PDF …]``.

Three settings, each page read by all three in turn (CPU seconds of ``read_page``, one
thread): RapidOCR's own (lines in batches of six, each padded to the widest of its batch
and to at least 320 pixels), one line a run padded to 320 (the reader's), and one line a
run padded to 160 (tried and not kept: a row of the photocopy is read differently). It
prints seconds a page, the ratio to RapidOCR's own, and every page whose text pieces differ
from the first setting's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from bench.ocr import SCANS

SETTINGS: dict[str, tuple[int, int]] = {
    "RapidOCR's batches of 6, padded to 320": (6, 320),
    "one line a run, padded to 320 (the reader's)": (1, 320),
    "one line a run, padded to 160": (1, 160),
}


def _pages(path: Path) -> list[Any]:
    from parsers.formats.ocr.reader import image_file_pages, scan_pdf_pages
    from parsers.limits import ParseLimits

    data = path.read_bytes()
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        count = len(pdfium.PdfDocument(data))
        return scan_pdf_pages(data, list(range(1, count + 1)), 200, path.name)
    return image_file_pages(data, path.name, ParseLimits())


def main(argv: list[str]) -> None:
    from parsers.formats.ocr.engine import engine
    from parsers.formats.ocr.page import read_page

    recogniser = engine().text_rec
    kept = (recogniser.rec_batch_num, list(recogniser.rec_image_shape))
    paths = [Path(a) for a in argv] or [
        SCANS / "yueqing-2022-08-p1.png",
        SCANS / "yueqing-2022-08-p2.jpg",
    ]
    spent = dict.fromkeys(SETTINGS, 0.0)
    pages = 0
    try:
        for path in paths:
            for image in _pages(path):
                first = None
                for name, (batch, width) in SETTINGS.items():
                    recogniser.rec_batch_num, recogniser.rec_image_shape = batch, [3, 48, width]
                    started = time.process_time()
                    read = read_page(image.pixels, image.dpi, image.page)
                    spent[name] += time.process_time() - started
                    texts = sorted((round(c["top"]), round(c["x0"]), c["text"]) for c in read.chars)
                    if first is None:
                        first = texts
                    elif texts != first:
                        lost, found = set(first) - set(texts), set(texts) - set(first)
                        print(
                            f"{path.name} page {image.page}, {name}:",
                            sorted(lost),
                            "->",
                            sorted(found),
                        )
                pages += 1
    finally:
        recogniser.rec_batch_num, recogniser.rec_image_shape = kept
    base = spent[next(iter(SETTINGS))]
    for name, seconds in spent.items():
        print(f"{name:<48} {seconds / pages:6.2f} s/page  {seconds / base:.2f}×")


if __name__ == "__main__":
    main(sys.argv[1:])
