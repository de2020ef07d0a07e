"""The stages of one run (``pipelines.core.run.Run``), called one by one as the flow calls them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.core.run import Run, RunFailed, check_documents, run_pipeline
from pipelines.core.settings import RunSettings
from tests.helpers import TEXT_MONTHS, broken_sample, table_rows

_VARYING = ("run_id", "started_at", "finished_at", "report_files", "database")


def _settings(folder: Path) -> RunSettings:
    return RunSettings.build(
        db=folder / "w.duckdb", reports_dir=folder / "reports", region="乐清市"
    )


def _without_varying(report: dict) -> dict:
    return {key: value for key, value in report.items() if key not in _VARYING}


def test_the_stages_one_by_one_are_the_whole_run(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    whole = run_pipeline([path.parent], _settings(tmp_path / "whole"), load=True).as_json()

    run = Run.start(_settings(tmp_path / "staged"), "ingest")
    found = run.discover([path.parent])
    assert found.documents == [path] and found.skipped == []
    run.check_places(found)
    results = run.checked(check_documents(found.documents, run.settings), found.skipped)
    assert [r.status for r in results] == ["partial"]
    staged = run.report(run.finish(results)).as_json()

    assert _without_varying(staged) == _without_varying(whole)
    assert staged["totals"]["rows_loaded"] == 45 and staged["totals"]["rows_quarantined"] == 3
    written = json.loads(Path(staged["report_files"]["json"]).read_text("utf-8"))
    assert written["run_id"] == run.run_id and written["committed"] is True
    rows = {t: len(r) for t, r in table_rows(tmp_path / "staged" / "w.duckdb").items()}
    assert rows == {t: len(r) for t, r in table_rows(tmp_path / "whole" / "w.duckdb").items()}
    assert rows["progress"] == 45 and rows["quarantine"] == 3


def test_a_dry_run_is_the_last_stage_of_validate_and_writes_no_warehouse(tmp_path: Path) -> None:
    path = broken_sample(tmp_path / "in")
    run = Run.start(_settings(tmp_path), "validate")
    found = run.discover([path])
    run.check_places(found)
    checked = run.checked(check_documents(found.documents, run.settings), [])
    report = run.report(run.finish(checked)).as_json()
    assert report["command"] == "validate" and report["committed"] is False
    assert report["database"] is None
    assert report["totals"]["rows_loaded"] == 45  # what would load
    assert not (tmp_path / "w.duckdb").exists()


def test_only_ingest_checks_the_warehouse_place(tmp_path: Path) -> None:
    """A warehouse that cannot be made (its folder is a file) stops ``ingest`` before anything
    is read, with its report; ``validate`` does not need it."""
    path = broken_sample(tmp_path / "in")
    (tmp_path / "taken").write_text("a file, not a folder")
    settings = RunSettings.build(
        db=tmp_path / "taken" / "w.duckdb", reports_dir=tmp_path / "reports", region="乐清市"
    )
    validate = Run.start(settings, "validate")
    validate.check_places(validate.discover([path]))  # nothing raised

    ingest = Run.start(settings, "ingest")
    with pytest.raises(RunFailed) as failed:
        ingest.check_places(ingest.discover([path]))
    report = failed.value.report.as_json()
    assert str(tmp_path / "taken") in failed.value.message
    assert report["committed"] is False and report["report_files"] is not None
    assert [d["status"] for d in report["documents"]] == ["rejected"]
    assert Path(report["report_files"]["json"]).exists()


def test_each_run_tells_the_progress_passed_to_it_of_each_document(tmp_path: Path) -> None:
    from pipelines.execution.progress import Progress

    def recorder(into: list[tuple[int, int, str]]) -> Progress:
        return Progress(document_done=lambda done, total, name: into.append((done, total, name)))

    first: list[tuple[int, int, str]] = []
    second: list[tuple[int, int, str]] = []
    report = run_pipeline(
        TEXT_MONTHS[:2], _settings(tmp_path / "a"), load=False, progress=recorder(first)
    )
    run_pipeline(TEXT_MONTHS[2:3], _settings(tmp_path / "b"), load=False, progress=recorder(second))
    run_pipeline(TEXT_MONTHS[3:], _settings(tmp_path / "c"), load=False)  # silent by default
    assert report.totals.documents == 2
    assert first == [(1, 2, str(TEXT_MONTHS[0])), (2, 2, str(TEXT_MONTHS[1]))]
    assert second == [(1, 1, str(TEXT_MONTHS[2]))]
