"""A bound on what a zip-based document (.docx, .xlsx) inflates to, checked before parsing.

A few megabytes of zip can declare small sizes and inflate to gigabytes, and the XML
libraries would read it all. The directory's sizes are checked first, then every member is
inflated in blocks with a byte counter, so a lying directory is caught as well; a member
whose data does not match its checksum is a damaged file.
"""

from __future__ import annotations

import zipfile
import zlib

from parsers.errors import UnreadableDocument

#: What the parts of one document may inflate to together; a real report is under 5 MB.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
_BLOCK = 1 << 20


def _too_big(source_name: str, limit: int) -> UnreadableDocument:
    return UnreadableDocument(
        source_name,
        f"its zip parts inflate to more than {limit // (1024 * 1024)} MB, more than any "
        "report needs: not read",
    )


def check_unzipped_size(
    archive: zipfile.ZipFile, source_name: str, limit: int = MAX_UNZIPPED_BYTES
) -> None:
    """Raise UnreadableDocument if the archive's members inflate beyond ``limit`` bytes."""
    members = archive.infolist()
    if sum(info.file_size for info in members) > limit:
        raise _too_big(source_name, limit)
    total = 0
    try:
        for info in members:
            with archive.open(info) as member:
                while block := member.read(_BLOCK):
                    total += len(block)
                    if total > limit:
                        raise _too_big(source_name, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnreadableDocument(
            source_name, f"the file is damaged ({exc}): send it again"
        ) from None
