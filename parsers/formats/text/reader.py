"""Text reports: the bytes decoded, then the table read by the separator its header uses.

``|`` (also typed full-width, ``｜``) is read by ``bar_table``; a tab or a comma (a sheet saved
as text or CSV) by ``delimited``. What both share is in ``shared``.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from i18n import _
from parsers.errors import LimitExceeded, UnreadableDocument
from parsers.formats.text.bar_table import BarHeader, bars_to_grid, find_bar_header, with_bars
from parsers.formats.text.delimited import read_delimited
from parsers.formats.text.shared import no_header
from parsers.layouts import Layouts
from parsers.limits import DEFAULT_LIMITS, ParseLimits
from parsers.model import TableRead
from parsers.period import choose_title


def decode_text(data: bytes, source_name: str) -> str:
    """Bytes → text: BOMs first, then UTF-8, then GB18030, then charset detection."""
    if not data.strip():
        raise UnreadableDocument(source_name, _("the file is empty"))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            # Some tools put the UTF-8 mark before whatever they write: GB18030 behind it
            # is still read as GB18030 (or as what the detection below says).
            data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableDocument(source_name, _("this is a binary file, not a text report"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(
            source_name, _("cannot tell the text encoding: save it as UTF-8 or GB18030")
        )
    return str(best)


# Chinese characters, and a run of them long enough to show in a message.
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,8}")


def _as_latin_bytes(text: str) -> bytes | None:
    """The bytes an editor reading Windows-1252 (Latin-1 for the five bytes it leaves
    undefined) took for ``text``; None if it holds a character neither has."""
    raw = bytearray()
    for char in text:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            raw.append(ord(char))
    return bytes(raw)


def utf8_read_as_latin(text: str) -> str | None:
    """The text meant, when ``text`` is UTF-8 opened as Windows-1252 and saved again
    (``ä¹æ¸…å¸‚`` for ``乐清市``); None when it is not that."""
    if _CJK.search(text):
        return None
    raw = _as_latin_bytes(text)
    try:
        meant = raw.decode("utf-8") if raw is not None else None
    except UnicodeDecodeError:
        return None
    return meant if meant is not None and _CJK.search(meant) else None


def mojibake_error(source_name: str, meant: str) -> UnreadableDocument:
    """The document refused, with a piece of its text as it shows and as it was meant."""
    found = _CJK_RUN.search(meant)
    sample = found.group(0) if found else ""
    # as an editor shows it: the bytes Windows-1252 leaves undefined show as nothing
    shown = sample.encode("utf-8").decode("cp1252", errors="ignore")
    return UnreadableDocument(
        source_name,
        _(
            "the text is UTF-8 that was opened as Western European (Windows-1252) and saved "
            "again: it shows '{shown}' for '{meant}'. Ask for the original file, or open this "
            "one as Windows-1252 and save it as UTF-8"
        ).format(shown=shown, meant=sample),
    )


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def check_line_length(text: str, source_name: str, limits: ParseLimits) -> None:
    """A line longer than ``limits.max_line_chars`` rejects the document before it is split
    into cells (one 95 MB line of ``|`` would make tens of millions of them)."""
    longest = limits.max_line_chars
    if len(text) <= longest:
        return
    start, line = 0, 1
    for line_break in _LINE_BREAK.finditer(text):  # linear, whatever the lines
        if line_break.start() - start > longest:
            break
        start, line = line_break.end(), line + 1
    else:
        if len(text) - start <= longest:  # the last line, without a break after it
            return
    raise LimitExceeded(
        source_name,
        _(
            "line {line} is longer than {limit:,} characters (the limit on a line of a text "
            "report, ParseLimits.max_line_chars): not a report's table; check the file"
        ).format(line=line, limit=longest),
    )


def read_text(
    data: bytes,
    source_name: str,
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    layouts: Layouts | None = None,
) -> TableRead:
    """A text report's bytes → its table, as grid rows with their line numbers.

    The separator is the one the header line uses: ``|`` (also typed full-width, ``｜``),
    else a tab or a comma (a sheet saved as text or CSV, read by ``delimited``). A
    text table writes a merged cell as an empty cell or leaves it out, so empty department
    and leader cells under filled ones are read as merged (with a warning).
    """
    decoded = decode_text(data, source_name)
    check_line_length(decoded, source_name, limits)
    text = with_bars(decoded)
    lines = text.splitlines()
    found = find_bar_header(lines, layouts)
    if not isinstance(found, BarHeader):
        read = read_delimited(text, source_name, layouts)
        if isinstance(read, TableRead):
            return read
        meant = utf8_read_as_latin(decoded)
        if meant is not None:
            raise mojibake_error(source_name, meant)
        raise no_header(source_name, [m for m in (found, *read) if m])
    preamble, grid, rejected, issues, seen = bars_to_grid(lines, found, source_name, layouts)
    return TableRead(
        seen=seen,
        header_month=found.header.month,
        title=choose_title(preamble),
        grid=grid,
        rejected=rejected,
        issues=issues,
        header=found.header,
        empty_cells_merge=True,
    )
