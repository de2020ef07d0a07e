"""Characters that act on a screen instead of showing: control characters and direction marks.

A cell or a file name may hold ``ESC [2J`` (clear the screen), ``ESC ]0;…`` (set the window
title), C1 controls such as ``\\x9b`` (CSI on some terminals) or the right-to-left override
``U+202E``, which makes ``exe.txt`` read as ``txt.exe``. The warehouse keeps them as written;
every output shows them as escapes (``\\x1b``, ``\\u202e``), each medium where it prints
(the terminal, CSV, HTML, Markdown), and the checks report a cell that holds one.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, and the Unicode direction marks, overrides and isolates.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Line breaks and tabs: text in a cell, not controls, where the medium can show them.
LAYOUT = "\t\n\r"


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    if match.group() in _NAMED:
        return _NAMED[match.group()]
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show_controls(text: str, *, keep: str = "") -> str:
    """``text`` with each control character or direction mark written as an escape
    (``\\x1b``, ``\\u202e``, a line break as ``\\n``), except the characters in ``keep``."""
    if keep:
        return CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return CONTROLS.sub(_escape, text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character or direction mark other than a line break
    or a tab."""
    return any(m.group() not in LAYOUT for m in CONTROLS.finditer(text))
