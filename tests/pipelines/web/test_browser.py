"""The intake page walked through in a real Chromium (headless), against a real ``minsheng web``
process: what a clerk sees, and what another office or a visitor without an account does not."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.helpers import (
    SAMPLE,
    WEB_ACCOUNTS,
    broken_sample,
    browser_load,
    browser_sign_in,
    browser_upload,
    web_server,
)

CHROMIUM = shutil.which("chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.process,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_an_office_sends_the_broken_report_fixes_it_and_loads_it_in_chromium(
    tmp_path: Path, browser: Any
) -> None:
    with web_server(tmp_path) as server:
        office = browser.new_context(locale="en-US")
        page = office.new_page()
        browser_sign_in(page, server, "yueqing")
        assert "Send reports" in _text(page)

        broken = browser_upload(page, server, broken_sample(tmp_path / "sent"))
        main = _text(page)
        assert "What would not load" in main and "Load what passed" in main
        report = page.frame_locator("iframe.report").locator("body").inner_text()
        checked = page.request.get(f"{server.url}/submissions/{broken}/report.json").json()
        issues = checked["documents"][0]["issues"]
        assert {i["severity"] for i in issues} == {"error", "warning"}
        for issue in issues:  # each issue, by its item, with the row as read
            assert issue["message"] in report, issue
        for item in ("(1)", "(2)", "(6)"):
            assert item in report
        assert "待核实" in report and "多余" in report  # the rows as read
        assert "line 3" in report and "line 7" in report, report
        errors = [i for i in issues if i["severity"] == "error"]
        assert len(errors) == 3 and all(i["message"] in main for i in errors)

        browser_load(page)
        assert "Loaded into the warehouse." in _text(page)

        fixed = browser_upload(page, server, SAMPLE)
        assert "This month is already loaded" in _text(page)
        browser_load(page, confirm=True)
        with duckdb.connect(str(server.db), read_only=True) as conn:
            assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)

        page.goto(f"{server.url}/month?year=2022&month=8")
        row = page.locator("tr", has_text="乐清市")
        assert row.locator("td.state-loaded").inner_text() == "loaded"
        assert "48" in row.inner_text() and "yueqing-2022-08.txt" in row.inner_text()
        row.get_by_role("link").click()
        assert page.url == f"{server.url}/submissions/{fixed}"

        other = browser.new_context(locale="en-US")
        them = other.new_page()
        browser_sign_in(them, server, "yongjia")
        home = _text(them)
        assert "Nothing sent yet." in home and WEB_ACCOUNTS["yueqing"] not in home
        for path in (f"/submissions/{fixed}", f"/submissions/{broken}/report"):
            reply = them.goto(server.url + path)
            assert reply.status == 403, path
            assert "another office" in _text(them) and "待核实" not in them.content()
        them.goto(f"{server.url}/month?year=2022&month=8")
        month = _text(them)
        assert "永嘉县" in month and "乐清市" not in month and fixed not in them.content()

        visitor = browser.new_context(locale="en-US").new_page()
        for path in ("/", "/month", f"/submissions/{fixed}", f"/submissions/{fixed}/report"):
            visitor.goto(server.url + path)
            assert visitor.locator("h1").inner_text() == "Sign in", path
            assert "待核实" not in visitor.content() and "乐清市" not in visitor.content()
