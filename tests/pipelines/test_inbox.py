"""Which inbox files a monthly run takes: those whose bytes the warehouse has not loaded."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.core.checking import check_document
from pipelines.core.inbox import unseen_documents
from pipelines.core.load_run import load_results
from pipelines.core.settings import PeriodOptions, RunSettings, SettingsError
from pipelines.flows.api_server import ApiServer
from tests.helpers import SAMPLE


def test_only_files_not_yet_loaded_are_taken(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    august = inbox / "乐清市民生实事2022年8月.txt"
    shutil.copyfile(SAMPLE, august)
    (inbox / "notes.md").write_text("not a report", "utf-8")
    db = tmp_path / "w.duckdb"
    assert unseen_documents(inbox, db) == [august]  # no database yet: everything is new

    settings = RunSettings(db=db, reports_dir=tmp_path / "r", raw_dir=tmp_path / "raw")
    load_results([check_document(august, PeriodOptions())], settings, "run1", datetime.now())
    renamed_copy = inbox / "sub" / "copy.txt"
    shutil.copyfile(SAMPLE, renamed_copy)
    assert unseen_documents(inbox, db) == []  # same bytes under another name: already seen
    september = inbox / "sub" / "乐清市民生实事2022年9月.txt"
    september.write_text(
        SAMPLE.read_text("utf-8").replace("8月计划进度", "9月计划进度", 1), "utf-8"
    )
    assert unseen_documents(inbox, db) == [september]
    assert august.exists() and renamed_copy.exists()


def test_a_rejected_document_is_tried_again(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nameless = inbox / "report.txt"  # no period in title or name: rejected
    shutil.copyfile(SAMPLE, nameless)
    db = tmp_path / "w.duckdb"
    settings = RunSettings(db=db, reports_dir=tmp_path / "r", raw_dir=tmp_path / "raw")
    [outcome] = load_results(
        [check_document(nameless, PeriodOptions())], settings, "run1", datetime.now()
    )
    assert outcome.status == "rejected"
    assert unseen_documents(inbox, db) == [nameless]


def test_a_missing_inbox_is_created_and_a_file_is_a_settings_error(tmp_path: Path) -> None:
    assert unseen_documents(tmp_path / "new" / "inbox", tmp_path / "w.duckdb") == []
    assert (tmp_path / "new" / "inbox").is_dir()
    (tmp_path / "file").write_text("x", "utf-8")
    with pytest.raises(SettingsError, match="is not a folder"):
        unseen_documents(tmp_path / "file", tmp_path / "w.duckdb")


def test_the_periods_a_run_loaded() -> None:
    from datetime import datetime

    from parsers import Source
    from pipelines.core.load_run import DocumentOutcome
    from pipelines.core.run_report import RunReport

    def outcome(region: str | None, month: int | None, status: str) -> DocumentOutcome:
        year = None if month is None else 2022
        source = Source(f"{month}.txt", region=region, year=year, month=month)
        return DocumentOutcome(source, f"{month}.txt", status, 0, 0, f"r{month}")

    report = RunReport.of(
        "run",
        datetime.now(),
        "ingest",
        [
            outcome("乐清市", 9, "partial"),
            outcome("乐清市", 8, "loaded"),
            outcome("乐清市", 7, "unchanged"),
            outcome(None, None, "rejected"),
        ],
    )
    assert report.loaded_periods() == [("乐清市", 2022, 8), ("乐清市", 2022, 9)]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_the_monthly_flow_reports_the_files_it_does_not_read(tmp_path: Path) -> None:
    """A link out of the inbox and a FIFO are rejected documents of the run, as the command
    line shows them, not dropped without a word."""
    from pipelines.flows.monthly import inbox_flow
    from pipelines.flows.run_flow import report_of
    from tests.helpers import month_file

    inbox = tmp_path / "inbox"
    august = month_file(inbox, 8)
    secret = month_file(tmp_path / "elsewhere", 9)
    (inbox / "link.txt").symlink_to(secret)
    os.mkfifo(inbox / "fifo.txt")
    state = inbox_flow(
        inbox=str(inbox), db=str(tmp_path / "w.duckdb"), reports_dir=str(tmp_path / "reports"),
        region="乐清市", return_state=True,
    )  # fmt: skip
    assert state.is_failed()  # something was rejected: the operator hears of it
    report = report_of(state).as_json()
    lines = {
        d["source_name"]: (d["status"], d["rows_loaded"], [i["message"] for i in d["issues"]])
        for d in report["documents"]
    }
    assert lines[august.name][:2] == ("loaded", 48)
    assert lines["fifo.txt"] == ("rejected", 0, ["a FIFO (named pipe), not a file: skipped"])
    status, rows, [why] = lines["link.txt"]
    assert (status, rows) == ("rejected", 0)
    assert why.startswith("a link to ")
    assert "outside the folder given" in why and why.endswith("not followed")
    written = json.loads(next((tmp_path / "reports").glob("*.json")).read_text("utf-8"))
    assert {d["source_name"] for d in written["documents"]} == {august.name, "link.txt", "fifo.txt"}
    assert report["totals"]["rejected"] == 2


@pytest.mark.slow
def test_a_run_with_nothing_new_says_so_in_its_state_and_artifact(
    tmp_path: Path, prefect_server: ApiServer
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from pipelines.flows.monthly import inbox_flow
    from tests.helpers import month_file

    inbox = tmp_path / "inbox"
    month_file(inbox, 8)
    options = {"inbox": str(inbox), "db": str(tmp_path / "w.duckdb"), "region": "乐清市"}
    options["reports_dir"] = str(tmp_path / "reports")
    assert inbox_flow(**options, return_state=True).is_completed()
    again = inbox_flow(**options, return_state=True)
    said = f"nothing new in {inbox}: every report in it is loaded already"
    assert again.is_completed() and again.message == said
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[again.state_details.flow_run_id])
            )
        )
    assert artifact.type == "markdown" and artifact.description == said
