"""One text normalisation for every format: NFKC plus CJK radicals folded to ideographs."""

from __future__ import annotations

import unicodedata

import pytest

from parsers.normalize import (
    RADICAL_TO_IDEOGRAPH,
    SHARED_GLYPHS,
    UNMAPPED_RADICALS,
    normalize_text,
)


def is_unified_ideograph(char: str) -> bool:
    return len(char) == 1 and unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


@pytest.mark.parametrize("block", [range(0x2E80, 0x2F00), range(0x2F00, 0x2FE0)])
def test_every_radical_code_point_folds_to_an_ideograph_or_is_listed_as_without_one(
    block: range,
) -> None:
    for code in block:
        char = chr(code)
        if unicodedata.category(char) == "Cn":  # unassigned
            assert code not in RADICAL_TO_IDEOGRAPH and code not in UNMAPPED_RADICALS
            continue
        folded = normalize_text(char)
        if code in UNMAPPED_RADICALS:
            assert folded == char, hex(code)
        else:
            assert is_unified_ideograph(folded), (hex(code), folded)
            if code in RADICAL_TO_IDEOGRAPH:
                assert folded == chr(RADICAL_TO_IDEOGRAPH[code])


def test_the_table_maps_only_radicals_to_ideographs_nfkc_leaves_alone() -> None:
    for radical, ideograph in RADICAL_TO_IDEOGRAPH.items():
        assert 0x2E80 <= radical <= 0x2EFF
        assert is_unified_ideograph(chr(ideograph))
        assert unicodedata.normalize("NFKC", chr(ideograph)) == chr(ideograph)
    for shared, meant in SHARED_GLYPHS.items():
        assert normalize_text(chr(shared)) == chr(meant)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("市卫⽣健康局", "市卫生健康局"),  # Kangxi radical U+2F63
        ("⺠⽣实事", "民生实事"),  # CJK Radicals Supplement U+2EA0
        ("⻩李虎", "黄李虎"),
        ("⻢⾦晓", "马金晓"),
        ("西⻔片区", "西门片区"),
        ("200戶以上", "200户以上"),
        ("（１２）７２％", "(12)72%"),  # full-width forms
        ("市教育局", "市教育局"),
    ],
)
def test_text_from_any_producer_is_folded(written: str, normal: str) -> None:
    assert normalize_text(written) == normal
