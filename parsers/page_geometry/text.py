"""Cell text from a PDF's characters: wrapped lines joined as a reader joins them."""

from __future__ import annotations

import re

from pdfplumber.utils import extract_text

_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"  # ideographs, CJK and full-width punctuation
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def join_lines(left: str, right: str) -> str:
    """Join two pieces of one cell's text: a space only between two ASCII letters or digits."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def unwrap(text: str) -> str:
    """A cell's text with its wrapped lines joined (``'市生态环境\\n局'`` → ``'市生态环境局'``)."""
    joined = ""
    for line in text.split("\n"):
        joined = join_lines(joined, line)
    return joined.strip()


def title_text(text: str) -> str:
    """The title's lines joined; the gaps a PDF leaves between Chinese and digits removed."""
    return _CJK_SPACE.sub("", " ".join(line.strip() for line in text.splitlines())).strip()


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _cell_text(chars: list[dict]) -> str:
    return unwrap(extract_text(chars)) if chars else ""


def _middle(char: dict) -> tuple[float, float]:
    return (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
