"""``minsheng report``: a region's month as text for the terminal and as a page with charts."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from i18n import N_, _, month_name, month_year, nth_month, points
from parsers.controls import show_controls
from pipelines.render.charts import Bar, Series, bar_chart, line_chart
from pipelines.render.tables import print_table
from warehouse.monthly import MonthSummary

MOVERS = 5  # rows shown for the biggest moves each way

# The tables' columns: stable keys (the page's template reads them) and their headings.
HEADINGS = {
    "item": N_("item"),
    "project": N_("project"),
    "department": N_("department"),
    "leader": N_("leader"),
    "completion": N_("completion"),
    "change": N_("change"),
    "months_behind": N_("months behind"),
    "since": N_("since"),
    "compared_with": N_("compared with"),
    "items": N_("items"),
    "mean": N_("mean"),
    "behind": N_("behind"),
    "complete": N_("complete"),
    "items_behind": N_("items behind"),
}


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
    when = month_year(summary.year, summary.month)
    first = (
        _("{region} {month} from {source}").format(
            region=summary.region, month=when, source=o["source_name"]
        )
        if isinstance(o["source_name"], str)
        else f"{summary.region} {when}"
    )
    counts = _(
        "{items} items, {complete} complete, {behind} behind schedule, mean completion {mean}"
    ).format(
        items=int(o["items"]),
        complete=int(o["items_complete"]),
        behind=int(o["items_lagging"]),
        mean=_pct(o["avg_completion_pct"]),
    )
    lines = [first, counts]
    if has_before:
        lines.append(
            _(
                "since {month}: behind {behind_before} → {behind}, complete {complete_before} → "
                "{complete}, mean completion {change}"
            ).format(
                month=month_name(int(before)),
                behind_before=int(o["previous_items_lagging"]),
                behind=int(o["items_lagging"]),
                complete_before=int(o["previous_items_complete"]),
                complete=int(o["items_complete"]),
                change=points(o["avg_completion_pct"] - o["previous_avg_completion_pct"]),
            )
        )
    else:
        lines.append(_("first reported month of the year: nothing to compare with"))
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
            "months_behind": lag["consecutive_months"].map(nth_month),
            "since": lag["behind_since"].map(month_name),
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
            "compared_with": [
                _("({item}) in {month}").format(item=int(p), month=month_name(m))
                if int(p) != int(n)
                else month_name(m)
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
            "items_behind": d["lagging_item_nos"].fillna(""),
        }
    )


def print_summary(summary: MonthSummary, console: Console) -> None:
    """The month as text: headline, rows behind with streaks, recovered, movers, departments."""
    for line in headline(summary):  # it names the report's file: shown as written, not acted on
        console.print(show_controls(line), highlight=False, markup=False)

    def section(title: str, frame: pd.DataFrame) -> None:
        console.print(f"\n[bold]{title}[/]")
        if frame.empty:
            console.print("  " + _("none"))
            return
        print_table(frame.rename(columns=lambda key: _(HEADINGS[key])), console, 28)

    section(_("Behind schedule"), _lagging_frame(summary))
    if not summary.recovered.empty:
        recovered = summary.recovered
        names = _(", ").join(
            _item(n, s) for n, s in zip(recovered["item_no"], recovered["sub_no"], strict=True)
        )
        console.print(
            "\n"
            + _("Behind in {previous}, no longer in {month}: {items}").format(
                previous=month_name(int(recovered["previous_month"].iloc[0])),
                month=month_name(summary.month),
                items=names,
            ),
            highlight=False,
            markup=False,
        )
    up, down = movers(summary)
    section(_("Biggest rises"), _movers_frame(up))
    section(_("Biggest falls"), _movers_frame(down))
    section(_("Departments"), _departments_frame(summary))


def _trend_series(summary: MonthSummary) -> list[Series]:
    lagging = summary.lagging
    out: list[Series] = []
    for row in lagging.itertuples(index=False):
        trend = summary.trend[
            (summary.trend["item_key"] == row.item_key) & (summary.trend["sub_no"] == row.sub_no)
        ]
        out.append(
            Series(
                label=_item(row.item_no, row.sub_no),
                title=f"{_item(row.item_no, row.sub_no)} {row.content}",
                points=tuple(
                    (int(p.month), float(p.completion_pct), bool(p.is_lagging))
                    for p in trend.itertuples(index=False)
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
    from pipelines.render.validation import render_template

    months = sorted(set(summary.trend["month"].astype(int)) | {summary.month})
    up, down = movers(summary)
    return render_template(
        "monthly.html.j2",
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
        headings={key: _(heading) for key, heading in HEADINGS.items()},
        title=_("{region} {month} 民生实事 progress").format(
            region=summary.region, month=month_year(summary.year, summary.month)
        ),
        previous_month=(
            month_name(int(summary.overview["previous_month"]))
            if _num(summary.overview["previous_month"]) is not None
            else ""
        ),
        month=month_name(summary.month),
        recovered_since=(
            month_name(int(summary.recovered["previous_month"].iloc[0]))
            if not summary.recovered.empty
            else ""
        ),
        database=database,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def write_html(summary: MonthSummary, path: str | Path, *, database: str | None = None) -> Path:
    """Write the page, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(summary, database=database), encoding="utf-8")
    return path
