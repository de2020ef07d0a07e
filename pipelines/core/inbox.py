"""An inbox folder: which of its documents the warehouse has not loaded yet."""

from __future__ import annotations

import hashlib
from pathlib import Path

from i18n import _
from pipelines.core.discovery import Discovery, discover
from pipelines.core.settings import SettingsError
from warehouse import seen_sha256s


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unseen_documents(inbox: str | Path, db: str | Path) -> list[Path]:
    """Report files under ``inbox`` whose bytes the warehouse has not loaded; files stay put."""
    return [Path(path) for path in scan_inbox(inbox, db).documents]


def scan_inbox(inbox: str | Path, db: str | Path) -> Discovery:
    """The inbox's files the warehouse has not loaded, and those it cannot read at all (links
    out of the inbox, FIFOs, …: in ``skipped`` with the reason, for the run to report)."""
    inbox = Path(inbox)
    if inbox.exists() and not inbox.is_dir():
        raise SettingsError(_("inbox {inbox} is not a folder").format(inbox=inbox))
    # Every path that runs the monthly flow (serve, a worker, a test) finds it ready.
    inbox.mkdir(parents=True, exist_ok=True)
    seen = seen_sha256s(db)
    # A folder holds files only (a .url file names a page, fetched when it is read).
    found = discover([inbox])
    unseen = [path for path in found.documents if file_sha256(Path(path)) not in seen]
    return Discovery(documents=unseen, skipped=found.skipped)
