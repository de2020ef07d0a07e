"""The queries behind ``minsheng report``: one region's month, read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from i18n import _, month_name, period
from warehouse.db import WarehouseError, connect, load_sql

#: Query files under ``warehouse/sql/`` that make up a month's summary, by section.
SECTIONS: tuple[str, ...] = ("overview", "lagging", "recovered", "movers", "departments", "trend")


@dataclass(frozen=True)
class MonthSummary:
    """One region's month: each section a frame from ``warehouse/sql/monthly_<section>.sql``."""

    region: str
    year: int
    month: int
    overview: pd.Series
    lagging: pd.DataFrame
    recovered: pd.DataFrame
    movers: pd.DataFrame
    departments: pd.DataFrame
    trend: pd.DataFrame


def _periods(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return conn.execute(load_sql("monthly_periods")).df()


def resolve_period(
    periods: pd.DataFrame, region: str | None, year: int | None, month: int | None
) -> tuple[str, int, int]:
    """Fill what was not given with the latest reported; say what exists when it is not there."""
    if periods.empty:
        raise WarehouseError(_("the warehouse holds no progress rows yet: run 'minsheng ingest'"))
    regions = list(dict.fromkeys(periods["region"]))
    if region is None:
        if len(regions) > 1:
            raise WarehouseError(
                _("the warehouse holds several regions; pass --region (one of: {regions})").format(
                    regions=", ".join(regions)
                )
            )
        region = regions[0]
    mine = periods[periods["region"] == region]
    if mine.empty:
        raise WarehouseError(
            _("no reports for region {region!r}; known: {regions}").format(
                region=region, regions=", ".join(regions)
            )
        )
    if year is not None:
        mine = mine[mine["year"] == year]
    if month is not None:
        mine = mine[mine["month"] == month]
    if mine.empty:
        have = periods[periods["region"] == region]
        listed = ", ".join(
            period(None, y, m) for y, m in zip(have["year"], have["month"], strict=True)
        )
        if year is not None and month is not None:
            asked = period(None, year, month)
        else:
            asked = month_name(month) if month is not None else f"{year}"
        raise WarehouseError(
            _("{region} has no report for {asked}; reported: {listed}").format(
                region=region, asked=asked, listed=listed
            )
        )
    first = mine.iloc[0]
    return region, int(first["year"]), int(first["month"])


def month_summary(
    path: str | Path, region: str | None = None, year: int | None = None, month: int | None = None
) -> MonthSummary:
    """Every section of a region's month (the latest reported when year or month is None)."""
    conn = connect(path, read_only=True)
    try:
        region, year, month = resolve_period(_periods(conn), region, year, month)
        params = {"region": region, "year": year, "month": month}
        frames = {name: conn.execute(load_sql(f"monthly_{name}"), params).df() for name in SECTIONS}
    except duckdb.CatalogException as exc:
        # a database written before these views existed; a write connection creates them
        raise WarehouseError(
            _(
                "{problem}: run 'minsheng ingest' once with this version to update the "
                "database's views"
            ).format(problem=str(exc).strip().splitlines()[0])
        ) from None
    except duckdb.Error as exc:
        raise WarehouseError(str(exc).strip().splitlines()[0]) from None
    finally:
        conn.close()
    overview = frames.pop("overview")
    return MonthSummary(region, year, month, overview.iloc[0], **frames)
