"""File names as text that can be stored, printed and compared.

On Linux a file name is bytes; Python keeps bytes that are not UTF-8 as lone surrogates
(``'\\udcff'``), which DuckDB, JSON files and the terminal all refuse. Such a name is stored
and shown with those bytes written as ``\\xff``; the path itself, used to open the file,
keeps the surrogates.
"""

from __future__ import annotations

import os
from pathlib import Path


def printable(text: str) -> str:
    """``text`` with bytes that were not UTF-8 written as ``\\xNN``; other text unchanged."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def source_name_of(path: str | os.PathLike[str]) -> str:
    """The document's name as stored in the warehouse and shown in every report."""
    return printable(Path(path).name)


def printable_path(path: str | os.PathLike[str]) -> str:
    """The whole path, for messages."""
    return printable(str(path))
