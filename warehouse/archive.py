"""Keeping every original document, named by its content."""

from __future__ import annotations

import shutil
from pathlib import Path


def archive_original(source: str | Path, sha256: str, raw_dir: str | Path) -> Path:
    """Copy ``source`` to ``<raw_dir>/<sha256[:2]>/<sha256><suffix>`` once; return the path.

    Named by content, so the same bytes are stored once however often they are sent; the
    copy goes through a temporary name so a crash never leaves half a file under the real one.
    """
    source = Path(source)
    target = Path(raw_dir) / sha256[:2] / f"{sha256}{source.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(source, partial)
        partial.replace(target)
    return target


def archive_bytes(data: bytes, sha256: str, suffix: str, raw_dir: str | Path) -> Path:
    """Like ``archive_original`` for bytes held in memory (a fetched page)."""
    target = Path(raw_dir) / sha256[:2] / f"{sha256}{suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return target
