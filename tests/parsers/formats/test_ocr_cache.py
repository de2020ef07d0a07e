"""The OCR page cache (``parsers.formats.ocr.cache``): a page read once is taken from the cache
with the same result, anything that changes the reading misses, and a bad entry is a miss.

One page (page 1 as PNG) is OCR'd here, into a cache folder of this module's own (not the
test run's shared one); the rest of the tests build page reads without OCR.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parsers import parse_document
from parsers.formats.ocr import OcrRunner, PageDone
from parsers.formats.ocr import cache as ocr_cache
from parsers.formats.ocr.cache import (
    PageCache,
    entry_to_page,
    page_key,
    page_to_entry,
    sources_fingerprint,
)
from parsers.formats.ocr.page import PageRead
from tests.helpers import FIXTURES

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is installed by make install")

PAGE_1 = FIXTURES / "scan" / "yueqing-2022-08-p1.png"
ROOT = Path(__file__).resolve().parents[3]


class Refused(Exception):
    """OCR was asked to read a page."""


def refuse(function: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
    raise Refused


def _same_read(a: PageRead, b: PageRead) -> None:
    for name in PageRead.__dataclass_fields__:
        if name in ("seconds", "image"):
            continue
        assert getattr(a, name) == getattr(b, name), name
    assert (a.image is None) == (b.image is None)
    if a.image is not None and b.image is not None:
        assert a.image.dtype == b.image.dtype and np.array_equal(a.image, b.image)


@pytest.fixture(scope="module")
def read_twice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Page 1 read into an empty cache (a miss: real OCR), then again (a hit, OCR refused)."""
    folder = tmp_path_factory.mktemp("ocr-cache")
    cache = PageCache(folder)
    fresh: list[PageRead] = []

    def keeping(function: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
        for read in map(function, items):
            fresh.append(read)
            yield read

    done: list[PageDone] = []
    first = parse_document(PAGE_1, ocr=OcrRunner(map=keeping, cache=cache))
    second = parse_document(PAGE_1, ocr=OcrRunner(map=refuse, on_page=done.append, cache=cache))
    return {"folder": folder, "first": first, "second": second, "fresh": fresh, "done": done}


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_a_hit_gives_what_the_fresh_read_gave(read_twice) -> None:
    first, second = read_twice["first"], read_twice["second"]
    assert len(first.rows) == 5
    assert first.rows.equals(second.rows)
    assert first.issues == second.issues  # the OCR summary and any warnings, cell images too
    assert first.ocr_cells == second.ocr_cells
    assert (second.region, second.source_format) == ("乐清市", "image-ocr")
    [done] = read_twice["done"]
    assert (done.page, done.pages) == (1, 1) and 0 < done.seconds < 2  # told, as a read page


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_an_entry_holds_the_page_read_as_read_page_returned_it(read_twice) -> None:
    [fresh] = read_twice["fresh"]
    [entry] = list(read_twice["folder"].glob("*/*.page"))
    stored = entry_to_page(entry.read_bytes(), entry.stem)
    assert stored is not None
    _same_read(stored, fresh)
    assert stored.chars and stored.tables and stored.image is not None
    assert isinstance(stored.chars[0]["matrix"], tuple) and isinstance(stored.tables[0][1], tuple)


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_the_folder_and_its_entries_are_the_owners_only(read_twice) -> None:
    folder = read_twice["folder"]
    [entry] = list(folder.glob("*/*.page"))
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) & 0o077 == 0


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_a_changed_setting_reads_the_page_again(read_twice) -> None:
    cache = PageCache(read_twice["folder"])
    with pytest.raises(Refused):
        parse_document(PAGE_1, ocr=OcrRunner(map=refuse, cache=cache, dpi=300))
    # The confidence thresholds apply to the pages read: the same pages serve them.
    parse_document(PAGE_1, ocr=OcrRunner(map=refuse, cache=cache, min_confidence=0.999))


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_changed_reader_code_reads_the_page_again(
    read_twice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = tuple(
        Path(shutil.copytree(ROOT / "parsers" / part, tmp_path / Path(part).name))
        for part in ("formats/ocr", "page_geometry")
    )
    assert sources_fingerprint(copies) == ocr_cache.code_fingerprint()
    with (copies[1] / "words.py").open("a") as source:
        source.write("# one more line\n")
    changed = sources_fingerprint(copies)
    assert changed != ocr_cache.code_fingerprint()
    monkeypatch.setattr(ocr_cache, "code_fingerprint", lambda: changed)
    with pytest.raises(Refused):
        parse_document(PAGE_1, ocr=OcrRunner(map=refuse, cache=PageCache(read_twice["folder"])))


@pytest.mark.slow  # reads page 1 by OCR once for the module
def test_no_cache_reads_every_page(read_twice) -> None:
    with pytest.raises(Refused):
        parse_document(PAGE_1, ocr=OcrRunner(map=refuse, cache=None))


# Page reads made without OCR, for the cache's own handling of its files.


def _page(seed: int, side: int = 200) -> PageRead:
    image = np.random.default_rng(seed).integers(0, 256, (side, side), dtype=np.uint8)
    char = {"x0": 1.5, "x1": 9.25, "top": 2.0, "bottom": 8.0, "doctop": 2.0, "size": 6.0,
            "text": f"市教育局{seed}", "upright": True, "matrix": (1, 0, 0, 1, 1.5, 8.0),
            "confidence": 0.97}  # fmt: skip
    return PageRead(
        page=1, dpi=200.0, stated_dpi=72.0, turned=90, line_px=39.5, chars=[char],
        horizontal=[(10.0, 0.0, 100.0)], vertical=[(0.0, 10.0, 90.0)],
        tables=[([[(0.0, 0.0, 5.0, 5.0), None]], (0.0, 0.0, 100.0, 90.0))], skew=0.3,
        image=image,
    )  # fmt: skip


def _key(seed: int) -> str:
    page = _page(seed)
    assert page.image is not None
    return page_key(page.image, page.stated_dpi, {"dpi": 200})


def test_a_page_comes_back_under_its_key_and_page_number(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "c")
    assert cache.get(_key(1), 1) is None
    cache.put(_key(1), _page(1))
    back = cache.get(_key(1), 3)
    assert back is not None and back.page == 3
    back.page = 1
    _same_read(back, _page(1))
    assert cache.get(_key(2), 1) is None


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut off"),
        pytest.param(lambda data: data[:-10] + bytes(10), id="changed bytes"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"PK\x03\x04 not an entry at all" * 40, id="foreign"),
        pytest.param(lambda data: page_to_entry(_page(2), _key(2)), id="another key's"),
    ],
)
def test_a_bad_entry_is_a_miss(tmp_path: Path, spoil: Callable[[bytes], bytes]) -> None:
    cache = PageCache(tmp_path / "c")
    cache.put(_key(1), _page(1))
    [entry] = list((tmp_path / "c").glob("*/*.page"))
    entry.write_bytes(spoil(entry.read_bytes()))
    assert cache.get(_key(1), 1) is None
    cache.put(_key(1), _page(1))  # read again and stored: whole again
    assert cache.get(_key(1), 1) is not None


