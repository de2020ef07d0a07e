"""Odd but real values: a four-digit item number, a completion above 100% in the message."""

from __future__ import annotations

from parsers import ParsedDocument, parse_bytes
from schemas import validate_rows
from tests.helpers import sample_lines


def _parsed(lines: list[str]) -> ParsedDocument:
    return parse_bytes(("\n".join(lines) + "\n").encode("utf-8"), "2022年8月.txt", region="乐清市")


def test_a_four_digit_item_number_is_an_item() -> None:
    lines = sample_lines()
    lines[-1] = lines[-1].replace("(47)", "(1000)", 1)
    doc = _parsed(lines)
    assert not doc.rejected
    assert doc.rows["item_no"].tolist()[-1] == 1000


def test_a_completion_above_100_is_said_with_one_percent_sign() -> None:
    lines = sample_lines()
    lines[1] = lines[1].replace("| 72% |", "| 150% |", 1)
    doc = _parsed(lines)
    validated = validate_rows(doc.rows, region="乐清市", year=2022, month=8, source_name="a.txt")
    messages = [i.message for i in validated.issues if i.check == "completion_at_most_100"]
    assert messages == ["completion rate 150% is above 100%"]
