"""The one way a run's options become settings: the command line's and the flows' alike."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from pipelines.core.settings import RUN_OPTIONS, RunSettings, SettingsError


def _given(tmp_path: Path) -> RunSettings:
    return RunSettings.build(
        db=tmp_path / "w.duckdb",
        reports_dir=tmp_path / "r",
        region="乐清市",
        year=2022,
        month=8,
        fetch_timeout=7.5,
        fetch_networks=["10.1.0.0/16"],
        max_pages=12,
        parse_timeout=30,
        ocr_min_confidence=0.9,
        replace_periods=True,
    )


def test_the_options_of_settings_build_the_same_settings(tmp_path: Path) -> None:
    settings = _given(tmp_path)
    assert set(settings.options()) == set(RUN_OPTIONS)
    assert RunSettings.build(**settings.options()) == settings
    assert RunSettings.build(**RunSettings.build(db=tmp_path / "w.duckdb").options()) == (
        RunSettings.build(db=tmp_path / "w.duckdb")
    )
    assert settings.raw_dir == tmp_path / "raw"  # beside the database


def test_from_options_takes_the_run_options_and_leaves_the_others(tmp_path: Path) -> None:
    parameters = {"paths": ["a.txt"], "load": True, "parallel": "auto", "lang": None}
    parameters |= _given(tmp_path).options()
    assert RunSettings.from_options(parameters) == _given(tmp_path)
    with pytest.raises(SettingsError, match="--month 13"):
        RunSettings.from_options({"month": 13, "parallel": "auto"})


def test_the_ingest_flow_and_the_commands_take_every_run_option() -> None:
    """A run recorded as a flow run gets what the command line was given (``--replace``,
    ``--ocr-min-confidence`` …): each option of ``build`` is a parameter of the flow."""
    from pipelines.cli.commands import ingest, validate
    from pipelines.flows.ingest import ingest_flow

    assert set(RUN_OPTIONS) <= set(inspect.signature(ingest_flow.fn).parameters)
    # The networks a page may be fetched from are the intake page's (--allow-network): the
    # command line fetches whatever address its own user names.
    for command in (ingest, validate):
        assert set(RUN_OPTIONS) - {"fetch_networks"} <= set(inspect.signature(command).parameters)


def test_a_pause_ends_when_its_resume_file_appears(tmp_path: Path) -> None:
    """A test holds the load open until it has done what it needs, not for a guessed time."""
    import threading
    import time

    from pipelines.execution.faults import Faults

    resume = tmp_path / "resume"
    pause = Faults(pause_before_commit=300, resume_file=str(resume)).pause("before")
    assert pause is not None
    threading.Timer(0.5, resume.touch).start()
    started = time.monotonic()
    pause()
    assert resume.exists() and time.monotonic() - started < 120  # not the 300 s


def test_fault_hooks_and_region_keys_are_read_once_into_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.execution.faults import NO_FAULTS, Faults

    assert RunSettings.build(db=tmp_path / "w.duckdb").faults == NO_FAULTS
    monkeypatch.setenv("MINSHENG_FAULT_HANG_PARSE", "slow.pdf")
    monkeypatch.setenv("MINSHENG_FAULT_PAUSE_BEFORE_COMMIT", "2.5")
    monkeypatch.setenv("MINSHENG_REGION_KEYS", "乐清市=yueqing, 永嘉县=yj,broken")
    settings = RunSettings.build(db=tmp_path / "w.duckdb")
    monkeypatch.setenv("MINSHENG_FAULT_PAUSE_BEFORE_COMMIT", "9")  # too late for this run
    assert settings.faults == Faults(hang_parse="slow.pdf", pause_before_commit=2.5)
    assert settings.faults.pause("after") is None and settings.faults.pause("before") is not None
    assert settings.region_keys == (("乐清市", "yueqing"), ("永嘉县", "yj"))
    monkeypatch.setenv("MINSHENG_FAULT_PAUSE_AFTER_COMMIT", "soon")
    with pytest.raises(SettingsError, match="MINSHENG_FAULT_PAUSE_AFTER_COMMIT='soon' is not"):
        RunSettings.build(db=tmp_path / "w.duckdb")


def test_the_ocr_page_cache_is_beside_the_warehouse_unless_named_or_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parsers.formats.ocr.cache import PageCache

    monkeypatch.delenv("MINSHENG_OCR_CACHE", raising=False)
    db = tmp_path / "w.duckdb"
    settings = RunSettings.build(db=db)
    assert settings.ocr_cache == tmp_path / "w.duckdb.ocr-cache"
    assert settings.page_cache() == PageCache(tmp_path / "w.duckdb.ocr-cache", 1024 * 2**20)
    off = RunSettings.build(db=db, ocr_cache=False)
    assert (off.ocr_cache, off.page_cache()) == (None, None)
    assert RunSettings.build(**off.options()) == off  # a flow run of it reads every page too
    monkeypatch.setenv("MINSHENG_OCR_CACHE", str(tmp_path / "shared"))
    assert RunSettings.build(db=db).ocr_cache == tmp_path / "shared"