def test_a_write_cut_short_leaves_no_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PageCache(tmp_path / "c")

    def killed(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ocr_cache.os, "replace", killed)
    cache.put(_key(1), _page(1))  # no error: the page was read, the run goes on
    assert cache.get(_key(1), 1) is None
    assert [p for p in (tmp_path / "c").rglob("*") if p.is_file()] == []


def test_what_a_killed_run_left_is_never_read_and_tidied_away(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "c")
    cache.put(_key(2), _page(2))
    half = (tmp_path / "c" / _key(1)[:2]) / f".{_key(1)}.tmp"
    half.parent.mkdir(exist_ok=True)
    half.write_bytes(page_to_entry(_page(1), _key(1))[:100])
    assert cache.get(_key(1), 1) is None
    an_hour_ago = time.time() - 3700
    os.utime(half, (an_hour_ago, an_hour_ago))
    cache.evict()
    assert not half.exists() and cache.get(_key(2), 1) is not None


def test_past_its_size_the_pages_used_longest_ago_go(tmp_path: Path) -> None:
    size = len(page_to_entry(_page(1), _key(1)))
    cache = PageCache(tmp_path / "c", max_bytes=int(size * 2.5))
    for seed, age in ((1, 300), (2, 200)):
        cache.put(_key(seed), _page(seed))
        [entry] = list((tmp_path / "c").glob(f"*/{_key(seed)}.page"))
        os.utime(entry, (time.time() - age, time.time() - age))
    assert cache.get(_key(1), 1) is not None  # used now: page 2 is the oldest
    cache.put(_key(3), _page(3))
    assert [cache.get(_key(s), 1) is not None for s in (1, 2, 3)] == [True, False, True]
    assert sum(p.stat().st_size for p in (tmp_path / "c").rglob("*.page")) <= cache.max_bytes


def _hammer(folder: str, worker: int) -> list[str]:
    """Store and read pages 0–4 over and over, as several runs' workers would."""
    cache = PageCache(Path(folder))
    wrong = []
    for round_ in range(12):
        for seed in range(5):
            if (round_ + worker + seed) % 2:
                cache.put(_key(seed), _page(seed))
            back = cache.get(_key(seed), 1)
            if back is not None and back.chars[0]["text"] != f"市教育局{seed}":
                wrong.append(f"worker {worker}: page {seed} came back as another")
    return wrong


def test_processes_writing_one_folder_at_once_read_only_whole_entries(tmp_path: Path) -> None:
    size = len(page_to_entry(_page(1), _key(1)))
    folder = tmp_path / "c"
    PageCache(folder).put(_key(0), _page(0))
    with multiprocessing.get_context("fork").Pool(4) as pool:
        results = pool.starmap(_hammer, [(str(folder), worker) for worker in range(4)])
    assert results == [[], [], [], []]
    cache = PageCache(folder, max_bytes=size * 10)
    for seed in range(5):
        back = cache.get(_key(seed), 1)
        assert back is not None
        back.page = 1
        _same_read(back, _page(seed))
    assert [p.name for p in folder.rglob("*.tmp")] == []


def _wait_then_get(folder: str, key: str, started: float) -> tuple[float, bool]:
    cache = PageCache(Path(folder))
    with cache.claimed([key]):
        return time.monotonic() - started, cache.get(key, 1) is not None


def test_a_run_about_to_read_a_page_another_is_reading_waits_and_takes_it_stored(
    tmp_path: Path,
) -> None:
    cache = PageCache(tmp_path / "c")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        with cache.claimed([_key(1), _key(2)]):
            waiting = pool.apply_async(
                _wait_then_get, (str(tmp_path / "c"), _key(1), time.monotonic())
            )
            time.sleep(1.0)  # the page being read
            cache.put(_key(1), _page(1))
        waited, found = waiting.get(timeout=60)
    assert waited >= 1.0 and found
