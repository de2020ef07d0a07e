"""One text normalisation for every reader: what a PDF's text layer spells oddly, folded.

Browsers and some PDF producers map CJK glyphs in the text layer to radical code points
that look the same as the ideograph (``⽣`` U+2F63 for 生, ``⺠`` U+2EA0 for 民, ``⻩`` U+2EE9
for 黄). Stored as they are, ``市卫⽣健康局`` and ``市卫生健康局`` are two departments. NFKC
folds the Kangxi Radicals block (U+2F00–U+2FDF) and full-width forms, but only two code
points of the CJK Radicals Supplement (U+2E80–U+2EFF); ``RADICAL_TO_IDEOGRAPH`` folds the
rest, with the equivalents of Unicode's ``EquivalentUnifiedIdeograph.txt``. Radicals that
have no equivalent unified ideograph there (``UNMAPPED_RADICALS``) are left as they are.

The grid step (``parsers.grid``) applies ``normalize_text`` to every cell before the rules
of the table run, so every format's rows pass through it; ``raw`` keeps the text as written.
"""

from __future__ import annotations

import unicodedata

#: CJK Radicals Supplement code point → the unified ideograph it stands for.
RADICAL_TO_IDEOGRAPH: dict[int, int] = {
    0x2E80: 0x51AB,
    0x2E81: 0x5382,
    0x2E82: 0x4E5B,
    0x2E83: 0x4E5A,
    0x2E84: 0x4E59,
    0x2E85: 0x4EBB,
    0x2E86: 0x5182,
    0x2E89: 0x5202,
    0x2E8A: 0x535C,
    0x2E8B: 0x353E,
    0x2E8E: 0x5140,
    0x2E8F: 0x5C23,
    0x2E90: 0x5C22,
    0x2E92: 0x5DF3,
    0x2E93: 0x5E7A,
    0x2E94: 0x5F51,
    0x2E95: 0x5F50,
    0x2E96: 0x5FC4,
    0x2E97: 0x38FA,
    0x2E98: 0x624C,
    0x2E99: 0x6535,
    0x2E9B: 0x65E1,
    0x2E9D: 0x6708,
    0x2E9E: 0x6B7A,
    0x2E9F: 0x6BCD,
    0x2EA0: 0x6C11,
    0x2EA1: 0x6C35,
    0x2EA2: 0x6C3A,
    0x2EA3: 0x706C,
    0x2EA5: 0x722B,
    0x2EA6: 0x4E2C,
    0x2EA8: 0x72AD,
    0x2EAB: 0x7F52,
    0x2EAC: 0x793A,
    0x2EAD: 0x793B,
    0x2EAF: 0x7CF9,
    0x2EB0: 0x7E9F,
    0x2EB1: 0x7F53,
    0x2EB3: 0x34C1,
    0x2EB4: 0x34C1,
    0x2EB9: 0x8002,
    0x2EBA: 0x8080,
    0x2EBC: 0x6708,
    0x2EBD: 0x81FC,
    0x2EBE: 0x8279,
    0x2EBF: 0x8279,
    0x2EC0: 0x8279,
    0x2EC1: 0x864E,
    0x2EC2: 0x8864,
    0x2EC3: 0x8980,
    0x2EC4: 0x897F,
    0x2EC5: 0x89C1,
    0x2EC8: 0x8BA0,
    0x2EC9: 0x8D1D,
    0x2ECB: 0x8F66,
    0x2ECD: 0x8FB6,
    0x2ECF: 0x961D,
    0x2ED0: 0x9485,
    0x2ED1: 0x9577,
    0x2ED2: 0x9578,
    0x2ED3: 0x957F,
    0x2ED6: 0x961D,
    0x2ED8: 0x9752,
    0x2ED9: 0x97E6,
    0x2EDA: 0x9875,
    0x2EDB: 0x98CE,
    0x2EDC: 0x98DE,
    0x2EDD: 0x98DF,
    0x2EDF: 0x98E0,
    0x2EE0: 0x9963,
    0x2EE2: 0x9A6C,
    0x2EE3: 0x9AA8,
    0x2EE4: 0x9B3C,
    0x2EE5: 0x9C7C,
    0x2EE6: 0x9E1F,
    0x2EE7: 0x5364,
    0x2EE8: 0x9EA6,
    0x2EE9: 0x9EC4,
    0x2EEA: 0x9EFE,
    0x2EEB: 0x6589,
    0x2EEC: 0x9F50,
    0x2EED: 0x6B6F,
    0x2EEE: 0x9F7F,
    0x2EEF: 0x7ADC,
    0x2EF0: 0x9F99,
    0x2EF1: 0x9F9C,
    0x2EF2: 0x4E80,
    0x2EF3: 0x9F9F,
    # Equivalents by the radical's name where the data file gives none in the BMP.
    0x2E9C: 0x65E5,  # SUN → 日
    0x2EA9: 0x738B,  # JADE → 王
    0x2EC6: 0x89D2,  # SIMPLIFIED HORN → 角
    0x2ED4: 0x95E8,  # C-SIMPLIFIED GATE → 门
}

#: Assigned code points of U+2E80–U+2EFF without an equivalent unified ideograph.
UNMAPPED_RADICALS: frozenset[int] = frozenset(
    (0x2E87, 0x2E88, 0x2E8C, 0x2E8D, 0x2E91, 0x2EA4, 0x2EA7, 0x2EAA, 0x2EAE, 0x2EB2)
    + (0x2EB5, 0x2EB6, 0x2EB7, 0x2EB8, 0x2EBB, 0x2EC7, 0x2ECA, 0x2ECC, 0x2ECE, 0x2ED5)
    + (0x2ED7, 0x2EDE, 0x2EE1)
)

#: Code points a CJK font draws with the glyph of another, which the text layer of a
#: browser's PDF gives back instead of the one written (seen with Chromium and Noto CJK:
#: ``200戶`` for ``200户``, a horizontal bar for the dash in ``虹桥—黄塘``). Reports here are
#: written in simplified Chinese, where the second is the character meant.
SHARED_GLYPHS: dict[int, int] = {0x6236: 0x6237, 0x2015: 0x2014}

_FOLD = {radical: chr(ideograph) for radical, ideograph in RADICAL_TO_IDEOGRAPH.items()}
_FOLD.update({shared: chr(meant) for shared, meant in SHARED_GLYPHS.items()})


def normalize_text(text: str) -> str:
    """NFKC, then CJK radicals and shared glyphs folded (``'⺠⽣'`` → ``'民生'``)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def normalize_cell(cell: str | None) -> str | None:
    """``normalize_text`` for a grid cell; ``None`` (covered by a merge) stays ``None``."""
    return None if cell is None else normalize_text(cell)
