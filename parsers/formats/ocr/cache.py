"""Pages already read by OCR, kept on disk so the same page image is never read twice.

Reading a page costs seconds of CPU; ``validate`` then ``ingest`` of a scan, a ``--replace``
run, a re-check after a fix elsewhere in the document and a retried flow run all read the
same pages again. A ``PageCache`` keeps each page's ``PageRead`` under a key made of

- the page image's pixels as read (sha256 of their bytes, shape and type) and the resolution
  the file states for them,
- the reading's settings (``OcrRunner.reading``),
- the versions of OpenCV, NumPy, onnxruntime and RapidOCR and the sha256 of its model files,
- the sha256 of the reader's own code (``parsers/formats/ocr/*.py`` and
  ``parsers/page_geometry/*.py``), so that a change to the reader never serves an old result.

An entry is one file, written under a temporary name and renamed (a killed run never leaves
half an entry under a real name), its content checked by a sha256 it carries; a file that is
corrupt, foreign or made for another key is a miss, never an error. Several processes may
read and write one folder at once; one reading a page another is reading waits for it
(``PageCache.claimed``) and takes the page from the cache. The folder is the owner's only
(it holds the text of the reports' cells, as the warehouse does) and bounded in size: past
``max_bytes`` the entries used longest ago are removed.

Importing this module needs no OCR library: NumPy, OpenCV and the page reader are imported
when an entry is read or written.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.util
import json
import os
import struct
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from limits import DEFAULTS

if TYPE_CHECKING:
    import numpy as np

    from parsers.formats.ocr.page import PageRead

#: The environment variable naming a cache folder for every run of the process (and for
#: ``parse_document``, whose default ``OcrRunner`` has no cache otherwise).
CACHE_VARIABLE = "MINSHENG_OCR_CACHE"
_MAGIC = b"minsheng-ocr-page/1\n"
_HEADER = struct.Struct(">32s32sQ")  # key, sha256 of the rest, length of the metadata
_SUFFIX = ".page"
# A temporary file older than this is what a killed run left: removed when the folder is tidied.
_STALE_TEMP_SECONDS = 3600.0
# A run waits this long at most for another that reads the same page, then reads it itself.
_CLAIM_WAIT_SECONDS = 300.0
_PACKAGES = ("numpy", "opencv-python-headless", "opencv-python", "onnxruntime",
             "rapidocr-onnxruntime")  # fmt: skip
_SOURCES = (Path(__file__).parent, Path(__file__).parents[2] / "page_geometry")


@dataclass(frozen=True)
class PageCache:
    """Pages read by OCR in ``folder``, at most ``max_bytes`` of them (picklable: a worker
    process of a run gets the same folder)."""

    folder: Path
    max_bytes: int = DEFAULTS.warehouse.ocr_cache_bytes

    def get(self, key: str, page: int) -> PageRead | None:
        """The page stored under ``key`` (as page number ``page``), or None: not stored, or
        the entry is not a whole, valid one of this key."""
        started = time.process_time()
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        read = entry_to_page(data, key)
        if read is None:
            return None
        read.page = page
        read.seconds = time.process_time() - started  # what this page cost the run
        try:
            os.utime(path)  # used now: the last to be removed
        except OSError:
            pass
        return read

    def put(self, key: str, read: PageRead) -> None:
        """Store ``read`` under ``key``; a folder that cannot be written is no error (the
        page was read, the run goes on), and an entry larger than the cache is not kept."""
        try:
            data = page_to_entry(read, key)
        except (ValueError, TypeError):  # a page this code cannot store: read next time
            return
        if len(data) > self.max_bytes:
            return
        path = self._path(key)
        try:
            # The owner's only, as the warehouse: the entries hold the text of the cells.
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:  # mkstemp: the owner's only (0600)
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self.evict()
        except OSError:
            return

    @contextmanager
    def claimed(self, keys: list[str]) -> Iterator[None]:
        """Hold the lock of each of ``keys`` while their pages are read: another process
        about to read one of them waits, then finds it stored. Locks are taken in the keys'
        order (two runs never wait on each other in a circle) and released when a process
        ends however it ends; one not had within ``_CLAIM_WAIT_SECONDS`` is given up, and the
        page is read anyway."""
        with ExitStack() as held:
            for key in sorted(set(keys)):
                lock = self._lock(key)
                if lock is not None:
                    held.enter_context(lock)
            yield

    def _lock(self, key: str) -> IO[bytes] | None:
        path = self._path(key).with_suffix(".lock")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            lock = path.open("ab")
        except OSError:
            return None
        deadline = time.monotonic() + _CLAIM_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return lock
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            except OSError:
                break
        lock.close()
        return None

    def evict(self) -> None:
        """Remove the entries used longest ago until the folder holds at most ``max_bytes``,
        and what killed runs left half written (and old locks)."""
        now = time.time()
        entries: list[tuple[float, int, Path]] = []
        for path in self.folder.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue  # removed by another process meanwhile
            if path.name.endswith(_SUFFIX):
                entries.append((stat.st_mtime, stat.st_size, path))
            elif path.suffix in (".tmp", ".lock") and now - stat.st_mtime > _STALE_TEMP_SECONDS:
                path.unlink(missing_ok=True)
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{_SUFFIX}"


def cache_from_environment() -> PageCache | None:
    """The cache ``$MINSHENG_OCR_CACHE`` names, or None (no cache) when it is unset."""
    folder = os.environ.get(CACHE_VARIABLE)
    return PageCache(Path(folder)) if folder else None


def page_key(pixels: np.ndarray, stated_dpi: float, reading: Mapping[str, Any]) -> str:
    """The key of a page image read with the settings ``reading`` by this code and engine."""
    import numpy as np

    image = hashlib.sha256()
    image.update(f"{pixels.dtype.str}{pixels.shape}".encode())
    image.update(np.ascontiguousarray(pixels).data)
    parts = {
        "image": image.hexdigest(),
        "stated_dpi": float(stated_dpi),
        "reading": dict(reading),
        "engine": engine_fingerprint(),
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """sha256 of the page reader's sources: a changed line anywhere in them changes every key."""
    return sources_fingerprint(_SOURCES)


