"""``minsheng report`` and ``export``: a loaded month printed (and drawn as a page), loaded
periods written as Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from i18n import _
from pipelines.cli.shared import (
    DbOpt,
    LangOpt,
    MonthOpt,
    RegionOpt,
    YearOpt,
    described,
    fail,
    out,
    speak,
)
from pipelines.core.settings import RunSettings, SettingsError


@described(_("Print a region's month: items, complete, behind with streaks, movers, departments."))
def report(
    region: RegionOpt = None,
    year: Annotated[
        int | None, typer.Option("--year", help=_("Year [default: the latest reported]."))
    ] = None,
    month: Annotated[
        int | None,
        typer.Option("--month", help=_("Month 1–12 [default: the latest reported].")),
    ] = None,
    db: DbOpt = None,
    html: Annotated[
        Path | None, typer.Option("--html", help=_("Also write the month as a page with charts."))
    ] = None,
    lang: LangOpt = None,
) -> None:
    speak(lang)
    from pipelines.render.month import print_summary, write_html
    from warehouse import WarehouseError
    from warehouse.monthly import month_summary

    try:
        settings = RunSettings.build(db=db, region=region, year=year, month=month)
        summary = month_summary(settings.db, region, year, month)
    except SettingsError as exc:
        fail(str(exc), 2)
    except WarehouseError as exc:
        fail(str(exc), 1)
    print_summary(summary, out)
    if html is not None:
        page = write_html(summary, html, database=str(settings.db))
        out.print("\n" + _("page: {path}").format(path=page), markup=False)


@described(
    _("Write progress rows as Parquet partitioned by region/year/month (all periods, or some).")
)
def export(
    out_dir: Annotated[
        Path, typer.Argument(help=_("Folder for the Parquet files."), metavar=_("FOLDER"))
    ],
    db: DbOpt = None,
    region: RegionOpt = None,
    year: YearOpt = None,
    month: MonthOpt = None,
    lang: LangOpt = None,
) -> None:
    speak(lang)
    from warehouse import WarehouseError, export_periods, loaded_periods

    try:
        settings = RunSettings.build(db=db, region=region, year=year, month=month)
        period = settings.period
        periods = [
            p
            for p in loaded_periods(settings.db)
            if (
                period.region in (None, p[0])
                and period.year in (None, p[1])
                and period.month in (None, p[2])
            )
        ]
        folders = export_periods(settings.db, out_dir, periods)
    except (WarehouseError, SettingsError) as exc:
        fail(str(exc), 1)
    out.print(
        _("{n} periods written as Parquet under {folder}").format(n=len(folders), folder=out_dir),
        markup=False,
    )
