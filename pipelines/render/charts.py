"""Inline SVG charts for the monthly page, drawn here so the page needs no script or network."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from i18n import _, month_short

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif'
BEHIND = "#b3261e"


@dataclass(frozen=True)
class Series:
    """One line: a label and (month, completion %, behind schedule) points in month order."""

    label: str
    title: str
    points: tuple[tuple[int, float, bool], ...]


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as close to ``wanted`` as possible, at least ``gap`` apart, within bounds."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed: list[float] = [0.0] * len(wanted)
    last = low - gap
    for i in order:
        placed[i] = max(wanted[i], last + gap)
        last = placed[i]
    overflow = last - high
    if overflow > 0:  # pushed past the bottom: shift the stack up
        for i in order:
            placed[i] = max(low, placed[i] - overflow)
    return placed


def line_chart(
    series: list[Series], months: list[int], *, width: int = 760, height: int = 320
) -> str:
    """Completion (0–100 %) by month, a line per series; filled dots mark months behind."""
    left, right, top, bottom = 44, 150, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(len(months) - 1, 1)

    def x(month: int) -> float:
        return (
            left + (months.index(month) / span) * plot_w if len(months) > 1 else left + plot_w / 2
        )

    def y(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(value, 100.0)) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT}\' font-size="12" role="img">'
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#e3e6ec"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'fill="#5b6475">{tick}%</text>'
        )
    for month in months:
        parts.append(
            f'<text x="{x(month):.1f}" y="{height - 12}" text-anchor="middle" '
            f'fill="#5b6475">{escape(month_short(month))}</text>'
        )
    ends: list[float] = []
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v, _ in s.points if m in months)
        parts.append(f"<g><title>{escape(s.title)}</title>")
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for m, v, behind in s.points:
            if m not in months:
                continue
            fill = color if behind else "#ffffff"
            title = (
                _("{item} {month}: {completion}, behind schedule")
                if behind
                else _("{item} {month}: {completion}")
            ).format(item=s.label, month=month_short(m), completion=f"{v:g}%")
            parts.append(
                f'<circle cx="{x(m):.1f}" cy="{y(v):.1f}" r="4" fill="{fill}" '
                f'stroke="{color}" stroke-width="2"><title>{escape(title)}</title></circle>'
            )
        parts.append("</g>")
        ends.append(y(s.points[-1][1]) if s.points else top)
    for i, (s, label_y) in enumerate(
        zip(series, _spread(ends, 14, top + 4, top + plot_h), strict=True)
    ):
        color = PALETTE[i % len(PALETTE)]
        last = s.points[-1] if s.points else (months[-1], 0.0, False)
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{label_y + 4:.1f}" fill="{color}">'
            f"{escape(s.label)} {last[1]:g}%</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One department: mean completion now and before, items behind of items."""

    label: str
    value: float
    previous: float | None
    behind: int
    items: int


def bar_chart(bars: list[Bar], *, width: int = 760, row: int = 24) -> str:
    """Horizontal bars of mean completion; a tick marks the previous month's mean."""
    left, right, top = 170, 130, 22
    plot_w = width - left - right
    height = top + row * len(bars) + 26

    def x(value: float) -> float:
        return left + plot_w * max(0.0, min(value, 100.0)) / 100

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT}\' font-size="12" role="img">'
    ]
    for tick in (0, 50, 100):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top - 6}" '
            f'y2="{height - 22}" stroke="#e3e6ec"/>'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{top - 9}" text-anchor="middle" '
            f'fill="#5b6475">{tick}%</text>'
        )
    for i, bar in enumerate(bars):
        y0 = top + i * row
        color = BEHIND if bar.behind else "#4a78b5"
        title = (
            _("{department}: {mean} (before {before}), {behind} of {items} behind")
            if bar.previous is not None
            else _("{department}: {mean}, {behind} of {items} behind")
        ).format(
            department=bar.label,
            mean=f"{bar.value:g}%",
            before=f"{bar.previous:g}%" if bar.previous is not None else "",
            behind=bar.behind,
            items=bar.items,
        )
        parts.append(f"<g><title>{escape(title)}</title>")
        parts.append(
            f'<text x="{left - 8}" y="{y0 + row / 2 + 4:.1f}" text-anchor="end" '
            f'fill="#1d2330">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y0 + 4}" width="{x(bar.value) - left:.1f}" '
            f'height="{row - 8}" fill="{color}" opacity="0.85"/>'
        )
        if bar.previous is not None:
            parts.append(
                f'<line x1="{x(bar.previous):.1f}" x2="{x(bar.previous):.1f}" '
                f'y1="{y0 + 1}" y2="{y0 + row - 1}" stroke="#1d2330" '
                'stroke-width="2"/>'
            )
        note = (
            _("{mean} · {behind} behind").format(mean=f"{bar.value:g}%", behind=bar.behind)
            if bar.behind
            else f"{bar.value:g}%"
        )
        parts.append(
            f'<text x="{left + plot_w + 8}" y="{y0 + row / 2 + 4:.1f}" '
            f'fill="{BEHIND if bar.behind else "#1d2330"}">{escape(note)}</text>'
        )
        parts.append("</g>")
    legend = _(
        "bar: mean completion of the department's items; black tick: previous month; "
        "red: items behind"
    )
    parts.append(f'<text x="{left}" y="{height - 6}" fill="#5b6475">{escape(legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)
