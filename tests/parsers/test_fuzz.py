"""Arbitrary input to the text parser: only the project's own errors, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import ReportError, parse_bytes
from parsers.cells import split_marker
from parsers.formats.text.bar_table import split_cells
from parsers.formats.text.reader import decode_text
from parsers.table import match_header
from pipelines.core.checking import check_document
from pipelines.core.settings import PeriodOptions
from tests.helpers import sample_lines

NAME = "2022年8月乐清市民生实事.txt"
FUZZ = settings(
    max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LINES = sample_lines()
HEADER = LINES[0]
# Pieces that matter to the parser: cell separators, item markers, merges, percentages.
PIECES = st.sampled_from(
    [
        "|",
        " | ",
        "(1)",
        "（2）",
        "(",
        ")",
        "72%",
        "％",
        "滞后",
        "∕",
        "",
        "8月计划进度",
        "项目内容",
        "\r",
        "\n",
        "\t",
        "\x00",
        "\ufeff",
        "9月",
    ]
)


def _parse(data: bytes) -> None:
    try:
        parse_bytes(data, NAME)
    except ReportError:
        pass


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _parse(data)


@FUZZ
@given(st.text(max_size=500))
def test_arbitrary_text_under_the_header(text: str) -> None:
    _parse(f"{HEADER}\n{text}".encode())


@FUZZ
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40))
def test_table_like_pieces_under_the_header(pieces: list[str]) -> None:
    _parse(f"{HEADER}\n{''.join(pieces)}".encode())


@st.composite
def mutated_sample(draw: st.DrawFn) -> bytes:
    """The sample with a few lines cut, duplicated, spliced with pieces, or cells dropped."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["cut", "dup", "splice", "drop_cell", "truncate"]))
        line = lines[at]
        if how == "cut":
            del lines[at]
        elif how == "dup":
            lines.insert(at, line)
        elif how == "splice":
            pos = draw(st.integers(0, len(line)))
            lines[at] = line[:pos] + draw(PIECES) + line[pos:]
        elif how == "drop_cell":
            cells = line.split("|")
            del cells[draw(st.integers(0, len(cells) - 1))]
            lines[at] = "|".join(cells)
        else:
            lines[at] = line[: draw(st.integers(0, len(line)))]
        if not lines:
            break
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    return "\n".join(lines).encode(encoding, errors="replace")


def _table_lines(text: str) -> int:
    """Lines below the first header that hold cells or start with an item number (a row
    written without its cells) and are not a header again."""
    count, seen_header = 0, False
    for line in text.splitlines():
        if "|" not in line:
            if seen_header and split_marker(line.strip())[0] is not None:
                count += 1
            continue
        if match_header(split_cells(line)) is not None:
            seen_header = True
        elif seen_header:
            count += 1
    return count


def _row_lines(raw: str) -> int:
    """The lines of a row's raw text that ``_table_lines`` counts."""
    return sum(
        1 for line in raw.split("\n") if "|" in line or split_marker(line.strip())[0] is not None
    )


@pytest.mark.heavy
@FUZZ
@given(mutated_sample())
def test_mutated_sample_loses_no_row(data: bytes) -> None:
    try:
        doc = parse_bytes(data, NAME)
    except ReportError:
        return
    # every line of the table is (part of) a row or a rejected row, whatever was done to it;
    # a row wrapped over several lines keeps them all in its raw text
    read = [*doc.rows["raw"], *(r.raw for r in doc.rejected)]
    assert sum(_row_lines(raw) for raw in read) == _table_lines(decode_text(data, NAME))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.heavy
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.one_of(mutated_sample(), st.binary(max_size=500)))
def test_check_document_never_raises(folder: Path, data: bytes) -> None:
    path = folder / NAME
    path.write_bytes(data)
    result = check_document(path, PeriodOptions(region="乐清市"))
    assert result.status in ("loaded", "partial", "rejected")
    assert result.status != "rejected" or result.issues
    # nothing read is lost: every parsed row is kept or quarantined
    if result.status != "rejected" or result.quarantined:
        assert len(result.rows) + len(result.quarantined) >= 1
