"""Web page and spreadsheet readers against the naive way: ``pandas.read_html`` and
``pandas.read_excel`` on the August report. Prints medians, ratios, and what the naive
results get wrong; it is a measurement, not a test.

    python -m bench.formats_compare [--runs 20]

Both sides start from the file's bytes. Ours ends with progress rows (merged cells
inherited and flagged, item rows numbered); pandas ends with a DataFrame of the table as
it finds it, which is less work and less right: what it gets wrong is counted below.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pandas as pd

from bench.timing import median_seconds
from parsers import parse_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
HTML = FIXTURES / "html" / "yueqing-2022-08.html"
GBK_HTML = FIXTURES / "html" / "yueqing-2022-08-gb2312.html"
XLSX = FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"


def naive_html(data: bytes) -> pd.DataFrame:
    """pandas' way: every ``<table>`` of the page, the one that has 完成率 kept."""
    return pd.read_html(io.BytesIO(data), match="完成率", flavor="lxml")[0]


def naive_excel(data: bytes) -> pd.DataFrame:
    """pandas' way: the first sheet, the header on its second row (the title row skipped)."""
    return pd.read_excel(io.BytesIO(data), header=1)


def _mismatches(ours: pd.DataFrame, theirs: pd.DataFrame) -> dict[str, int]:
    """Cells of department, leader and completion where pandas differs from our rows."""
    columns = {"department": 4, "leader": 5, "completion_raw": 3}
    out = {}
    for name, position in columns.items():
        values = theirs.iloc[:, position].tolist()
        out[name] = sum(
            1
            for a, b in zip(ours[name].tolist(), values, strict=False)
            if (str(b) if not pd.isna(b) else "") != a
        ) + abs(len(values) - len(ours))
    return out


def compare(runs: int) -> list[tuple[str, float, float, float, str]]:
    """(what, our reader's seconds, our whole parse's, pandas', what pandas got wrong)."""
    from parsers.formats.html import read_html
    from parsers.formats.xlsx import read_xlsx

    found = []
    for path, name, reader, naive in (
        (HTML, "html", read_html, naive_html),
        (GBK_HTML, "html (gb2312 label)", read_html, naive_html),
        (XLSX, "xlsx", read_xlsx, naive_excel),
    ):
        data, file_name = path.read_bytes(), path.name
        table = median_seconds(lambda d=data, r=reader, f=file_name: r(d, f), runs)  # type: ignore[misc]
        ours = median_seconds(lambda d=data, f=file_name: parse_bytes(d, f), runs)
        theirs = median_seconds(lambda data=data, naive=naive: naive(data), runs)
        rows = parse_bytes(data, path.name).rows
        frame = naive(data)
        wrong = _mismatches(rows, frame)
        notes = [f"{len(frame)} of {len(rows)} rows"]
        if name.startswith("html"):
            repeated = int(rows["department_inherited"].sum() + rows["leader_inherited"].sum())
            if len(frame) == len(rows):
                notes.append(
                    f"rowspan values copied into {repeated} cells with nothing to say they were "
                    "merged (no inherited flag)"
                )
            text = " ".join(str(v) for v in frame.to_numpy().ravel())
            lost = sum(text.count(c) for c in "垟琯")
            expected = sum(" ".join(rows["actual_text"]).count(c) for c in "垟琯")
            if lost != expected:
                notes.append(
                    f"垟/琯 read {lost} times of {expected}: the gb2312 label taken literally, "
                    "the page is cut at the first GBK-only character"
                )
            twice = frame.iloc[:, 0].duplicated().sum()
            notes.append(f"{twice} item row(s) repeating the project text instead of sub_no 2")
        else:
            notes.append(f"{int(frame.iloc[:, 4].isna().sum())} department cells NaN (merged)")
            notes.append(f"{int(frame.iloc[:, 5].isna().sum())} leader cells NaN (merged)")
            numbers = sum(isinstance(v, int | float) for v in frame.iloc[:, 3])
            notes.append(f"{numbers} completion rates as bare numbers (0.72, 72)")
        notes.append(
            "cells differing from ours: " + ", ".join(f"{k} {v}" for k, v in wrong.items())
        )
        found.append((name, table, ours, theirs, "; ".join(notes)))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.formats_compare", description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    for name, table, ours, theirs, notes in compare(args.runs):
        print(
            f"{name:<20} our reader {table * 1000:6.1f} ms ({table / theirs:.2f}× pandas' "
            f"time), whole parse {ours * 1000:6.1f} ms ({ours / theirs:.2f}×), "
            f"pandas {theirs * 1000:6.1f} ms"
        )
        print(f"{'':<20} pandas: {notes}")


if __name__ == "__main__":
    main()
