"""Text a producer draws on both sides of a page break (wkhtmltopdf).

wkhtmltopdf lays the document out as one long sheet and shows it a page at a time through a
clip, the page's margins hidden: the lines near a break are drawn on both pages, one copy in
the bottom margin of the upper page and one in the top margin of the lower, and a PDF's text
layer holds both copies in full. Read as they are, a cut row's last lines come twice, once
as the rest of the row on the next page. A reader sees each line once, on the page where it
shows.

The copies are told by geometry: the same characters at the same x, all at one vertical
offset (the height a page shows), at the bottom of one page and the top of the next. A line
counts as a copy only when (nearly) all its characters are. The page shows its height less
its two margins, taken as equal (wkhtmltopdf's are, unless set otherwise), so the clip lies
half the difference above the page's bottom edge: each copied character is kept on the page
where its middle lies inside that window. A header or footer repeated on every page sits at
the same place on both pages (offset 0) and is not a copy.
"""

from __future__ import annotations

from collections import Counter

from parsers.page_geometry.layout import PageLayout

# Copies of at least this many characters at one offset: a break drawn twice.
_MIN_COPIES = 8
# The copies on the next page lie in its top part, under this share of the offset.
_TOP_SHARE = 0.25
# A line is drawn again when this share of its characters are copies.
_WHOLE_LINE = 0.8
# A page shows most of its height: copies lie more than this share of it apart (a header
# repeated on each page lies less far from its twin on the page before).
_SHOWN = 0.6
# Positions of a copy agree to this many points.
_SAME_PLACE = 0.2

Pair = tuple[dict, dict]


def _key(char: dict) -> tuple[str, float]:
    return char["text"], round(char["x0"], 1)


def drawn_twice(above: PageLayout, below: PageLayout) -> tuple[float, list[Pair]]:
    """The offset and the pairs (character on ``above``, its copy on ``below``) of the lines
    drawn at the bottom of ``above`` and again at the top of ``below``."""
    if not above.chars or not below.chars:
        return 0.0, []
    height = above.height or max(c["bottom"] for c in above.chars)
    by_key: dict[tuple[str, float], list[dict]] = {}
    for char in above.chars:
        by_key.setdefault(_key(char), []).append(char)
    offsets: Counter[float] = Counter()
    for char in below.chars:
        for twin in by_key.get(_key(char), ()):
            offset = round(twin["top"] - char["top"], 1)
            if offset > _SHOWN * height and char["top"] < _TOP_SHARE * offset:
                offsets[offset] += 1
    if not offsets:
        return 0.0, []
    offset, count = offsets.most_common(1)[0]
    if count < _MIN_COPIES:
        return 0.0, []
    lines: dict[float, list[tuple[dict, dict | None]]] = {}
    for char in below.chars:
        if char["top"] >= _TOP_SHARE * offset:
            continue
        same = [
            t
            for t in by_key.get(_key(char), ())
            if abs(t["top"] - char["top"] - offset) <= _SAME_PLACE
        ]
        lines.setdefault(round(char["top"], 1), []).append((char, same[0] if same else None))
    # A copy is a whole line drawn again, not a few characters that happen to fall in place.
    pairs = [
        (twin, char)
        for line in lines.values()
        if sum(twin is not None for _c, twin in line) >= _WHOLE_LINE * len(line)
        for char, twin in line
        if twin is not None
    ]
    return (offset, pairs) if len(pairs) >= _MIN_COPIES else (0.0, [])


def without_copies(pages: list[PageLayout]) -> list[PageLayout]:
    """The pages with each line drawn on both sides of a break kept on the page it shows on."""
    out = list(pages)
    for index in range(1, len(out)):
        above, below = out[index - 1], out[index]
        if below.number != above.number + 1:
            continue
        offset, pairs = drawn_twice(above, below)
        if not pairs:
            continue
        height = above.height or max(c["bottom"] for c in above.chars)
        clip = height - max(height - offset, 0.0) / 2  # the bottom of what the page shows
        hidden_above, hidden_below = set(), set()
        for upper, lower in pairs:
            if (upper["top"] + upper["bottom"]) / 2 < clip:
                hidden_below.add(id(lower))
            else:
                hidden_above.add(id(upper))
        out[index - 1] = above.with_chars([c for c in above.chars if id(c) not in hidden_above])
        out[index] = below.with_chars([c for c in below.chars if id(c) not in hidden_below])
    return out
