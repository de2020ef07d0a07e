"""``minsheng report``: a region's month as text for the terminal and as a page with charts."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console

from pipelines.cli.tables import print_table
from pipelines.reports.charts import Bar, Series, bar_chart, line_chart
from warehouse.monthly import MonthSummary

MOVERS = 5  # rows shown for the biggest moves each way


def _num(value: object) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _signed(value: object) -> str:
    number = _num(value)
    return "" if number is None else f"{number:+g}"


def _pct(value: object) -> str:
    number = _num(value)
    return "" if number is None else f"{number:g}%"


def _item(no: object, sub: object) -> str:
    return f"({int(no)})" + (f"·{int(sub)}" if int(sub) > 1 else "")  # type: ignore[call-overload]


def movers(summary: MonthSummary) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The biggest rises and falls since each project's previous month (zero moves left out)."""
    moved = summary.movers[summary.movers["change_pct"] != 0]
    up = moved[moved["change_pct"] > 0].head(MOVERS)
    down = moved[moved["change_pct"] < 0].sort_values("change_pct").head(MOVERS)
    return up, down


def headline(summary: MonthSummary) -> list[str]:
    """The month in three lines: what was read, the counts, how they moved."""
    o = summary.overview
    before = o["previous_month"]
    has_before = _num(before) is not None
    source = f"from {o['source_name']}" if isinstance(o["source_name"], str) else ""
    counts = (
        f"{int(o['items'])} items, {int(o['items_complete'])} complete, "
        f"{int(o['items_lagging'])} behind schedule, mean completion "
        f"{_pct(o['avg_completion_pct'])}"
    )
    lines = [f"{summary.region} {summary.year}年{summary.month}月 {source}".rstrip(), counts]
    if has_before:
        lines.append(
            f"since {int(before)}月: behind {int(o['previous_items_lagging'])} → "
            f"{int(o['items_lagging'])}, complete {int(o['previous_items_complete'])} → "
            f"{int(o['items_complete'])}, mean completion "
            f"{_signed(o['avg_completion_pct'] - o['previous_avg_completion_pct'])} points"
        )
    else:
        lines.append("first reported month of the year: nothing to compare with")
    return lines


def _lagging_frame(summary: MonthSummary) -> pd.DataFrame:
    lag = summary.lagging
    return pd.DataFrame(
        {
            "item": [_item(n, s) for n, s in zip(lag["item_no"], lag["sub_no"], strict=True)],
            "project": lag["content"],
            "department": lag["department"],
            "leader": lag["leader"],
            "completion": lag["completion_pct"].map(_pct),
            "change": lag["change_pct"].map(_signed),
            "months behind": lag["consecutive_months"].astype(int),
            "since": lag["behind_since"].map(lambda m: f"{int(m)}月"),
        }
    )


def _movers_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": [_item(n, s) for n, s in zip(frame["item_no"], frame["sub_no"], strict=True)],
            "project": frame["content"],
            "department": frame["department"],
            "completion": frame["completion_pct"].map(_pct),
            "change": frame["change_pct"].map(_signed),
            "compared with": [
                f"({int(p)}) in {int(m)}月" if int(p) != int(n) else f"{int(m)}月"
                for n, p, m in zip(
                    frame["item_no"],
                    frame["previous_item_no"],
                    frame["previous_month"],
                    strict=True,
                )
            ],
        }
    )


def _departments_frame(summary: MonthSummary) -> pd.DataFrame:
    d = summary.departments
    return pd.DataFrame(
        {
            "department": d["department"],
            "items": d["items"].astype(int),
            "mean": d["avg_completion_pct"].map(_pct),
            "change": d["change_pct"].map(_signed),
            "behind": d["items_lagging"].astype(int),
            "complete": d["items_complete"].astype(int),
            "items behind": d["lagging_item_nos"].fillna(""),
        }
    )


def print_summary(summary: MonthSummary, console: Console) -> None:
    """The month as text: headline, rows behind with streaks, recovered, movers, departments."""
    for line in headline(summary):
        console.print(line, highlight=False, markup=False)

    def section(title: str, frame: pd.DataFrame, empty: str) -> None:
        console.print(f"\n[bold]{title}[/]")
        if frame.empty:
            console.print(f"  {empty}")
            return
        print_table(frame, console, 28)

    section("Behind schedule", _lagging_frame(summary), "none")
    if not summary.recovered.empty:
        recovered = summary.recovered
        names = ", ".join(
            _item(n, s) for n, s in zip(recovered["item_no"], recovered["sub_no"], strict=True)
        )
        console.print(
            f"\nNo longer behind since {int(recovered['previous_month'].iloc[0])}月: {names}",
            highlight=False,
        )
    up, down = movers(summary)
    section("Biggest rises", _movers_frame(up), "none")
    section("Biggest falls", _movers_frame(down), "none")
    section("Departments", _departments_frame(summary), "none")


def _trend_series(summary: MonthSummary) -> list[Series]:
    lagging = summary.lagging
    out: list[Series] = []
    for row in lagging.itertuples(index=False):
        points = summary.trend[
            (summary.trend["item_key"] == row.item_key) & (summary.trend["sub_no"] == row.sub_no)
        ]
        out.append(
            Series(
                label=_item(row.item_no, row.sub_no),
                title=f"{_item(row.item_no, row.sub_no)} {row.content}",
                points=tuple(
                    (int(p.month), float(p.completion_pct), bool(p.is_lagging))
                    for p in points.itertuples(index=False)
                ),
            )
        )
    return out


def _bars(summary: MonthSummary) -> list[Bar]:
    d = summary.departments.sort_values(["avg_completion_pct", "department"])
    return [
        Bar(
            label=row.department,
            value=float(row.avg_completion_pct),
            previous=(
                None
                if _num(row.change_pct) is None
                else float(row.avg_completion_pct) - float(row.change_pct)
            ),
            behind=int(row.items_lagging),
            items=int(row.items),
        )
        for row in d.itertuples(index=False)
    ]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict(orient="records")


def render_html(summary: MonthSummary, *, database: str | None = None) -> str:
    """A self-contained page: headline, charts as inline SVG, the tables."""
    env = Environment(
        loader=PackageLoader("pipelines.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    months = sorted(set(summary.trend["month"].astype(int)) | {summary.month})
    up, down = movers(summary)
    return env.get_template("monthly.html.j2").render(
        summary=summary,
        headline=headline(summary),
        previous=_num(summary.overview["previous_month"]) is not None,
        trend_svg=line_chart(_trend_series(summary), months) if len(summary.lagging) else "",
        departments_svg=bar_chart(_bars(summary)),
        lagging=_records(_lagging_frame(summary)),
        recovered=_records(summary.recovered),
        up=_records(_movers_frame(up)),
        down=_records(_movers_frame(down)),
        departments=_records(_departments_frame(summary)),
        database=database,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def write_html(summary: MonthSummary, path: str | Path, *, database: str | None = None) -> Path:
    """Write the page, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(summary, database=database), encoding="utf-8")
    return path
