"""Run settings, checked once at the edge (command line, flow parameters, environment).

Every bound (a document's, a fetched page's, a query's, the warehouse's) is defined in the
top-level ``limits``, with its default; a run carries the ones it uses (``RunSettings.limits``,
``.fetch``, ``.lock_wait_seconds``). The README's "Security and limits" table is generated
from there.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from i18n import _
from limits import DEFAULTS, FetchLimits, ParseLimits
from parsers.formats.ocr import DEFAULT_MIN_CONFIDENCE
from parsers.formats.ocr.cache import CACHE_VARIABLE, PageCache
from parsers.limits import DEFAULT_LIMITS
from pipelines.execution.faults import NO_FAULTS, Faults, FaultSettingError

DEFAULT_DB = Path("data/minsheng.duckdb")
DEFAULT_REPORTS_DIR = Path("data/reports")


class SettingsError(ValueError):
    """An option with a value that cannot work; the message names the option."""


@dataclass(frozen=True)
class PeriodOptions:
    """What the user says about the documents: region, year and month (None where the
    document should say), and the layouts file that adds header words to the built-in ones."""

    region: str | None = None
    year: int | None = None
    month: int | None = None
    layouts: str | None = None

    def __post_init__(self) -> None:
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise SettingsError(_("--year {year} is not a year like 2022").format(year=self.year))
        if self.month is not None and not 1 <= self.month <= 12:
            raise SettingsError(
                _("--month {month} is not a month from 1 to 12").format(month=self.month)
            )
        if self.region is not None and not self.region.strip():
            raise SettingsError(_("--region is empty"))


@dataclass(frozen=True)
class RunSettings:
    """Where a run reads and writes."""

    db: Path = DEFAULT_DB
    reports_dir: Path = DEFAULT_REPORTS_DIR
    raw_dir: Path = DEFAULT_DB.parent / "raw"
    period: PeriodOptions = PeriodOptions()
    fetch: FetchLimits = FetchLimits()
    limits: ParseLimits = DEFAULT_LIMITS
    lock_wait_seconds: float = DEFAULTS.warehouse.lock_wait_seconds
    #: Fault injection for tests only (``pipelines.execution.faults``).
    faults: Faults = NO_FAULTS
    #: Short names of regions for the flow's artifact keys, from ``$MINSHENG_REGION_KEYS``
    #: (``乐清市=yueqing,永嘉县=yongjia``); a region without one is keyed by its pinyin.
    region_keys: tuple[tuple[str, str], ...] = ()
    #: A key cell of a scan read by OCR with less confidence than this loads with a warning.
    ocr_min_confidence: float = DEFAULT_MIN_CONFIDENCE
    #: ``--replace``: a report replaces its period's rows even when it holds fewer items than
    #: the loaded one (or the same bytes are loaded already: bringing a month back).
    replace_periods: bool = False
    #: Where pages read by OCR are kept (``<db>.ocr-cache`` or ``$MINSHENG_OCR_CACHE``);
    #: None (``--no-ocr-cache``): every page is read.
    ocr_cache: Path | None = None
    ocr_cache_bytes: int = DEFAULTS.warehouse.ocr_cache_bytes

    def page_cache(self) -> PageCache | None:
        """The OCR page cache this run reads and writes, or None."""
        return None if self.ocr_cache is None else PageCache(self.ocr_cache, self.ocr_cache_bytes)

    def __post_init__(self) -> None:
        if not 0 <= self.ocr_min_confidence <= 1:
            raise SettingsError(
                _("--ocr-min-confidence {ocr_min_confidence}: give a value from 0 to 1").format(
                    ocr_min_confidence=self.ocr_min_confidence
                )
            )

    @classmethod
    def build(
        cls,
        *,
        db: str | Path | None = None,
        reports_dir: str | Path | None = None,
        raw_dir: str | Path | None = None,
        region: str | None = None,
        year: int | None = None,
        month: int | None = None,
        ocr_min_confidence: float | None = None,
        layouts: str | Path | None = None,
        fetch_timeout: float | None = None,
        fetch_networks: Sequence[str] | None = None,
        max_pages: int | None = None,
        parse_timeout: float | None = None,
        replace_periods: bool = False,
        ocr_cache: bool = True,
    ) -> RunSettings:
        """Settings from options, falling back to ``$MINSHENG_DB`` and the defaults.

        ``layouts`` is a layouts file (``--layouts``); without it, ``layouts.toml`` beside the
        database is used when there is one. Either is checked here, once.
        """
        db_path = Path(db) if db else Path(os.environ.get("MINSHENG_DB") or DEFAULT_DB)
        if db_path.exists() and db_path.is_dir():
            raise SettingsError(
                _("--db {db_path} is a folder; give a file such as {default}").format(
                    db_path=db_path, default=DEFAULT_DB
                )
            )
        return cls(
            db=db_path,
            reports_dir=Path(reports_dir) if reports_dir else DEFAULT_REPORTS_DIR,
            # Originals stay with the warehouse they were loaded into.
            raw_dir=Path(raw_dir) if raw_dir else db_path.parent / "raw",
            period=PeriodOptions(
                region=region, year=year, month=month, layouts=_layouts_file(layouts, db_path)
            ),
            fetch=_fetch_limits(fetch_timeout, fetch_networks),
            limits=_limits(max_pages, parse_timeout),
            faults=_faults(),
            region_keys=_region_keys(),
            ocr_min_confidence=(
                DEFAULT_MIN_CONFIDENCE if ocr_min_confidence is None else ocr_min_confidence
            ),
            replace_periods=replace_periods,
            ocr_cache=_ocr_cache(db_path) if ocr_cache else None,
        )

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RunSettings:
        """``build`` from a mapping of options by name (a command's or a flow's parameters);
        names that are not ``build``'s (``paths``, ``load``, ``parallel``, …) are left out.

        The one place the run's options become settings: the command line, the ingest flow
        and the monthly flow all come here, so an option added to ``build`` reaches each."""
        return cls.build(**{name: options[name] for name in RUN_OPTIONS if name in options})

    def options(self) -> dict[str, Any]:
        """The options that ``build`` turns into these settings again: the parameters of a
        flow run that is to run with them."""
        return {
            "db": str(self.db),
            "reports_dir": str(self.reports_dir),
            "raw_dir": str(self.raw_dir),
            "region": self.period.region,
            "year": self.period.year,
            "month": self.period.month,
            "layouts": self.period.layouts,
            "fetch_timeout": self.fetch.timeout_s,
            "fetch_networks": self.fetch.networks,
            "max_pages": self.limits.max_pages,
            "parse_timeout": self.limits.parse_seconds,
            "ocr_min_confidence": self.ocr_min_confidence,
            "replace_periods": self.replace_periods,
            "ocr_cache": self.ocr_cache is not None,
        }


#: The options ``RunSettings.build`` takes, by name.
RUN_OPTIONS: tuple[str, ...] = tuple(
    name for name in inspect.signature(RunSettings.build).parameters if name != "cls"
)


def _layouts_file(given: str | Path | None, db: Path) -> str | None:
    """The layouts file to use, checked: ``--layouts FILE``, else ``layouts.toml`` beside the db."""
    if given:
        path, flag = Path(given), "--layouts "
    elif (db.parent / "layouts.toml").is_file():
        path, flag = db.parent / "layouts.toml", ""
    else:
        return None
    # imported only for a file to check: the layouts need pandas, a run without one may not
    from parsers.layouts import LayoutsError, load_layouts

    try:
        load_layouts(path)
    except LayoutsError as exc:
        raise SettingsError(f"{flag}{exc}") from None
    return str(path)


def _ocr_cache(db: Path) -> Path:
    """The folder of the OCR page cache: ``$MINSHENG_OCR_CACHE``, else beside the database."""
    folder = os.environ.get(CACHE_VARIABLE)
    return Path(folder) if folder else db.with_name(db.name + ".ocr-cache")


def _limits(max_pages: int | None, parse_timeout: float | None) -> ParseLimits:
    limits = DEFAULT_LIMITS
    if max_pages is not None:
        if max_pages < 1:
            raise SettingsError(
                _("--max-pages {max_pages}: give 1 or more").format(max_pages=max_pages)
            )
        limits = replace(limits, max_pages=max_pages)
    if parse_timeout is not None:
        if not parse_timeout > 0:
            raise SettingsError(
                _("--parse-timeout {timeout:g} is not a positive number of seconds").format(
                    timeout=parse_timeout
                )
            )
        limits = replace(limits, parse_seconds=parse_timeout)
    return limits


def _fetch_limits(timeout: float | None, networks: Sequence[str] | None) -> FetchLimits:
    """``networks``: None, any address; else public ones and these (``--allow-network``)."""
    if timeout is not None and not timeout > 0:
        raise SettingsError(
            _("--fetch-timeout {timeout:g} is not a positive number of seconds").format(
                timeout=timeout
            )
        )
    try:
        return FetchLimits(
            timeout_s=DEFAULTS.fetch.timeout_s if timeout is None else timeout,
            networks=None if networks is None else tuple(networks),
        )
    except ValueError as exc:
        raise SettingsError(f"--allow-network {exc}") from None


def _faults() -> Faults:
    try:
        return Faults.from_environment()
    except FaultSettingError as exc:
        raise SettingsError(str(exc)) from None


def _region_keys() -> tuple[tuple[str, str], ...]:
    """``$MINSHENG_REGION_KEYS`` as (region, short name) pairs; a pair without ``=`` is
    ignored, as before."""
    pairs = os.environ.get("MINSHENG_REGION_KEYS", "").split(",")
    return tuple(
        (region.strip(), short.strip())
        for region, _eq, short in (pair.partition("=") for pair in pairs if "=" in pair)
    )
