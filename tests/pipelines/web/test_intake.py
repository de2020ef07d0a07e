"""Sending reports through the page: checked as validate checks, loaded as ingest loads."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from limits import ParseLimits
from pipelines.core.settings import RunSettings
from tests.helpers import (
    FIXTURES,
    SAMPLE,
    broken_sample,
    csrf_of,
    ingest,
    web_client,
    web_sign_in,
    web_upload,
)


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _load(client, submission: str, **form: str) -> int:
    from tests.helpers import web_wait

    reply = client.post(
        f"/submissions/{submission}/load", data={"csrf_token": csrf_of(client), **form}
    )
    if reply.status_code == 303:
        web_wait(client, submission)
    return reply.status_code


def test_broken_report_shows_each_issue_by_item_then_the_fixed_one_loads(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    db = tmp_path / "data" / "minsheng.duckdb"
    web_sign_in(client, "yueqing")
    broken = web_upload(client, broken_sample(tmp_path / "sent"))
    page = client.get(f"/submissions/{broken}").text
    assert "Load what passed" in page and "What would not load" in page
    report = client.get(f"/submissions/{broken}/report").text
    # the validation report itself, rendered by the reports' own template
    assert "validation report" in report and "row-read" in report
    assert "(6)" in report and "多余" in report and "待核实" in report
    as_validate = ingest(
        [str(broken_sample(tmp_path / "cli"))],
        load=False,
        region="乐清市",
        db=str(tmp_path / "cli.duckdb"),
        reports_dir=str(tmp_path / "cli-reports"),
    )
    checked = client.get(f"/submissions/{broken}/report.json").json()
    assert [i["message"] for i in checked["documents"][0]["issues"]] == [
        i["message"] for i in as_validate["documents"][0]["issues"]
    ]
    assert not db.exists()  # checking loads nothing

    assert _load(client, broken) == 303
    assert _rows(db, "SELECT status, rows_loaded, rows_quarantined FROM reports") == [
        ("partial", 45, 3)
    ]
    assert len(list((tmp_path / "data" / "raw").iterdir())) == 1  # the original archived
    loaded = client.get(f"/submissions/{broken}/report.json").json()
    assert loaded["command"] == "ingest" and (tmp_path / "reports").is_dir()
    assert Path(loaded["report_files"]["html"]).is_file()

    fixed = web_upload(client, SAMPLE)
    page = client.get(f"/submissions/{fixed}").text
    assert "Yes, replace what is loaded" in page and ">Load<" in page
    assert _load(client, fixed) == 409  # the month is loaded: confirm first
    assert _load(client, fixed, confirm="yes") == 303
    assert _rows(db, "SELECT count(*) FROM progress") == [(48,)]
    assert _rows(db, "SELECT count(*) FROM replaced_rows") == [(45,)]

    web_sign_in(client, "admin")
    month = client.get("/month?year=2022&month=8").text
    assert "乐清市" in month and 'class="state-loaded"' in month
    assert "Missing after the due day: 永嘉县" in month
    csv = client.get("/month.csv?year=2022&month=8").text.lstrip("\ufeff").splitlines()
    assert csv[0].startswith("region,year,month,state")
    assert csv[1].startswith("乐清市,2022,8,loaded,") and ",48,0," in csv[1]
    assert csv[2].startswith("永嘉县,2022,8,missing,")
    audit = client.get("/audit").text
    assert audit.count("乐清市政府办") >= 4 and "load" in audit


def test_an_office_cannot_load_another_region_s_report(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yongjia")
    submission = web_upload(client, FIXTURES / "months" / "text" / "yueqing-2022-08.txt")
    report = client.get(f"/submissions/{submission}/report.json").json()
    said = [i["value"] for i in report["documents"][0]["issues"] if i["column"] == "region"]
    assert said == ["乐清市"]  # the document's own region, over the office's
    page = client.get(f"/submissions/{submission}").text.split("<main>")[1]
    assert "Load" not in page and "not this office&#39;s (乐清市)" in page
    assert _load(client, submission) == 403
    assert not (tmp_path / "data" / "minsheng.duckdb").exists()


def test_a_file_over_the_limit_or_not_a_report_is_refused_as_the_cli_refuses_it(
    tmp_path: Path,
) -> None:
    run = RunSettings(
        db=tmp_path / "data" / "minsheng.duckdb",
        reports_dir=tmp_path / "reports",
        limits=ParseLimits(max_file_bytes=2000),
    )
    client = web_client(tmp_path, run=run)
    web_sign_in(client, "yueqing")
    files = [("files", (SAMPLE.name, SAMPLE.read_bytes(), "text/plain"))]
    reply = client.post("/submissions", data={"csrf_token": csrf_of(client)}, files=files)
    assert reply.status_code == 400 and "larger than 2,000 bytes" in reply.text, reply.text
    assert client.app.state.store.submissions() == []


def test_a_file_that_is_no_report_gets_the_cli_s_message(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    junk = FIXTURES / "bad" / "junk.docx"
    submission = web_upload(client, junk)
    report = client.get(f"/submissions/{submission}/report.json").json()
    as_validate = ingest(
        [str(junk)],
        load=False,
        db=str(tmp_path / "cli.duckdb"),
        reports_dir=str(tmp_path / "cli-reports"),
    )
    assert report["documents"][0]["status"] == "rejected"
    assert (
        report["documents"][0]["issues"][0]["message"]
        == (as_validate["documents"][0]["issues"][0]["message"])
    )


def test_an_address_on_the_server_s_own_network_is_not_fetched(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    reply = client.post(
        "/submissions",
        data={"csrf_token": csrf_of(client), "url": "http://127.0.0.1:4200/api/health"},
    )
    assert reply.status_code == 400 and "server&#39;s own network" in reply.text
    assert client.app.state.store.submissions() == []


def test_pages_are_chinese_by_default_english_by_the_browser_or_the_switch(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    del client.headers["Accept-Language"]
    assert "<h1>登录</h1>" in client.get("/signin").text
    english = client.get("/signin", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "<h1>Sign in</h1>" in english
    assert client.get("/lang/en?next=/signin").status_code == 303
    assert "<h1>Sign in</h1>" in client.get("/signin", headers={"Accept-Language": "zh-CN"}).text
    client.get("/lang/zh")
    web_sign_in(client, "yueqing")
    submission = web_upload(client, SAMPLE)
    assert "校验报告" in client.get(f"/submissions/{submission}/report").text


@pytest.mark.slow
def test_a_scan_shows_its_pages_read_while_it_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages the run's OCR cache holds come back at once: this test watches them being read.
    monkeypatch.delenv("MINSHENG_OCR_CACHE", raising=False)
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    scan = FIXTURES / "scan" / "yueqing-2022-08-p3-4.tif"  # two pages
    reply = client.post(
        "/submissions",
        data={"csrf_token": csrf_of(client)},
        files=[("files", (scan.name, scan.read_bytes(), "image/tiff"))],
    )
    submission = reply.headers["location"].rsplit("/", 1)[1]
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        progress = client.get(f"/submissions/{submission}/progress").json()
        seen.append((progress["state"], progress["pages_done"], progress["pages"]))
        if progress["state"] != "checking":
            break
        time.sleep(0.2)
    # The page polled while OCR went on: page 1 read while page 2 was being read (seconds),
    # and the last answer counts both.
    assert ("checking", 1, 2) in seen
    assert seen[-1] == ("checked", 2, 2)
    report = client.get(f"/submissions/{submission}/report.json").json()
    assert report["documents"][0]["region"] == "乐清市"
    assert report["documents"][0]["rows_loaded"] > 0


def _hang_from_now_on(client, name: str) -> None:
    """From now on the page's runs never finish parsing a file called ``name`` (the fault hook
    of the time-limit tests): a load that read the file again would not finish (or, parsed in
    a worker process, be stopped after 5 s and reject it)."""
    import dataclasses

    from pipelines.execution.faults import Faults

    jobs = client.app.state.jobs
    jobs.settings = dataclasses.replace(
        jobs.settings,
        faults=Faults(hang_parse=name),
        limits=dataclasses.replace(jobs.settings.limits, parse_seconds=5.0),
    )


def test_a_load_reuses_the_check_and_leaves_the_warehouse_ingest_leaves(tmp_path: Path) -> None:
    """What the page checked is what it loads, not read again (a scan is not OCR'd twice): the
    warehouse ends as ``minsheng ingest`` of the same file leaves it."""
    from tests.warehouse_snapshot import warehouse_snapshot

    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    sent = broken_sample(tmp_path / "sent")
    submission = web_upload(client, sent)
    _hang_from_now_on(client, sent.name)
    assert _load(client, submission) == 303
    loaded = client.get(f"/submissions/{submission}/report.json").json()
    assert loaded["command"] == "ingest" and loaded["committed"] is True
    assert [(d["status"], d["rows_loaded"]) for d in loaded["documents"]] == [("partial", 45)]

    cli = tmp_path / "cli"
    ingest(
        [str(broken_sample(tmp_path / "cli-in"))],
        region="乐清市",
        db=str(cli / "minsheng.duckdb"),
        reports_dir=str(cli / "reports"),
        raw_dir=str(cli / "raw"),
    )
    web_tables = warehouse_snapshot(tmp_path / "data" / "minsheng.duckdb")
    cli_tables = warehouse_snapshot(cli / "minsheng.duckdb")
    assert all(a.equals(b) for a, b in zip(web_tables, cli_tables, strict=True))
    assert [len(t) for t in web_tables[:2]] == [1, 45]  # something to compare
    archived = sorted(p.name for p in (tmp_path / "data" / "raw").rglob("*.txt"))
    assert archived == sorted(p.name for p in (cli / "raw").rglob("*.txt"))  # the original kept


def test_a_file_changed_after_its_check_is_checked_again_when_it_loads(tmp_path: Path) -> None:
    """A check is reused only for the bytes it read: the stored file rewritten since (here with
    the fixed report) is read again, and what loads is what the file holds now."""
    import hashlib

    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    submission = web_upload(client, broken_sample(tmp_path / "sent"))
    [stored] = client.app.state.store.submission(submission).sources
    Path(stored).write_bytes(SAMPLE.read_bytes())
    assert _load(client, submission) == 303
    loaded = client.get(f"/submissions/{submission}/report.json").json()
    assert [(d["status"], d["rows_loaded"]) for d in loaded["documents"]] == [("loaded", 48)]
    assert _rows(tmp_path / "data" / "minsheng.duckdb", "SELECT source_sha256 FROM reports") == [
        (hashlib.sha256(SAMPLE.read_bytes()).hexdigest(),)
    ]
