"""Finding the documents a run is given: files and folders, folders searched recursively.

A folder is walked without following links out of it: a link inside an inbox that points
at ``/etc/passwd`` must not be read, nor its bytes archived. Such links, and FIFOs, devices
and sockets (reading a FIFO would wait forever), are skipped with a reason each, so the run
can report them like any other document it could not use.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from i18n import N_, _
from parsers import SUPPORTED_SUFFIXES
from parsers.names import printable_path
from pipelines.core.fetching import is_url
from pipelines.core.settings import SettingsError

#: What a folder scan takes: every format read, and ``.url`` files naming a web page.
FOLDER_SUFFIXES = frozenset((*SUPPORTED_SUFFIXES, ".url"))

_SPECIAL = {
    stat.S_IFIFO: N_("a FIFO (named pipe)"),
    stat.S_IFCHR: N_("a character device"),
    stat.S_IFBLK: N_("a block device"),
    stat.S_IFSOCK: N_("a socket"),
}


@dataclass
class Discovery:
    """What a run was given: documents to read, and files skipped with the reason."""

    documents: list[str | Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in FOLDER_SUFFIXES and not path.name.startswith((".", "~$"))


def _why_not_regular(path: Path, root: Path | None) -> str | None:
    """Why ``path`` is not read (None when it is a regular file that may be read)."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return _("cannot be read ({strerror})").format(strerror=exc.strerror)
    if stat.S_ISLNK(mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _("a link to a file that does not exist: skipped")
        if root is not None and not target.is_relative_to(root):
            return _("a link to {target}, outside the folder given ({root}): not followed").format(
                target=printable_path(target), root=printable_path(root)
            )
        mode = target.stat().st_mode
    kind = _SPECIAL.get(stat.S_IFMT(mode))
    if kind is not None:
        return _("{kind}, not a file: skipped").format(kind=_(kind))
    if not stat.S_ISREG(mode):
        return _("not a regular file: skipped")
    return None


def discover(paths: list[str | Path]) -> Discovery:
    """Every report file named or found under the named folders, sorted, each once.

    A file named directly is kept whatever its suffix, so that it is reported on rather than
    ignored; inside folders only the formats read and ``.url`` files are taken (hidden files
    and Word's ``~$`` lock files skipped). A web address (``https://…``) stays a string: the
    page is fetched when the document is read. Links out of a folder and special files are in
    ``skipped``.
    """
    found = Discovery()
    seen: set[str | Path] = set()

    def take(path: Path, root: Path | None) -> None:
        if path in seen:
            return
        seen.add(path)
        reason = _why_not_regular(path, root)
        if reason is None:
            found.documents.append(path)
        else:
            found.skipped.append((path, reason))

    for given in paths:
        if is_url(str(given)):
            if str(given) not in seen:
                seen.add(str(given))
                found.documents.append(str(given))
            continue
        path = Path(given)
        if path.is_dir():
            root = path.resolve()
            children: list[Path] = []
            for folder, subfolders, files in os.walk(path, followlinks=False):
                subfolders.sort()
                children.extend(Path(folder) / name for name in files)
            for child in sorted(children):
                if _wanted(child):
                    take(child, root)
        elif path.exists() or path.is_symlink():
            take(path, None)  # named on purpose: a link is followed, a FIFO still skipped
        else:
            raise SettingsError(
                _("{path}: no such file or folder").format(path=printable_path(path))
            )
    return found


def discover_documents(paths: list[str | Path]) -> list[str | Path]:
    """The documents of ``discover(paths)`` (skipped files left out)."""
    return discover(paths).documents