def sources_fingerprint(folders: tuple[Path, ...]) -> str:
    """sha256 of the ``*.py`` files of ``folders``, each named by its folder and file."""
    digest = hashlib.sha256()
    for folder in folders:
        for source in sorted(folder.glob("*.py")):
            digest.update(f"{folder.name}/{source.name}\0".encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


@functools.cache
def engine_fingerprint() -> str:
    """The OCR engine as installed: its libraries' versions, the sha256 of its settings file
    and of its model files."""
    from importlib import metadata  # here: it pulls in the email package, which no other read needs

    digest = hashlib.sha256()
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=-\0".encode())
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is not None and spec.origin is not None:
        # Its settings (config.yaml: which models, the detector's thresholds) and models.
        folder = Path(spec.origin).parent
        for model in sorted([*folder.glob("config.yaml"), *(folder / "models").glob("*")]):
            digest.update(f"{model.name}\0".encode())
            digest.update(hashlib.sha256(model.read_bytes()).digest())
    return digest.hexdigest()


def page_to_entry(read: PageRead, key: str) -> bytes:
    """A page read as the bytes of a cache entry: header, metadata (JSON), page image (PNG)."""
    import cv2

    meta = {f.name: getattr(read, f.name) for f in fields(read) if f.name != "image"}
    meta["image_shape"] = None if read.image is None else list(read.image.shape)
    text = json.dumps(meta, ensure_ascii=False, default=_plain).encode()
    image = b""
    if read.image is not None:
        ok, encoded = cv2.imencode(".png", read.image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            raise ValueError("page image not encodable as PNG")
        image = encoded.tobytes()
    body = text + image
    header = _HEADER.pack(bytes.fromhex(key), hashlib.sha256(body).digest(), len(text))
    return _MAGIC + header + body


def entry_to_page(data: bytes, key: str) -> PageRead | None:
    """The page read a cache entry holds, or None for anything but a whole entry of ``key``."""
    start = len(_MAGIC) + _HEADER.size
    if len(data) < start or not data.startswith(_MAGIC):
        return None
    stored_key, checksum, meta_length = _HEADER.unpack_from(data, len(_MAGIC))
    body = data[start:]
    if stored_key.hex() != key or hashlib.sha256(body).digest() != checksum:
        return None
    if meta_length > len(body):
        return None
    try:
        return _page_of(json.loads(body[:meta_length]), body[meta_length:])
    except Exception:  # whatever fails to decode (cv2.error included) is a miss, not an error
        return None


def _plain(value: Any) -> Any:
    """NumPy scalars in a page read, as the Python numbers JSON writes."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not stored in a page cache entry")


def _box(values: Any) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = values
    return (float(x0), float(top), float(x1), float(bottom))


def _page_of(meta: dict[str, Any], png: bytes) -> PageRead:
    """A ``PageRead`` from an entry's metadata and image, the way ``read_page`` made it
    (tuples where it had tuples); a field of the wrong shape raises."""
    import cv2
    import numpy as np

    from parsers.formats.ocr.page import PageRead

    image = None
    if meta["image_shape"] is not None:
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
        if image is None or image.dtype != np.uint8 or list(image.shape) != meta["image_shape"]:
            raise ValueError("page image does not match its entry")
    elif png:
        raise ValueError("an image where the entry has none")
    chars = []
    for char in meta["chars"]:
        if not isinstance(char, dict) or not isinstance(char["text"], str):
            raise TypeError("not a char")
        chars.append({**char, "matrix": tuple(char["matrix"])})
    return PageRead(
        page=int(meta["page"]),
        dpi=float(meta["dpi"]),
        stated_dpi=float(meta["stated_dpi"]),
        turned=int(meta["turned"]),
        flattened=bool(meta["flattened"]),
        line_px=None if meta["line_px"] is None else float(meta["line_px"]),
        too_small=bool(meta["too_small"]),
        chars=chars,
        horizontal=[_rule(rule) for rule in meta["horizontal"]],
        vertical=[_rule(rule) for rule in meta["vertical"]],
        tables=[
            ([[None if cell is None else _box(cell) for cell in row] for row in rows], _box(bbox))
            for rows, bbox in meta["tables"]
        ],
        skew=float(meta["skew"]),
        seconds=float(meta["seconds"]),
        image=image,
    )


def _rule(values: Any) -> tuple[float, float, float]:
    at, start, end = values
    return (float(at), float(start), float(end))
