"""Finding the documents a run is given: files and folders, folders searched recursively."""

from __future__ import annotations

from pathlib import Path

from parsers import SUPPORTED_SUFFIXES
from pipelines.core.fetching import is_url
from pipelines.core.settings import SettingsError

#: What a folder scan takes: every format read, and ``.url`` files naming a web page.
FOLDER_SUFFIXES = frozenset((*SUPPORTED_SUFFIXES, ".url"))


def discover_documents(paths: list[str | Path]) -> list[str | Path]:
    """Every report named, found under the named folders, or addressed, in order, each once.

    A file named directly is kept whatever its suffix, so that it is reported on rather than
    ignored; inside folders only the formats read and ``.url`` files are taken (hidden files
    and Word's ``~$`` lock files skipped). A web address (``https://…``) stays a string: the
    page is fetched when the document is read.
    """
    found: dict[str | Path, None] = {}
    for given in paths:
        if is_url(str(given)):
            found.setdefault(str(given), None)
            continue
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in FOLDER_SUFFIXES
                    and not child.name.startswith((".", "~$"))
                ):
                    found.setdefault(child, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise SettingsError(f"{path}: no such file or folder")
    return list(found)
