"""A piped query result is laid out in one pass, exactly as rich's table would lay it out."""

from __future__ import annotations

import io
import random

import pandas as pd
from rich.console import Console

from pipelines.render.tables import TEXT_WIDTH, _natural_width, frame_to_table, plain_table

WORDS = ["市住建局", "abc", "", "a b", "（1）推进", "x" * 40, "混合mix文字" * 5, "a\u202eb", None]


def _rich_layout(frame: pd.DataFrame, text_width: int | None) -> str:
    console = Console(file=io.StringIO(), width=80)
    table = frame_to_table(frame, text_width, plain=True)
    console.width = max(_natural_width(console, table), 80)
    console.print(table, crop=False)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _frame(rng: random.Random) -> pd.DataFrame:
    columns: dict[str, list[object]] = {}
    for j in range(rng.randint(1, 6)):
        name = rng.choice(["item_no", "部门", "completion_pct", "x", "leader_name_long"]) + str(j)
        kind = rng.random()
        if kind < 0.3:
            columns[name] = [rng.choice([1.5, 72.0, None, 100.0, 3]) for _ in range(5)]
        elif kind < 0.4:
            columns[name] = [rng.randint(0, 1000) for _ in range(5)]
        else:
            columns[name] = [rng.choice([*WORDS, "王某某x" * rng.randint(1, 12)]) for _ in range(5)]
    return pd.DataFrame(columns)


def test_the_one_pass_layout_is_rich_s_character_for_character() -> None:
    rng = random.Random(7)
    compared = 0
    for _ in range(200):
        frame = _frame(rng)
        for text_width in (TEXT_WIDTH, None):
            fast = plain_table(frame, text_width)
            if fast is not None:
                assert fast == _rich_layout(frame, text_width)
                compared += 1
    assert compared > 300


def test_a_cell_over_several_lines_is_left_to_rich() -> None:
    assert plain_table(pd.DataFrame({"note": ["第一行\n第二行"]}), TEXT_WIDTH) is None
