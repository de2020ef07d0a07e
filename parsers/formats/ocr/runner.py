"""How a run hands pages to OCR: where pages are read (here or in worker processes), whom to
tell when one is done, and how sure a cell must be read to pass without a warning.

The parsers stay pure: a caller passes an ``OcrRunner``; the default reads pages one after
another in this process and tells no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from i18n import N_, _
from parsers.errors import UnreadableDocument
from parsers.formats.ocr.cache import PageCache, cache_from_environment
from parsers.limits import DEFAULT_LIMITS

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

INSTALL_HINT = N_(
    "is a scan (no text layer); reading scans needs the OCR extra: pip install "
    "'minsheng-etl[ocr]' (make install installs it)"
)

# A key cell (item number, completion rate, department, leader) read with less confidence
# than this loads with a warning. RapidOCR reads clean print at 0.99 and more; a misread
# character usually brings a line below 0.9.
DEFAULT_MIN_CONFIDENCE = 0.9
# Below this, a department, leader or completion cell is a guess (a misread character, a
# speck read as one) and its row is quarantined unless the document corroborates the value
# (``parsers.formats.ocr.unsure``). Clean print reads at 0.99 and more.
UNSURE_BELOW = 0.8


@dataclass(frozen=True)
class PageDone:
    """A page read by OCR: which document, which page of how many, CPU seconds it took."""

    source_name: str
    page: int
    pages: int
    seconds: float


def _serial_map(function: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
    return map(function, items)


def _ignore(done: PageDone) -> None:
    return None


@dataclass(frozen=True)
class OcrRunner:
    """``map(function, items)`` runs the page reads (results in order; may use processes);
    ``on_page`` is told of each page done; ``min_confidence`` is the warning threshold;
    a key cell below ``unsure_below`` that nothing corroborates quarantines its row.

    ``cache`` keeps the pages read (``parsers.formats.ocr.cache``); None reads every page.
    A runner made without one takes the folder ``$MINSHENG_OCR_CACHE`` names, if any (a
    run's settings pass their own). A cached page's key names RapidOCR and this code: a
    ``map`` that reads pages otherwise than by the function it is given (the bench's
    tesseract) must come with ``cache=None``.
    """

    map: Callable[[Callable[..., Any], Iterable[Any]], Iterator[Any]] = _serial_map
    on_page: Callable[[PageDone], None] = _ignore
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    dpi: int = 200
    unsure_below: float = UNSURE_BELOW
    cache: PageCache | None = field(default_factory=cache_from_environment)

    def reading(self) -> dict[str, Any]:
        """The settings that change what a page reads as (part of a cached page's key).

        The confidence thresholds are applied to the pages read, after the cache: a run with
        other thresholds uses the same pages."""
        return {"dpi": self.dpi}

    def __post_init__(self) -> None:
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(
                _("min_confidence {min_confidence}: give a value from 0 to 1").format(
                    min_confidence=self.min_confidence
                )
            )
        if not 0 <= self.unsure_below <= 1:
            raise ValueError(
                _("unsure_below {unsure_below}: give a value from 0 to 1").format(
                    unsure_below=self.unsure_below
                )
            )


SERIAL = OcrRunner()


def ocr_available() -> bool:
    """Whether the OCR extra is installed (RapidOCR with its models, OpenCV, pypdfium2)."""
    try:
        import cv2  # noqa: F401
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def require_ocr(source_name: str) -> None:
    """Reject a scan when the OCR extra is missing, saying how to install it."""
    if not ocr_available():
        raise UnreadableDocument(source_name, _(INSTALL_HINT))


def ocr_pages(path: str | Path) -> int:
    """How many pages of a file OCR would read (0 for a file with a text layer), found cheaply.

    Run planning uses it to decide where to read scans; the readers decide for themselves.
    Unreadable files count 0: their reader will say what is wrong. A run asks twice (when it
    chooses its parallelism and when it hands out the documents), so the count of each
    version of a file (its size and time) is kept: a PDF's pages are loaded to be counted,
    about a millisecond each, and a backfill's PDFs took 0.4 s a time.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return 0
    return _ocr_pages(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1024)
def _ocr_pages(path: Path, size: int, mtime_ns: int) -> int:
    suffix = path.suffix.lower()
    try:
        if suffix in IMAGE_SUFFIXES:
            from PIL import Image

            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1))
        if suffix == ".pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(path))
            try:
                if len(pdf) > DEFAULT_LIMITS.max_pages:
                    return 0  # the reader rejects it at its page limit, unread
                count = 0
                for index in range(len(pdf)):
                    page = pdf[index]
                    text = page.get_textpage()
                    count += text.count_chars() == 0
                    text.close()
                    page.close()
                return count
            finally:
                pdf.close()
    except Exception:  # any reader error: the reader reports it properly later
        return 0
    return 0
