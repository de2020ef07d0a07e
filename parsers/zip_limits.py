"""A bound on what a zip-based document (.docx, .xlsx) inflates to, checked before parsing.

A few megabytes of zip can declare small sizes and inflate to gigabytes, and the XML
libraries would read it all. The directory's sizes are checked first, then every member is
inflated in blocks with a byte counter, so a lying directory is caught as well; a member
whose data does not match its checksum is a damaged file. Two bounds apply
(``parsers.limits.ParseLimits``): the whole archive, photos included, and each XML part,
which the readers parse into memory at several times its size.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from i18n import _
from parsers.errors import LimitExceeded, UnreadableDocument
from parsers.limits import DEFAULT_LIMITS, ParseLimits, byte_size

#: What the parts of one document may inflate to together; a real report is under 5 MB.
MAX_UNZIPPED_BYTES = DEFAULT_LIMITS.max_unzipped_bytes
_BLOCK = 1 << 20


def _too_big(source_name: str, part: str | None, limit: int) -> LimitExceeded:
    """The whole archive (``part`` None) or one XML part inflates beyond ``limit``."""
    if part is None:
        problem = _(
            "its zip parts inflate to more than {size} (the limit for one document), more than "
            "any report needs: not read"
        )
    else:
        problem = _(
            "its part {part} inflates to more than {size} (the limit for one XML part), more "
            "than any report needs: not read"
        )
    return LimitExceeded(source_name, problem.format(part=part, size=byte_size(limit)))


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def check_unzipped_size(
    archive: zipfile.ZipFile,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    keep: tuple[str, ...] = (),
) -> dict[str, bytes]:
    """Raise LimitExceeded if the archive inflates beyond ``limits``, before any parsing.

    Shared by every zip-based reader (.docx, .xlsx): call it on the open archive first.
    The parts named in ``keep`` that the archive holds are returned as inflated here, so
    that a reader that needs only those parts does not inflate them a second time.
    """
    members = archive.infolist()
    total_limit, part_limit = limits.max_unzipped_bytes, limits.max_xml_part_bytes
    whole = (None, total_limit)
    if sum(info.file_size for info in members) > total_limit:
        raise _too_big(source_name, *whole)
    for info in members:
        if _is_xml(info.filename) and info.file_size > part_limit:
            raise _too_big(source_name, info.filename, part_limit)
    total = 0
    kept: dict[str, bytes] = {}
    try:
        for info in members:
            part = 0
            blocks: list[bytes] | None = [] if info.filename in keep else None
            with archive.open(info) as member:
                while block := member.read(_BLOCK):
                    if blocks is not None:
                        blocks.append(block)
                    total += len(block)
                    part += len(block)
                    if total > total_limit:
                        raise _too_big(source_name, *whole)
                    if _is_xml(info.filename) and part > part_limit:
                        raise _too_big(
                            source_name,
                            info.filename,
                            part_limit,
                        )
            if blocks is not None:
                kept[info.filename] = b"".join(blocks)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnreadableDocument(
            source_name, _("the file is damaged ({exc}): send it again").format(exc=exc)
        ) from None
    return kept


# An Office 97-2003 file, and an encrypted Office file (a zip put in an OLE container).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def refuse_empty_or_ole(data: bytes, source_name: str, *, encrypted: str, old_format: str) -> None:
    """An empty file, a password-protected one or an old binary Office file, each refused in
    the format's own words (``encrypted``, ``old_format``), before the zip is looked at."""
    if not data:
        raise UnreadableDocument(source_name, _("the file is empty"))
    if data.startswith(_OLE_MAGIC):
        raise UnreadableDocument(
            source_name, encrypted if _ENCRYPTED_STREAM in data else old_format
        )


def check_office_zip(
    data: bytes,
    source_name: str,
    limits: ParseLimits,
    *,
    main_part: str,
    not_zip: str,
    without_main_part: str,
    also: tuple[str, ...] = (),
) -> dict[str, bytes]:
    """The checks a .docx and a .xlsx share before their library opens them: ``data`` is a
    whole zip archive, holds ``main_part``, and inflates within ``limits``; the bytes of the
    main part and of those parts in ``also`` the archive holds, inflated while checking.

    ``not_zip`` and ``without_main_part`` are the format's own messages (translated whole).
    """
    if not data.startswith(b"PK"):
        raise UnreadableDocument(source_name, not_zip)
    try:
        # A truncated download keeps the zip's first entries but loses the directory at the end.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if main_part not in archive.namelist():
                raise UnreadableDocument(source_name, without_main_part)
            parts = check_unzipped_size(archive, source_name, limits, keep=(main_part, *also))
    except zipfile.BadZipFile:
        raise UnreadableDocument(
            source_name,
            _(
                "the file is damaged (an incomplete zip archive, as left by a cut-off download "
                "or attachment): send it again"
            ),
        ) from None
    return parts
