"""Finding the documents a run is given: files and folders, folders searched recursively."""

from __future__ import annotations

from pathlib import Path

from parsers import SUPPORTED_SUFFIXES
from pipelines.core.settings import SettingsError


def discover_documents(paths: list[str | Path]) -> list[Path]:
    """Every report file named or found under the named folders, sorted, each once.

    A file named directly is kept whatever its suffix, so that it is reported on rather than
    ignored; inside folders only ``.txt``, ``.docx`` and ``.pdf`` are taken (hidden files and
    Word's ``~$`` lock files skipped).
    """
    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not child.name.startswith((".", "~$"))
                ):
                    found.setdefault(child, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise SettingsError(f"{path}: no such file or folder")
    return list(found)
