"""This month at a glance: each region's state for a period, from the warehouse (what is loaded,
by whatever route) and the intake page's submissions (what was sent and not loaded)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import TYPE_CHECKING, Any

from i18n import _

if TYPE_CHECKING:
    from pipelines.web.app import WebSettings
    from pipelines.web.store import Account, Store

#: A region's state for a period, in the order the page lists them.
STATES = ("missing", "not_submitted", "problems", "loaded")


def state_text(state: str) -> str:
    return {
        "missing": _("missing after the due day"),
        "not_submitted": _("not yet submitted"),
        "problems": _("submitted with problems"),
        "loaded": _("loaded"),
    }[state]


def default_period(today: date) -> tuple[int, int]:
    """The month whose reports are due now: the one before ``today``'s."""
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def due_date(year: int, month: int, due_day: int) -> date:
    """Reports of ``year``-``month`` are due on ``due_day`` of the month after it."""
    y, m = (year, month + 1) if month < 12 else (year + 1, 1)
    return date(y, m, min(due_day, 28))


def month_status(
    store: Store,
    settings: WebSettings,
    account: Account,
    year: int | None,
    month: int | None,
    today: date,
) -> dict[str, Any]:
    """Each region ``account`` may see, for the period (the month before ``today`` by default):
    its state, the date, the counts and the submission whose report tells more."""
    from pipelines.core.settings import PeriodOptions
    from warehouse import WarehouseError, period_reports

    if year is None or month is None:
        year, month = default_period(today)
    PeriodOptions(year=year, month=month)  # the same bounds as --year / --month
    due = due_date(year, month, settings.due_day)
    loaded: dict[str, dict[str, Any]] = {}
    if settings.run.db.exists():
        try:
            frame = period_reports(settings.run.db, year, month)
        except WarehouseError:
            frame = None
        if frame is not None:
            for found in frame.to_dict("records"):
                if found["status"] != "rejected":
                    loaded.setdefault(str(found["region"]), found)
    sent: dict[str, tuple[Any, dict[str, Any]]] = {}
    for submission in store.submissions():  # the latest first
        for document in (submission.report or {}).get("documents", []):
            if document.get("year") == year and document.get("month") == month:
                region = document.get("region")
                if region:
                    sent.setdefault(str(region), (submission, document))
    regions = sorted(set(store.office_regions()) | set(loaded) | set(sent))
    rows = []
    for region in regions:
        if not account.may_see([region]):
            continue
        row: dict[str, Any] = dict(
            region=region, state="not_submitted", date=None, rows_loaded=None,
            rows_quarantined=None, source_name=None, submission=None, office=None,
        )  # fmt: skip
        if region in sent:
            submission, document = sent[region]
            row.update(
                state="problems", date=submission.created_at[:10], office=submission.name,
                rows_loaded=document["rows_loaded"], rows_quarantined=document["rows_quarantined"],
                source_name=document["source_name"], submission=submission.id,
            )  # fmt: skip
        if region in loaded:
            found = loaded[region]
            at = found["ingested_at"]
            row.update(
                state="loaded",
                date=str(at)[:10],
                rows_loaded=int(found["rows_loaded"]),
                rows_quarantined=int(found["rows_quarantined"]),
                source_name=found["source_name"],
            )
        elif row["state"] == "not_submitted" and today > due:
            row["state"] = "missing"
        rows.append(row)
    return dict(
        year=year,
        month=month,
        due=due,
        rows=rows,
        missing=[r["region"] for r in rows if r["state"] == "missing"],
    )


def status_csv(status: dict[str, Any]) -> str:
    """The month's status as CSV (a BOM first, so that Excel opens the Chinese right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        ["region", "year", "month", "state", "date", "rows_loaded", "rows_quarantined",
         "source_name", "office"]
    )  # fmt: skip
    for row in status["rows"]:
        writer.writerow(
            [_cell(row["region"]), status["year"], status["month"], row["state"],
             row["date"] or "", _cell(row["rows_loaded"]), _cell(row["rows_quarantined"]),
             _cell(row["source_name"]), _cell(row["office"])]
        )  # fmt: skip
    return out.getvalue()


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (names come from documents)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
